import { resource } from '../../shared/operation';
import { create } from './create';
import { deleteOrderPayment } from './delete';
import { get } from './get';
import { getAll } from './getAll';
import { getFields } from './getFields';
import { update } from './update';

/** Order payments: the payments of online store orders (`sale.payment.*`). */
export const orderPaymentResource = resource(
	'orderPayment',
	{
		name: 'Order Payment',
		description: 'Payments of online store orders',
		builderHint:
			'The same payments as CRM Payment, with every sale field (sum, currency, dates, status fields, comments), by sale.payment.*; Get Many filters them (for example paid: N, or a psInvoiceId)',
	},
	[create, get, getAll, update, deleteOrderPayment, getFields],
	'update',
);
