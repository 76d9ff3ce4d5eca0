import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentDeliveryId } from './shared';
import { lookFor } from '../../shared/settleReads';

export const deletePaymentDelivery = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Remove a delivery from a payment',
	description: 'Remove a delivery row from the payment (crm.item.payment.delivery.delete)',
	method: 'crm.item.payment.delivery.delete',
	settle: (params) => lookFor(`payment delivery ${String(params.id)} (Bitrix24 reads it back only by its payment: Get Many of Payment Delivery)`),
	output: [confirm('deleted')],
	fields: [idAt(paymentDeliveryId, 'id')],
});
