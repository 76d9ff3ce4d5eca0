import { confirm } from '../../shared/output';
import { operation } from '../../shared/operation';
import { paymentDeliveryId } from './shared';

export const deletePaymentDelivery = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Remove a delivery from a payment',
	description: 'Remove a delivery row from the payment (crm.item.payment.delivery.delete)',
	method: 'crm.item.payment.delivery.delete',
	ids: { paymentDeliveryId: 'id' },
	fields: [paymentDeliveryId],
	output: [confirm('deleted')],
});
