import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { deliveryId, paymentDeliveryId } from './shared';
import { lookFor } from '../../shared/settle';

export const setDelivery = operation({
	name: 'Set Delivery',
	value: 'setDelivery',
	action: 'Change the delivery of a payment delivery row',
	description: 'Point a delivery row of the payment at another delivery (crm.item.payment.delivery.setDelivery)',
	method: 'crm.item.payment.delivery.setDelivery',
	settle: (params) => lookFor(`the delivery of payment delivery ${String(params.id)} (Bitrix24 reads it back only by its payment: Get Many of Payment Delivery)`),
	output: [confirm('success')],
	fields: [idAt(paymentDeliveryId, 'id'), idAt(deliveryId, 'deliveryId')],
});
