import type { Operation } from '../../shared/describe';
import { idField } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paySystemId } from './shared';

export const payInvoice: Operation = {
	option: {
		name: 'Pay Invoice',
		value: 'payInvoice',
		action: 'Pay a legacy invoice through a pay system',
		description: 'Pay an invoice of the old CRM invoices as a payment service would (sale.paysystem.pay.invoice)',
		routing: callMethod('sale.paysystem.pay.invoice', confirm('success')),
	},
	fields: [
		idField({ name: 'invoiceId', displayName: 'Invoice ID', description: 'ID of the legacy CRM invoice', sendAs: 'INVOICE_ID' }),
		paySystemId,
	],
};
