import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentProductId } from './shared';

export const deletePaymentProduct: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Remove a product from a payment',
		description: 'Remove a product row from the payment (crm.item.payment.product.delete)',
		routing: callMethod('crm.item.payment.product.delete', confirm('deleted')),
	},
	fields: [paymentProductId],
};
