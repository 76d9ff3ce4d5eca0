import type { Operation } from '../../shared/describe';
import { created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { linesPaymentId } from '../payment/paymentId';
import { deliveryId } from './shared';

export const create: Operation = {
	option: {
		name: 'Add',
		value: 'create',
		action: 'Add a delivery to a payment',
		description: 'Let the payment cover a delivery of its deal (crm.item.payment.delivery.add)',
		routing: callMethod('crm.item.payment.delivery.add', created),
	},
	fields: [linesPaymentId, deliveryId],
};
