import type { Operation } from '../../shared/describe';
import { idField } from '../../shared/fields';
import { created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { linesPaymentId } from '../payment/paymentId';
import { quantity } from './shared';

export const create: Operation = {
	option: {
		name: 'Add',
		value: 'create',
		action: 'Add a product to a payment',
		description: 'Let the payment cover a product row of its deal (crm.item.payment.product.add)',
		routing: callMethod('crm.item.payment.product.add', created),
	},
	fields: [
		linesPaymentId,
		idField({ name: 'rowId', displayName: 'Product Row ID', description: 'ID of the product row of the deal or invoice', sendAs: 'rowId' }),
		quantity,
	],
};
