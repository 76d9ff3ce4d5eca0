import { listOptions } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { linesPaymentId } from '../payment/paymentId';

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get the deliveries of a payment',
	description: 'List the deliveries a payment covers (crm.item.payment.delivery.list)',
	method: 'crm.item.payment.delivery.list',
	fields: [linesPaymentId, listOptions({ orderFields: ['id', 'quantity'] })],
});
