import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';

export const deletePayment = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete a payment',
	description: 'Delete a payment of a deal or invoice (crm.item.payment.delete)',
	method: 'crm.item.payment.delete',
	output: [confirm('deleted')],
	fields: [idAt(paymentId, 'id')],
});
