import { idField } from '../../shared/fields';
import { created } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { linesPaymentId } from '../payment/paymentId';
import { quantity } from './shared';
import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Add',
	value: 'create',
	action: 'Add a product to a payment',
	description: 'Let the payment cover a product row of its deal (crm.item.payment.product.add)',
	method: 'crm.item.payment.product.add',
	settle: (params) => lookFor(`product row ${String(params.rowId)} in the products of payment ${String(params.paymentId)}`),
	output: [created],
	fields: [
		idAt(linesPaymentId, 'paymentId'),
		idAt(idField({ name: 'rowId', displayName: 'Product Row ID', description: 'ID of the product row of the deal or invoice' }), 'rowId'),
		quantity,
	],
});
