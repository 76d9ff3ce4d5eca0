import { idField } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paySystemId } from './shared';
import { lookFor } from '../../shared/settleReads';

export const payInvoice = operation({
	name: 'Pay Invoice',
	value: 'payInvoice',
	action: 'Pay a legacy invoice through a pay system',
	description: 'Pay an invoice of the old CRM invoices as a payment service would (sale.paysystem.pay.invoice)',
	method: 'sale.paysystem.pay.invoice',
	settle: (params) => lookFor(`whether invoice ${String(params.INVOICE_ID)} is paid`),
	output: [confirm('success')],
	fields: [
		idAt(idField({ name: 'invoiceId', displayName: 'Invoice ID', description: 'ID of the legacy CRM invoice' }), 'INVOICE_ID'),
		idAt(paySystemId, 'PAY_SYSTEM_ID'),
	],
});
