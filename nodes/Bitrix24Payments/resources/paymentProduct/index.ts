import type { Operation } from '../../shared/describe';
import { resourceProperties } from '../../shared/describe';
import { idField, listOptions, numberField } from '../../shared/fields';
import { confirm, created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from '../payment/paymentId';

// The product rows of a payment: which deal products it pays for, and how many (crm.item.payment.product.*).
const paymentProductId = idField({
	name: 'paymentProductId',
	displayName: 'Payment Product ID',
	description: 'ID of the product row of the payment, as Get Many shows it',
	sendAs: 'id',
});
const quantity = numberField({ name: 'quantity', displayName: 'Quantity', description: 'How many of the product the payment covers', sendAs: 'quantity' });

const create: Operation = {
	option: {
		name: 'Add',
		value: 'create',
		action: 'Add a product to a payment',
		description: 'Let the payment cover a product row of its deal (crm.item.payment.product.add)',
		routing: callMethod('crm.item.payment.product.add', created),
	},
	fields: [
		paymentId,
		idField({ name: 'rowId', displayName: 'Product Row ID', description: 'ID of the product row of the deal or invoice', sendAs: 'rowId' }),
		quantity,
	],
};

const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get the products of a payment',
		description: 'List the products a payment covers (crm.item.payment.product.list)',
		routing: callMethod('crm.item.payment.product.list'),
	},
	fields: [paymentId, listOptions({ orderFields: ['id', 'rowId', 'quantity'] })],
};

const setQuantity: Operation = {
	option: {
		name: 'Set Quantity',
		value: 'setQuantity',
		action: 'Set the quantity of a payment product',
		description: 'Change how many of the product the payment covers (crm.item.payment.product.setQuantity)',
		routing: callMethod('crm.item.payment.product.setQuantity', confirm('success')),
	},
	fields: [paymentProductId, quantity],
};

const remove: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Remove a product from a payment',
		description: 'Remove a product row from the payment (crm.item.payment.product.delete)',
		routing: callMethod('crm.item.payment.product.delete', confirm('deleted')),
	},
	fields: [paymentProductId],
};

export const paymentProductProperties = resourceProperties('paymentProduct', [create, getAll, setQuantity, remove], 'getAll');
