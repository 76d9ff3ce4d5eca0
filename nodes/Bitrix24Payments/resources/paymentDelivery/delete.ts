import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentDeliveryId } from './shared';

export const deletePaymentDelivery: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Remove a delivery from a payment',
		description: 'Remove a delivery row from the payment (crm.item.payment.delivery.delete)',
		routing: callMethod('crm.item.payment.delivery.delete', confirm('deleted')),
	},
	fields: [paymentDeliveryId],
};
