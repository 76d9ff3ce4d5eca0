import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { bxRestHandler, entityRegistryType, name, paySystemFields, personTypeId } from './shared';

export const create: Operation = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a pay system',
		description: 'Add a pay system that uses a REST handler (sale.paysystem.add)',
		routing: callMethod('sale.paysystem.add', created),
	},
	fields: [
		name,
		personTypeId,
		bxRestHandler,
		entityRegistryType,
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'name'),
		}),
	],
};
