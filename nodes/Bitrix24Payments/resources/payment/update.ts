import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paymentId } from './paymentId';
import type { IDataObject } from 'n8n-workflow';

import { crmPaymentShows } from '../../shared/settleReads';

export const update = operation({
	name: 'Update',
	value: 'update',
	action: 'Update a payment',
	description: 'Change whether a payment is paid, or its pay system (crm.item.payment.update)',
	method: 'crm.item.payment.update',
	settle: (params) => crmPaymentShows(params.id, (params.fields ?? {}) as IDataObject),
	output: [confirm('success')],
	fields: [
		idAt(paymentId, 'id'),
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
});
