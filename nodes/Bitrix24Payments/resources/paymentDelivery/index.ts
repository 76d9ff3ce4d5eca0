import type { Operation } from '../../shared/describe';
import { resourceProperties } from '../../shared/describe';
import { idField, listOptions } from '../../shared/fields';
import { confirm, created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from '../payment/paymentId';

// The deliveries (shipments) a payment pays for (crm.item.payment.delivery.*).
const paymentDeliveryId = idField({
	name: 'paymentDeliveryId',
	displayName: 'Payment Delivery ID',
	description: 'ID of the delivery row of the payment, as Get Many shows it',
	sendAs: 'id',
});
const deliveryId = idField({ name: 'deliveryId', displayName: 'Delivery ID', description: 'ID of the delivery (shipment) of the deal', sendAs: 'deliveryId' });

const create: Operation = {
	option: {
		name: 'Add',
		value: 'create',
		action: 'Add a delivery to a payment',
		description: 'Let the payment cover a delivery of its deal (crm.item.payment.delivery.add)',
		routing: callMethod('crm.item.payment.delivery.add', created),
	},
	fields: [paymentId, deliveryId],
};

const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get the deliveries of a payment',
		description: 'List the deliveries a payment covers (crm.item.payment.delivery.list)',
		routing: callMethod('crm.item.payment.delivery.list'),
	},
	fields: [paymentId, listOptions({ orderFields: ['id', 'deliveryId', 'quantity'] })],
};

const setDelivery: Operation = {
	option: {
		name: 'Set Delivery',
		value: 'setDelivery',
		action: 'Change the delivery of a payment delivery row',
		description: 'Point a delivery row of the payment at another delivery (crm.item.payment.delivery.setDelivery)',
		routing: callMethod('crm.item.payment.delivery.setDelivery', confirm('success')),
	},
	fields: [paymentDeliveryId, deliveryId],
};

const remove: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Remove a delivery from a payment',
		description: 'Remove a delivery row from the payment (crm.item.payment.delivery.delete)',
		routing: callMethod('crm.item.payment.delivery.delete', confirm('deleted')),
	},
	fields: [paymentDeliveryId],
};

export const paymentDeliveryProperties = resourceProperties('paymentDelivery', [create, getAll, setDelivery, remove], 'getAll');
