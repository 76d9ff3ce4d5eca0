import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { created } from '../../shared/output';
import { bxRestHandler, entityRegistryType, name, paySystemFields, personTypeId } from './shared';
import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Create',
	value: 'create',
	action: 'Create a pay system',
	description: 'Add a pay system that uses a REST handler (sale.paysystem.add)',
	method: 'sale.paysystem.add',
	settle: (params) => lookFor(`a new pay system named "${String(params.NAME)}"`),
	output: [created],
	fields: [
		name,
		idAt(personTypeId, 'PERSON_TYPE_ID'),
		bxRestHandler,
		entityRegistryType,
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'name'),
		}),
	],
});
