import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from './paymentId';

export const deletePayment: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a payment',
		description: 'Delete a payment of a deal or invoice (crm.item.payment.delete)',
		routing: callMethod('crm.item.payment.delete', confirm('deleted')),
	},
	fields: [paymentId],
};
