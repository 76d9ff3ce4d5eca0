import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';

export const pay = operation({
	name: 'Mark as Paid',
	value: 'pay',
	action: 'Mark a payment as paid',
	description: 'Set a payment to paid; Bitrix24 stamps the date and the user (crm.item.payment.pay)',
	method: 'crm.item.payment.pay',
	output: [confirm('success')],
	fields: [idAt(paymentId, 'id')],
});
