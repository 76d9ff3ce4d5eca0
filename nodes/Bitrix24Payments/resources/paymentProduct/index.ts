import { resource } from '../../shared/operation';
import { create } from './create';
import { deletePaymentProduct } from './delete';
import { getAll } from './getAll';
import { setQuantity } from './setQuantity';

/** The products a CRM payment pays for (`crm.item.payment.product.*`). */
export const paymentProductResource = resource(
	'paymentProduct',
	{ name: 'Payment Product', description: 'Products a CRM payment pays for' },
	[create, getAll, setQuantity, deletePaymentProduct],
	'getAll',
);
