import { fieldsCollection } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { handlerId, SETTINGS_DESCRIPTION } from './shared';
import { handlerShows, plainFields } from '../../shared/settleReads';

export const update = operation({
	name: 'Update',
	value: 'update',
	action: 'Update a pay system handler',
	description: 'Change a REST handler (sale.paysystem.handler.update)',
	method: 'sale.paysystem.handler.update',
	settle: (params) => handlerShows(params.ID, plainFields(params.FIELDS)),
	output: [confirm('success')],
	fields: [
		idAt(handlerId, 'ID'),
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'FIELDS',
			upperSnakeCase: true,
			specs: [
				{ name: 'name', displayName: 'Name', kind: 'string', description: 'Name of the handler' },
				{ name: 'code', displayName: 'Code', kind: 'string', description: 'Unique code of the handler' },
				{ name: 'sort', displayName: 'Sort', kind: 'integer', description: 'Position in lists' },
				{ name: 'settings', displayName: 'Settings (JSON)', kind: 'json', description: SETTINGS_DESCRIPTION },
			],
		}),
	],
});
