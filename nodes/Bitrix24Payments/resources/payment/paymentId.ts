import type { INodeProperties } from 'n8n-workflow';

import { idField, listOptions } from '../../shared/fields';

/**
 * The payment an operation acts on, sent as `id`. CRM payments are the payments of the orders behind deals and
 * invoices, so CRM Payment and Order Payment share this field (and its ids).
 */
export const paymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment, as Get Many of CRM payments or order payments shows it',
	builderHint:
		"The payment's own ID, the same for CRM Payment and Order Payment: a trigger item's paymentId or a Get Many item's id; not the order ID, the deal ID or the account number (accountNumber, like 10/1)",
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

/**
 * The payment of the line a change acts on, which the change itself does not take: optional, and used only if its
 * answer is lost, to read the payment's lines back (Bitrix24 lists lines by their payment and has no get by line).
 */
export const changedLinePaymentId: INodeProperties = {
	...linesPaymentId,
	required: false,
	description:
		"ID of the payment the line belongs to (optional): if the portal's answer to this change is lost, the node reads the payment's lines to tell whether the change was applied",
};

/** The Options of Get Many of a payment's products or deliveries (one field object for both: see properties.ts). */
export const linesListOptions = listOptions({ orderFields: ['id', 'quantity'] });
