import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from '../payment/paymentId';

export const deleteOrderPayment = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete an order payment',
	description: 'Delete a payment of an order (sale.payment.delete)',
	method: 'sale.payment.delete',
	output: [confirm('deleted')],
	fields: [idAt(paymentId, 'id')],
});
