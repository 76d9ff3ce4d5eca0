import type { Operation } from '../../shared/describe';
import { fieldsCollection, listOptions } from '../../shared/fields';
import { callMethod } from '../../shared/transport';

export const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many pay systems',
		description: 'List the pay systems of the portal, all at once (sale.paysystem.list)',
		routing: callMethod('sale.paysystem.list'),
	},
	fields: [
		fieldsCollection({
			name: 'filters',
			displayName: 'Filters',
			sendTo: 'FILTER',
			upperSnakeCase: true,
			specs: [
				{ name: 'active', displayName: 'Active', kind: 'yesNo', description: 'Only active or only inactive pay systems' },
				{ name: 'personTypeId', displayName: 'Person Type ID', kind: 'integer', description: 'Only pay systems for this payer type' },
				{ name: 'custom', displayName: 'Custom Filter (JSON)', kind: 'json', sendAs: '', description: 'More conditions in Bitrix24 filter syntax, e.g. {"%NAME": "card"}' },
			],
		}),
		listOptions({ orderFields: ['ID', 'NAME', 'SORT', 'ACTIVE'], upperSnakeCase: true }),
	],
};
