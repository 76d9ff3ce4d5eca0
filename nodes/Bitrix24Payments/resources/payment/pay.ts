import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from './paymentId';

export const pay: Operation = {
	option: {
		name: 'Mark as Paid',
		value: 'pay',
		action: 'Mark a payment as paid',
		description: 'Set a payment to paid; Bitrix24 stamps the date and the user (crm.item.payment.pay)',
		routing: callMethod('crm.item.payment.pay', confirm('success')),
	},
	fields: [paymentId],
};
