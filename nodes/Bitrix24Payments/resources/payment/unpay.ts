import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';

export const unpay = operation({
	name: 'Mark as Unpaid',
	value: 'unpay',
	action: 'Mark a payment as unpaid',
	description: 'Set a payment back to unpaid (crm.item.payment.unpay)',
	method: 'crm.item.payment.unpay',
	output: [confirm('success')],
	fields: [idAt(paymentId, 'id')],
});
