import { resource } from '../../shared/operation';
import { create } from './create';
import { deletePaymentDelivery } from './delete';
import { getAll } from './getAll';
import { setDelivery } from './setDelivery';

/** The deliveries a CRM payment pays for (`crm.item.payment.delivery.*`). */
export const paymentDeliveryResource = resource(
	'paymentDelivery',
	{ name: 'Payment Delivery', description: 'Deliveries a CRM payment pays for' },
	[create, getAll, setDelivery, deletePaymentDelivery],
	'getAll',
);
