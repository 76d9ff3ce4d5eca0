import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentProductId, quantity } from './shared';
import { lookFor } from '../../shared/settle';

export const setQuantity = operation({
	name: 'Set Quantity',
	value: 'setQuantity',
	action: 'Set the quantity of a payment product',
	description: 'Change how many of the product the payment covers (crm.item.payment.product.setQuantity)',
	method: 'crm.item.payment.product.setQuantity',
	settle: (params) => lookFor(`the quantity of payment product ${String(params.id)} (Bitrix24 reads it back only by its payment: Get Many of Payment Product)`),
	output: [confirm('success')],
	fields: [idAt(paymentProductId, 'id'), quantity],
});
