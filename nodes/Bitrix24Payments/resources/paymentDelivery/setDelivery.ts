import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { deliveryId, paymentDeliveryId } from './shared';

export const setDelivery: Operation = {
	option: {
		name: 'Set Delivery',
		value: 'setDelivery',
		action: 'Change the delivery of a payment delivery row',
		description: 'Point a delivery row of the payment at another delivery (crm.item.payment.delivery.setDelivery)',
		routing: callMethod('crm.item.payment.delivery.setDelivery', confirm('success')),
	},
	fields: [paymentDeliveryId, deliveryId],
};
