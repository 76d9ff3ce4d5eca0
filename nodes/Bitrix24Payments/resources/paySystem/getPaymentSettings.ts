import type { Operation } from '../../shared/describe';
import { callMethod } from '../../shared/transport';
import { paymentId, paySystemId } from './shared';

export const getPaymentSettings: Operation = {
	option: {
		name: 'Get Payment Settings',
		value: 'getPaymentSettings',
		action: 'Get the pay system settings of a payment',
		description: 'Get the settings the pay system applies to one payment, as CODE: value (sale.paysystem.settings.payment.get)',
		routing: callMethod('sale.paysystem.settings.payment.get'),
	},
	fields: [
		paymentId,
		paySystemId,
	],
};
