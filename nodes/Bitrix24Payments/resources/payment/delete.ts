import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';
import { crmPaymentShows } from '../../shared/settleReads';

export const deletePayment = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete a payment',
	description: 'Delete a payment of a deal or invoice (crm.item.payment.delete)',
	method: 'crm.item.payment.delete',
	settle: (params) => crmPaymentShows(params.id, 'gone'),
	output: [confirm('deleted')],
	fields: [idAt(paymentId, 'id')],
});
