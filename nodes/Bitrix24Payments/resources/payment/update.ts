import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paymentId } from './paymentId';

export const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a payment',
		description: 'Change whether a payment is paid, or its pay system (crm.item.payment.update)',
		routing: callMethod('crm.item.payment.update', confirm('success')),
	},
	fields: [
		paymentId,
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'fields',
			specs: [
				{ name: 'paid', displayName: 'Paid', kind: 'yesNo', description: 'Whether the payment is paid' },
				{ name: 'paySystemId', displayName: 'Pay System ID', kind: 'integer', description: 'ID of the pay system for the payment' },
			],
		}),
	],
};
