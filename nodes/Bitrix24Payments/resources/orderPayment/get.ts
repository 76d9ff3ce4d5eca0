import { idAt, operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { paymentId } from '../payment/paymentId';
import { simplifyField, simplifyPayment } from './shared';

export const get = operation({
	name: 'Get',
	value: 'get',
	action: 'Get an order payment',
	description: 'Get an order payment with all its fields (sale.payment.get)',
	method: 'sale.payment.get',
	output: [unwrapProperty('payment'), simplifyPayment],
	fields: [idAt(paymentId, 'id'), simplifyField],
});
