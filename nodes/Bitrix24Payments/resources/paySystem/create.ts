import type { Operation } from '../../shared/describe';
import { fieldsCollection, textField } from '../../shared/fields';
import { created } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { entityRegistryType, paySystemFields, personTypeId } from './shared';

export const create: Operation = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a pay system',
		description: 'Add a pay system that uses a REST handler (sale.paysystem.add)',
		routing: callMethod('sale.paysystem.add', created),
	},
	fields: [
		textField({ name: 'name', displayName: 'Name', description: 'Name of the pay system', sendAs: 'NAME' }),
		personTypeId,
		textField({ name: 'bxRestHandler', displayName: 'Handler Code', description: 'Code of the REST handler (see Pay System Handler > Get Many)', sendAs: 'BX_REST_HANDLER' }),
		entityRegistryType,
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'name'),
		}),
	],
};
