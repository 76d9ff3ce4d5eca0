import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from '../payment/paymentId';
import { orderPaymentShows } from '../../shared/settleReads';

export const deleteOrderPayment = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete an order payment',
	description: 'Delete a payment of an order (sale.payment.delete)',
	method: 'sale.payment.delete',
	settle: (params) => orderPaymentShows(params.id, 'gone'),
	output: [confirm('deleted')],
	fields: [idAt(paymentId, 'id')],
});
