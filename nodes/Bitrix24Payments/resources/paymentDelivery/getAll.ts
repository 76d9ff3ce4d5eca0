import type { Operation } from '../../shared/describe';
import { listOptions } from '../../shared/fields';
import { callMethod } from '../../shared/transport';
import { linesPaymentId } from '../payment/paymentId';

export const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get the deliveries of a payment',
		description: 'List the deliveries a payment covers (crm.item.payment.delivery.list)',
		routing: callMethod('crm.item.payment.delivery.list'),
	},
	fields: [linesPaymentId, listOptions({ orderFields: ['id', 'quantity'] })],
};
