import { idAt, operation } from '../../shared/operation';
import { paymentId, paySystemId } from './shared';

export const getPaymentSettings = operation({
	name: 'Get Payment Settings',
	value: 'getPaymentSettings',
	action: 'Get the pay system settings of a payment',
	description: 'Get the settings the pay system applies to one payment, as CODE: value (sale.paysystem.settings.payment.get)',
	method: 'sale.paysystem.settings.payment.get',
	fields: [
		idAt(paymentId, 'PAYMENT_ID'),
		idAt(paySystemId, 'PAY_SYSTEM_ID'),
	],
});
