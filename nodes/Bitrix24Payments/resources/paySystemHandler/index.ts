import type { Operation } from '../../shared/describe';
import { resourceProperties } from '../../shared/describe';
import { fieldsCollection, idField, jsonField, textField } from '../../shared/fields';
import { confirm, created } from '../../shared/output';
import { callMethod } from '../../shared/transport';

// REST pay system handlers: the code an app registers to process payments (sale.paysystem.handler.*).
const handlerId = idField({ name: 'handlerId', displayName: 'Handler ID', description: 'ID of the handler, as Get Many shows it', sendAs: 'ID' });
const settingsDescription = 'The handler description: {"CURRENCY": ["USD"], "FORM_DATA": {...}, "CODES": {...}}';

const create: Operation = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a pay system handler',
		description: 'Register a REST handler that pay systems can use (sale.paysystem.handler.add)',
		routing: callMethod('sale.paysystem.handler.add', created),
	},
	fields: [
		textField({ name: 'name', displayName: 'Name', description: 'Name of the handler', sendAs: 'NAME' }),
		textField({ name: 'code', displayName: 'Code', description: 'Unique code of the handler', sendAs: 'CODE' }),
		jsonField({ name: 'settings', displayName: 'Settings (JSON)', description: settingsDescription, sendAs: 'SETTINGS', required: true }),
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			upperSnakeCase: true,
			specs: [{ name: 'sort', displayName: 'Sort', kind: 'integer', description: 'Position in lists' }],
		}),
	],
};

const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many pay system handlers',
		description: 'List the REST handlers of the portal (sale.paysystem.handler.list)',
		routing: callMethod('sale.paysystem.handler.list'),
	},
	fields: [],
};

const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a pay system handler',
		description: 'Change a REST handler (sale.paysystem.handler.update)',
		routing: callMethod('sale.paysystem.handler.update', confirm('success')),
	},
	fields: [
		handlerId,
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'FIELDS',
			upperSnakeCase: true,
			specs: [
				{ name: 'name', displayName: 'Name', kind: 'string', description: 'Name of the handler' },
				{ name: 'code', displayName: 'Code', kind: 'string', description: 'Unique code of the handler' },
				{ name: 'sort', displayName: 'Sort', kind: 'integer', description: 'Position in lists' },
				{ name: 'settings', displayName: 'Settings (JSON)', kind: 'json', description: settingsDescription },
			],
		}),
	],
};

const remove: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a pay system handler',
		description: 'Delete a REST handler (sale.paysystem.handler.delete)',
		routing: callMethod('sale.paysystem.handler.delete', confirm('deleted')),
	},
	fields: [handlerId],
};

export const paySystemHandlerProperties = resourceProperties('paySystemHandler', [create, getAll, update, remove], 'getAll');
