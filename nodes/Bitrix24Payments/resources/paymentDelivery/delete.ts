import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentDeliveryId } from './shared';

export const deletePaymentDelivery = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Remove a delivery from a payment',
	description: 'Remove a delivery row from the payment (crm.item.payment.delivery.delete)',
	method: 'crm.item.payment.delivery.delete',
	output: [confirm('deleted')],
	fields: [idAt(paymentDeliveryId, 'id')],
});
