import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { deliveryId, paymentDeliveryId } from './shared';

export const setDelivery = operation({
	name: 'Set Delivery',
	value: 'setDelivery',
	action: 'Change the delivery of a payment delivery row',
	description: 'Point a delivery row of the payment at another delivery (crm.item.payment.delivery.setDelivery)',
	method: 'crm.item.payment.delivery.setDelivery',
	output: [confirm('success')],
	fields: [idAt(paymentDeliveryId, 'id'), idAt(deliveryId, 'deliveryId')],
});
