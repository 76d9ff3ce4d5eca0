import { fieldsCollection, listOptions } from '../../shared/fields';
import { operation } from '../../shared/operation';

/** The fields sale.paysystem.list may return (RestService::ALLOWED_PAYSYSTEM_FIELDS, LOGOTIP and TARIF by their REST names). */
const LIST_FIELDS = [
	'ID', 'PERSON_TYPE_ID', 'NAME', 'PSA_NAME', 'SORT', 'DESCRIPTION', 'ACTION_FILE', 'RESULT_FILE', 'NEW_WINDOW',
	'TARIFF', 'PS_MODE', 'HAVE_PAYMENT', 'HAVE_ACTION', 'HAVE_RESULT', 'HAVE_PREPAY', 'HAVE_PRICE',
	'HAVE_RESULT_RECEIVE', 'ENCODING', 'LOGOTYPE', 'ACTIVE', 'ALLOW_EDIT_PAYMENT', 'IS_CASH', 'AUTO_CHANGE_1C',
	'CAN_PRINT_CHECK', 'ENTITY_REGISTRY_TYPE', 'XML_ID',
];

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many pay systems',
	description: 'List the pay systems of the portal, all at once (sale.paysystem.list)',
	method: 'sale.paysystem.list',
	fields: [
		fieldsCollection({
			name: 'filters',
			displayName: 'Filters',
			placeholder: 'Add Filter',
			sendTo: 'FILTER',
			upperSnakeCase: true,
			specs: [
				{ name: 'active', displayName: 'Active', kind: 'yesNo', description: 'Only active or only inactive pay systems' },
				{ name: 'personTypeId', displayName: 'Person Type ID', kind: 'integer', description: 'Only pay systems for this payer type' },
				{ name: 'custom', displayName: 'Custom Filter (JSON)', kind: 'json', sendAs: '', description: 'More conditions in Bitrix24 filter syntax, e.g. {"%NAME": "card"}' },
			],
		}),
		listOptions({ orderFields: ['ID', 'NAME', 'SORT', 'ACTIVE'], selectFields: LIST_FIELDS, upperSnakeCase: true }),
	],
});
