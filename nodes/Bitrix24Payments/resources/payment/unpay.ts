import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';
import { crmPaymentShows } from '../../shared/settleReads';

export const unpay = operation({
	name: 'Mark as Unpaid',
	value: 'unpay',
	action: 'Mark a payment as unpaid',
	description: 'Set a payment back to unpaid (crm.item.payment.unpay)',
	method: 'crm.item.payment.unpay',
	settle: (params) => crmPaymentShows(params.id, { paid: 'N' }),
	output: [confirm('success')],
	fields: [idAt(paymentId, 'id')],
});
