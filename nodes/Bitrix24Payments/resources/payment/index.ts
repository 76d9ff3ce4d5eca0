import { resource } from '../../shared/operation';
import { create } from './create';
import { deletePayment } from './delete';
import { get } from './get';
import { getAll } from './getAll';
import { getPublicUrl } from './getPublicUrl';
import { pay } from './pay';
import { unpay } from './unpay';
import { update } from './update';

/** CRM payments: the payments of deals and invoices (`crm.item.payment.*`). */
export const paymentResource = resource(
	'payment',
	{
		name: 'CRM Payment',
		description: 'Payments of deals and invoices',
		builderHint:
			'Payments of deals and smart invoices (crm.item.payment.*): Mark as Paid (pay) and Mark as Unpaid (unpay) change the paid flag; the IDs are the same as Order Payment ones',
	},
	[pay, unpay, create, get, getAll, update, deletePayment, getPublicUrl],
	'pay',
);
