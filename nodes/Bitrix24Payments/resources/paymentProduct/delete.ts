import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentProductId } from './shared';
import { lookFor } from '../../shared/settleReads';

export const deletePaymentProduct = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Remove a product from a payment',
	description: 'Remove a product row from the payment (crm.item.payment.product.delete)',
	method: 'crm.item.payment.product.delete',
	settle: (params) => lookFor(`payment product ${String(params.id)} (Bitrix24 reads it back only by its payment: Get Many of Payment Product)`),
	output: [confirm('deleted')],
	fields: [idAt(paymentProductId, 'id')],
});
