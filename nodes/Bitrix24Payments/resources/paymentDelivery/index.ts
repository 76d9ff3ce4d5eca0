import { resourceProperties } from '../../shared/describe';
import { create } from './create';
import { deletePaymentDelivery } from './delete';
import { getAll } from './getAll';
import { setDelivery } from './setDelivery';

/** The deliveries a CRM payment pays for (`crm.item.payment.delivery.*`). */
export const paymentDeliveryProperties = resourceProperties(
	'paymentDelivery',
	[create, getAll, setDelivery, deletePaymentDelivery],
	'getAll',
);
