import type { INodeProperties } from 'n8n-workflow';

import type { FieldSpec } from '../../shared/fields';
import { idField, jsonField } from '../../shared/fields';

/** `sale.paysystem.*` wants UPPER_SNAKE names; the n8n names stay camelCase (the node converts). */
export function paySystemId(sendAs = 'ID'): INodeProperties {
	return idField({
		name: 'paySystemId',
		displayName: 'Pay System',
		description: 'The pay system, from the portal\'s list or by ID',
		sendAs,
		searchListMethod: 'searchPaySystems',
	});
}

export const personTypeId = idField({
	name: 'personTypeId',
	displayName: 'Person Type ID',
	description: 'ID of the payer type (individual, company ...) the settings are for',
	sendAs: 'PERSON_TYPE_ID',
});

export const settings = jsonField({
	name: 'settings',
	displayName: 'Settings (JSON)',
	description: 'The settings as Bitrix24 stores them: {"CODE": {"TYPE": "VALUE", "VALUE": "..."}}',
	sendAs: 'SETTINGS',
	required: true,
});

/** The fields of a pay system, for Create and Update. */
export const paySystemFields: FieldSpec[] = [
	{ name: 'name', displayName: 'Name', kind: 'string', description: 'Name of the pay system' },
	{ name: 'description', displayName: 'Description', kind: 'string', description: 'Description shown to buyers' },
	{ name: 'active', displayName: 'Active', kind: 'yesNo', description: 'Whether buyers can use it' },
	{ name: 'personTypeId', displayName: 'Person Type ID', kind: 'integer', description: 'ID of the payer type it serves' },
	{ name: 'bxRestHandler', displayName: 'Handler Code', kind: 'string', description: 'Code of the REST handler that processes its payments' },
	{
		name: 'entityRegistryType',
		displayName: 'Used For',
		kind: 'choice',
		choices: [
			{ name: 'Orders', value: 'ORDER' },
			{ name: 'CRM Invoices', value: 'CRM_INVOICE' },
			{ name: 'CRM Quotes', value: 'CRM_QUOTE' },
		],
		description: 'What the pay system pays: orders, CRM invoices or quotes',
	},
	{ name: 'newWindow', displayName: 'Open in New Window', kind: 'yesNo', description: 'Whether the payment page opens in a new window' },
	{ name: 'xmlId', displayName: 'External ID', kind: 'string', description: 'External identifier of the pay system' },
	{ name: 'logotype', displayName: 'Logo (Base64)', kind: 'string', description: 'The logo image, base64-encoded' },
	{ name: 'settings', displayName: 'Settings (JSON)', kind: 'json', description: 'The handler settings: {"CODE": {"TYPE": "VALUE", "VALUE": "..."}}' },
];
