import { idField, listOptions } from '../../shared/fields';

/**
 * The payment an operation acts on, sent as `id`. CRM payments are the payments of the orders behind deals and
 * invoices, so CRM Payment and Order Payment share this field (and its ids).
 */
export const paymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment, as Get Many of CRM payments or order payments shows it',
});

/**
 * The payment whose products or deliveries are added or listed: crm.item.payment.product|delivery.add and
 * .list name it `paymentId` (their `id` is the line's own id), so it must not be sent as `id`.
 */
export const linesPaymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment of a deal or invoice, as crm.item.payment.list shows it',
});

/** The Options of Get Many of a payment's products or deliveries (one field object for both: see properties.ts). */
export const linesListOptions = listOptions({ orderFields: ['id', 'quantity'] });
