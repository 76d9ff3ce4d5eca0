import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from './shared';

export const deleteOrderPayment: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete an order payment',
		description: 'Delete a payment of an order (sale.payment.delete)',
		routing: callMethod('sale.payment.delete', confirm('deleted')),
	},
	fields: [paymentId],
};
