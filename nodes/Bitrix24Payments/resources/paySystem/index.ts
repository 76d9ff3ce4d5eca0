import { resource } from '../../shared/operation';
import { create } from './create';
import { deletePaySystem } from './delete';
import { getAll } from './getAll';
import { getPaymentSettings } from './getPaymentSettings';
import { getSettings } from './getSettings';
import { payInvoice } from './payInvoice';
import { payPayment } from './payPayment';
import { update } from './update';
import { updateSettings } from './updateSettings';

/** Pay systems (`sale.paysystem.*`): paying as a payment service would, and managing the pay systems. */
export const paySystemResource = resource(
	'paySystem',
	{
		name: 'Pay System',
		description: 'Payment systems of the portal',
		builderHint:
			'Pay Payment (payPayment) records that a payment service has taken the money, with its transaction fields (psInvoiceId, psStatusCode, psSum, ...), and marks the payment paid; the payment must use that pay system',
	},
	[payPayment, payInvoice, getAll, create, update, deletePaySystem, getSettings, updateSettings, getPaymentSettings],
	'payPayment',
);
