import { fieldsCollection } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { created } from '../../shared/output';
import { entityFields, entityName } from './entity';
import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Create',
	value: 'create',
	action: 'Create a payment',
	description: 'Add a payment to a deal or invoice; Bitrix24 creates it unpaid with a sum of 0 (crm.item.payment.add)',
	method: 'crm.item.payment.add',
	settle: (params) => lookFor(`a new payment of ${entityName(params.entityTypeId)} ${String(params.entityId)}`),
	output: [created],
	fields: [
		...entityFields,
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			sendTo: 'fields',
			specs: [{ name: 'paySystemId', displayName: 'Pay System ID', kind: 'integer', description: 'ID of the pay system for the payment' }],
		}),
	],
});
