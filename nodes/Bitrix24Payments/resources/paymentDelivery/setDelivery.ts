import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { deliveryId, paymentDeliveryId } from './shared';
import { paymentLineShows } from '../../shared/settleReads';
import { changedLinePaymentId } from '../payment/paymentId';

export const setDelivery = operation({
	name: 'Set Delivery',
	value: 'setDelivery',
	action: 'Change the delivery of a payment delivery row',
	description: 'Point a delivery row of the payment at another delivery (crm.item.payment.delivery.setDelivery)',
	method: 'crm.item.payment.delivery.setDelivery',
	settle: (params, ids) => paymentLineShows('delivery', params.id, ids.paymentId, { deliveryId: params.deliveryId }),
	output: [confirm('success')],
	fields: [idAt(paymentDeliveryId, 'id'), idAt(deliveryId, 'deliveryId'), idAt(changedLinePaymentId, null)],
});
