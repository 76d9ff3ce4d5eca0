import { fieldsCollection, idField } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { salePaymentFields } from './salePaymentFields';
import { paySystemId, simplifyField, simplifyPayment } from './shared';
import type { IDataObject } from 'n8n-workflow';

import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Create',
	value: 'create',
	action: 'Create an order payment',
	description: 'Add a payment to an order and output it as saved (sale.payment.add)',
	method: 'sale.payment.add',
	settle: (params) => lookFor(`a new payment of order ${String((params.fields as IDataObject).orderId)}`),
	output: [unwrapProperty('payment'), simplifyPayment],
	fields: [
		idAt(idField({
				name: 'orderId',
				displayName: 'Order ID',
				description: 'ID of the order the payment belongs to',
				builderHint: 'The store order ID (a payment item\'s orderId), not the ID of the deal',
			}), 'fields.orderId'),
		idAt(paySystemId, 'fields.paySystemId'),
		fieldsCollection({ name: 'additionalFields', displayName: 'Additional Fields', specs: salePaymentFields, sendTo: 'fields' }),
		simplifyField,
	],
});
