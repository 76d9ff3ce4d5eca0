import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { entityFields } from './entity';

export const create: Operation = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a payment',
		description: 'Add a payment to a deal or invoice; Bitrix24 creates it unpaid with a sum of 0 (crm.item.payment.add)',
		routing: callMethod('crm.item.payment.add', created),
	},
	fields: [
		...entityFields,
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			sendTo: 'fields',
			specs: [{ name: 'paySystemId', displayName: 'Pay System ID', kind: 'integer', description: 'ID of the pay system for the payment' }],
		}),
	],
};
