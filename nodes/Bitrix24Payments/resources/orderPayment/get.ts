import type { Operation } from '../../shared/describe';
import { unwrapProperty } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId, simplifyField, simplifyPayment } from './shared';

export const get: Operation = {
	option: {
		name: 'Get',
		value: 'get',
		action: 'Get an order payment',
		description: 'Get an order payment with all its fields (sale.payment.get)',
		routing: callMethod('sale.payment.get', unwrapProperty('payment'), simplifyPayment),
	},
	fields: [paymentId, simplifyField],
};
