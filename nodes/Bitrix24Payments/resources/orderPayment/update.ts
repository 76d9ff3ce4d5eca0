import { fieldsCollection } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { salePaymentFields } from './salePaymentFields';
import { paymentId, paySystemId, simplifyField, simplifyPayment } from './shared';

export const update = operation({
	name: 'Update',
	value: 'update',
	action: 'Update an order payment',
	description: 'Change the fields of an order payment and output it as saved (sale.payment.update)',
	method: 'sale.payment.update',
	output: [unwrapProperty('payment'), simplifyPayment],
	fields: [
		paymentId,
		paySystemId('fields.paySystemId'),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', specs: salePaymentFields, sendTo: 'fields' }),
		simplifyField,
	],
});
