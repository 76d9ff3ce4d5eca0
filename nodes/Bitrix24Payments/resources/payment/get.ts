import type { Operation } from '../../shared/describe';
import { callMethod } from '../../shared/transport';
import { paymentId } from './paymentId';

export const get: Operation = {
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get a payment',
		description: 'Get a payment of a deal or invoice (crm.item.payment.get)',
		routing: callMethod('crm.item.payment.get'),
	},
	fields: [paymentId],
};
