import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentProductId, quantity } from './shared';

export const setQuantity: Operation = {
	option: {
		name: 'Set Quantity',
		value: 'setQuantity',
		action: 'Set the quantity of a payment product',
		description: 'Change how many of the product the payment covers (crm.item.payment.product.setQuantity)',
		routing: callMethod('crm.item.payment.product.setQuantity', confirm('success')),
	},
	fields: [paymentProductId, quantity],
};
