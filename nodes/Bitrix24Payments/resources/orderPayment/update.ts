import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { unwrapProperty } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { salePaymentFields } from './salePaymentFields';
import { paymentId, paySystemId, simplifyField, simplifyPayment } from './shared';

export const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update an order payment',
		description: 'Change the fields of an order payment and output it as saved (sale.payment.update)',
		routing: callMethod('sale.payment.update', unwrapProperty('payment'), simplifyPayment),
	},
	fields: [
		paymentId,
		paySystemId('fields.paySystemId'),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', specs: salePaymentFields, sendTo: 'fields' }),
		simplifyField,
	],
};
