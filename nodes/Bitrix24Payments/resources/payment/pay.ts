import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';
import { crmPaymentShows } from '../../shared/settleReads';

export const pay = operation({
	name: 'Mark as Paid',
	value: 'pay',
	action: 'Mark a payment as paid',
	description: 'Set a payment to paid; Bitrix24 stamps the date and the user (crm.item.payment.pay)',
	method: 'crm.item.payment.pay',
	settle: (params) => crmPaymentShows(params.id, { paid: 'Y' }),
	output: [confirm('success')],
	fields: [idAt(paymentId, 'id')],
});
