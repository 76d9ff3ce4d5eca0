import type { IDataObject } from 'n8n-workflow';

import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { salePaymentFields } from './salePaymentFields';
import { paymentId } from '../payment/paymentId';
import { paySystemId, simplifyField, simplifyPayment } from './shared';
import { orderPaymentShows } from '../../shared/settleReads';

/**
 * Bitrix24 requires PAY_SYSTEM_ID on every sale.payment.update. Left empty, the payment keeps its current one: the
 * runner reads it (sale.payment.get) before the update, all items' reads in one batch request per 50.
 */
const newPaySystem = {
	...paySystemId,
	required: false,
	description: "The pay system the payment moves to. Empty: it keeps its current one (read from the portal first, since Bitrix24 requires one on every update).",
	hint: "Leave empty to keep the payment's current pay system",
};

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
		idAt(newPaySystem, 'fields.paySystemId'),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', specs: salePaymentFields, sendTo: 'fields' }),
		simplifyField,
	],
	readFirst: {
		wanted: (ids) => ids.paySystemId === undefined,
		method: 'sale.payment.get',
		params: (ids) => ({ id: ids.paymentId }),
		apply: (read, params) => {
			const current = ((read ?? {}) as { payment?: IDataObject }).payment?.paySystemId;
			if (current !== undefined && current !== null) ((params.fields ??= {}) as IDataObject).paySystemId = current;
		},
	},
});
