import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { paymentProductId } from './shared';

export const deletePaymentProduct = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Remove a product from a payment',
	description: 'Remove a product row from the payment (crm.item.payment.product.delete)',
	method: 'crm.item.payment.product.delete',
	output: [confirm('deleted')],
	fields: [idAt(paymentProductId, 'id')],
});
