import { idAt, operation } from '../../shared/operation';
import { linesListOptions, linesPaymentId } from '../payment/paymentId';

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get the deliveries of a payment',
	description: 'List the deliveries a payment covers (crm.item.payment.delivery.list)',
	method: 'crm.item.payment.delivery.list',
	fields: [idAt(linesPaymentId, 'paymentId'), linesListOptions],
});
