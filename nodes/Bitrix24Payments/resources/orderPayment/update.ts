import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { salePaymentFields } from './salePaymentFields';
import { paymentId } from '../payment/paymentId';
import { paySystemId, simplifyField, simplifyPayment } from './shared';
import type { IDataObject } from 'n8n-workflow';

import { orderPaymentShows } from '../../shared/settle';

export const update = operation({
	name: 'Update',
	value: 'update',
	action: 'Update an order payment',
	description: 'Change the fields of an order payment and output it as saved (sale.payment.update)',
	method: 'sale.payment.update',
	settle: (params) => orderPaymentShows(params.id, params.fields as IDataObject, 'read'),
	output: [unwrapProperty('payment'), simplifyPayment],
	fields: [
		idAt(paymentId, 'id'),
		idAt(paySystemId, 'fields.paySystemId'),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', specs: salePaymentFields, sendTo: 'fields' }),
		simplifyField,
	],
});
