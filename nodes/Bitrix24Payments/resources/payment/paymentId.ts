import { idField } from '../../shared/fields';

export const paymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment of a deal or invoice, as crm.item.payment.list shows it',
	sendAs: 'id',
});

/**
 * The payment whose products or deliveries are added or listed: crm.item.payment.product|delivery.add and
 * .list name it `paymentId` (their `id` is the line's own id), so it must not be sent as `id`.
 */
export const linesPaymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment of a deal or invoice, as crm.item.payment.list shows it',
	sendAs: 'paymentId',
});
