import { created } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { linesPaymentId } from '../payment/paymentId';
import { deliveryId } from './shared';
import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Add',
	value: 'create',
	action: 'Add a delivery to a payment',
	description: 'Let the payment cover a delivery of its deal (crm.item.payment.delivery.add)',
	method: 'crm.item.payment.delivery.add',
	settle: (params) => lookFor(`delivery ${String(params.deliveryId)} in the deliveries of payment ${String(params.paymentId)}`),
	output: [created],
	fields: [idAt(linesPaymentId, 'paymentId'), idAt(deliveryId, 'deliveryId')],
});
