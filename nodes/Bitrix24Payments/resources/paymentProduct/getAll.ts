import { idAt, operation } from '../../shared/operation';
import { linesListOptions, linesPaymentId } from '../payment/paymentId';

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get the products of a payment',
	description: 'List the products a payment covers (crm.item.payment.product.list)',
	method: 'crm.item.payment.product.list',
	fields: [idAt(linesPaymentId, 'paymentId'), linesListOptions],
});
