import { fieldsCollection, jsonField, textField } from '../../shared/fields';
import { created } from '../../shared/output';
import { operation } from '../../shared/operation';
import { name } from '../paySystem/shared';
import { SETTINGS_DESCRIPTION } from './shared';
import { lookFor } from '../../shared/settleReads';

export const create = operation({
	name: 'Create',
	value: 'create',
	action: 'Create a pay system handler',
	description: 'Register a REST handler that pay systems can use (sale.paysystem.handler.add)',
	method: 'sale.paysystem.handler.add',
	settle: (params) => lookFor(`a new pay system handler with the code "${String(params.CODE)}"`),
	output: [created],
	fields: [
		name,
		textField({ name: 'code', displayName: 'Code', description: 'Unique code of the handler', sendAs: 'CODE' }),
		jsonField({ name: 'settings', displayName: 'Settings (JSON)', description: SETTINGS_DESCRIPTION, sendAs: 'SETTINGS', required: true }),
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			upperSnakeCase: true,
			specs: [{ name: 'sort', displayName: 'Sort', kind: 'integer', description: 'Position in lists' }],
		}),
	],
});
