import { idField } from '../../shared/fields';

// The deliveries (shipments) a payment pays for (crm.item.payment.delivery.*).
export const paymentDeliveryId = idField({
	name: 'paymentDeliveryId',
	displayName: 'Payment Delivery ID',
	description: 'ID of the delivery row of the payment, as Get Many shows it',
});

export const deliveryId = idField({
	name: 'deliveryId',
	displayName: 'Delivery ID',
	description: 'ID of the delivery (shipment) of the deal',
});
