import type { Operation } from '../../shared/describe';
import { listOptions } from '../../shared/fields';
import { callMethod } from '../../shared/transport';
import { paymentId } from '../payment/paymentId';

export const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get the deliveries of a payment',
		description: 'List the deliveries a payment covers (crm.item.payment.delivery.list)',
		routing: callMethod('crm.item.payment.delivery.list'),
	},
	fields: [paymentId, listOptions({ orderFields: ['id', 'deliveryId', 'quantity'] })],
};
