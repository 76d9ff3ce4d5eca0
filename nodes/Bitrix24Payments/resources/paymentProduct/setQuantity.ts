import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentProductId, quantity } from './shared';
import { paymentLineShows } from '../../shared/settleReads';
import { changedLinePaymentId } from '../payment/paymentId';

export const setQuantity = operation({
	name: 'Set Quantity',
	value: 'setQuantity',
	action: 'Set the quantity of a payment product',
	description: 'Change how many of the product the payment covers (crm.item.payment.product.setQuantity)',
	method: 'crm.item.payment.product.setQuantity',
	settle: (params, ids) => paymentLineShows('product', params.id, ids.paymentId, { quantity: params.quantity }),
	output: [confirm('success')],
	fields: [idAt(paymentProductId, 'id'), quantity, idAt(changedLinePaymentId, null)],
});
