import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from './paymentId';

export const unpay: Operation = {
	option: {
		name: 'Mark as Unpaid',
		value: 'unpay',
		action: 'Mark a payment as unpaid',
		description: 'Set a payment back to unpaid (crm.item.payment.unpay)',
		routing: callMethod('crm.item.payment.unpay', confirm('success')),
	},
	fields: [paymentId],
};
