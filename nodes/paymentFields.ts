import type { IDataObject } from 'n8n-workflow';

/**
 * The order payment's fields people look for first, in this order: first in every order payment the package outputs
 * (Order Payment's operations, the triggers' `payment`), so n8n's table shows them before its "columns are hidden";
 * Order Payment's "Simplify" keeps only these. Bitrix24 sends 44.
 */
export const MAIN_PAYMENT_FIELDS = [
	'id',
	'orderId',
	'accountNumber',
	'paid',
	'datePaid',
	'sum',
	'currency',
	'paySystemId',
	'paySystemName',
	'psStatus',
	'psInvoiceId',
	'comments',
];

/** The payment with the main fields first (or only those), the rest as Bitrix24 sent them. */
export function mainFieldsFirst(payment: IDataObject, only = false): IDataObject {
	const main = MAIN_PAYMENT_FIELDS.filter((field) => field in payment);
	const keys = only ? main : [...main, ...Object.keys(payment).filter((key) => !main.includes(key))];
	return Object.fromEntries(keys.map((key) => [key, payment[key]])) as IDataObject;
}
