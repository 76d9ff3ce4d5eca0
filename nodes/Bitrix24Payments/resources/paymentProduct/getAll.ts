import type { Operation } from '../../shared/describe';
import { listOptions } from '../../shared/fields';
import { callMethod } from '../../shared/transport';
import { linesPaymentId } from '../payment/paymentId';

export const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get the products of a payment',
		description: 'List the products a payment covers (crm.item.payment.product.list)',
		routing: callMethod('crm.item.payment.product.list'),
	},
	fields: [linesPaymentId, listOptions({ orderFields: ['id', 'quantity'] })],
};
