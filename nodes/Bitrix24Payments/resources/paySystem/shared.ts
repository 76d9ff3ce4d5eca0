import type { INodeProperties } from 'n8n-workflow';

import type { FieldSpec } from '../../shared/fields';
import { idField, jsonField, textField } from '../../shared/fields';

/** Where sale.paysystem.update wants a field that its siblings take at the top. */
const UPDATE = 'sale.paysystem.update';

/**
 * `sale.paysystem.*` wants UPPER_SNAKE names; the n8n names stay camelCase (the node converts). The methods
 * that act on a pay system call it `ID`, those that pay with one `PAY_SYSTEM_ID`.
 */
export const paySystemId = idField({
	name: 'paySystemId',
	displayName: 'Pay System',
	description: "The pay system: from the portal's list, which offers only the pay systems this operation can use, or by ID",
	searchListMethod: 'searchPaySystems',
});

/** The payment that Pay Payment pays and whose settings Get Payment Settings reads. */
export const paymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment; it must use the pay system below',
	builderHint:
		"The payment's own ID (a trigger item's paymentId, an Order Payment Get Many item's id), not the ID the payment service gave it",
});

export const personTypeId = idField({
	name: 'personTypeId',
	displayName: 'Person Type ID',
	description:
		'ID of the payer type (individual, company ...) the pay system serves or its settings are for; to update a pay system, its current one, which must belong to what the pay system is used for',
});

/** The portal checks it on every add and update: without it the answer is "Handler not found". */
export const bxRestHandler = textField({
	name: 'bxRestHandler',
	displayName: 'Handler Code',
	description: 'Code of the REST handler the pay system runs (see Pay System Handler > Get Many); to update a pay system, its current code',
	sendAs: { '*': 'BX_REST_HANDLER', [UPDATE]: 'FIELDS.BX_REST_HANDLER' },
});

/** The name of a new pay system or pay system handler. */
export const name = textField({ name: 'name', displayName: 'Name', description: 'Name as users will see it', sendAs: 'NAME' });

export const settings = jsonField({
	name: 'settings',
	displayName: 'Settings (JSON)',
	description: 'The settings as Bitrix24 stores them: {"CODE": {"TYPE": "VALUE", "VALUE": "..."}}',
	sendAs: 'SETTINGS',
	required: true,
});

/**
 * What a new pay system pays (ENTITY_REGISTRY_TYPE, required by sale.paysystem.add). Left out, the portal
 * takes the old CRM invoices, whose payer types are not the orders' ones: "Incorrect person type id!".
 */
export const entityRegistryType: INodeProperties = {
	displayName: 'Used For',
	name: 'entityRegistryType',
	type: 'options',
	required: true,
	options: [
		{ name: 'Orders, Deals and Smart Processes', value: 'ORDER' },
		{ name: 'CRM Invoices (Old)', value: 'CRM_INVOICE' },
		{ name: 'CRM Quotes', value: 'CRM_QUOTE' },
	],
	default: 'ORDER',
	description: 'What the pay system pays; the Person Type ID must be a payer type of the same kind',
	routing: { send: { type: 'body', property: 'ENTITY_REGISTRY_TYPE' } },
};

/**
 * The optional fields of a pay system: Create's Additional Fields (the name is required there), Update's Update
 * Fields (all but the settings: sale.paysystem.update does not read them, Update Settings changes them).
 */
export const paySystemFields: FieldSpec[] = [
	{ name: 'name', displayName: 'Name', kind: 'string', description: 'Name of the pay system' },
	{ name: 'description', displayName: 'Description', kind: 'string', description: 'Description shown to buyers' },
	{ name: 'active', displayName: 'Active', kind: 'yesNo', description: 'Whether buyers can use it' },
	{ name: 'newWindow', displayName: 'Open in New Window', kind: 'yesNo', description: 'Whether the payment page opens in a new window' },
	{ name: 'xmlId', displayName: 'External ID', kind: 'string', description: 'External identifier of the pay system' },
	{ name: 'logotype', displayName: 'Logo (Base64)', kind: 'string', description: 'The logo image, base64-encoded' },
	{ name: 'settings', displayName: 'Settings (JSON)', kind: 'json', description: 'The handler settings: {"CODE": {"TYPE": "VALUE", "VALUE": "..."}}' },
];
