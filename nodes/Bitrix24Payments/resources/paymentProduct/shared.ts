import { idField, numberField } from '../../shared/fields';

// The product rows of a payment: which deal products it pays for, and how many (crm.item.payment.product.*).
export const paymentProductId = idField({
	name: 'paymentProductId',
	displayName: 'Payment Product ID',
	description: 'ID of the product row of the payment, as Get Many shows it',
	sendAs: 'id',
});

export const quantity = numberField({
	name: 'quantity',
	displayName: 'Quantity',
	description: 'How many of the product the payment covers',
	sendAs: 'quantity',
});
