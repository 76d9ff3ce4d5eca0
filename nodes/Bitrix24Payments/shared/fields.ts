import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
	PreSendAction,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidValueError, show, toDateTimeWithOffset, toFiniteNumber, toPositiveInteger } from '../../validation';

/** How a Bitrix24 field is shown in n8n and checked before it is sent. */
export type FieldKind =
	| 'yesNo'
	| 'yesLoadedNo'
	| 'choice'
	| 'dateTime'
	| 'amount'
	| 'userId'
	| 'integer'
	| 'string'
	| 'secret'
	/** A JSON object, sent as it is under its key, or merged with the others when `sendAs` is ''. */
	| 'json';

export interface FieldSpec {
	/** The Bitrix24 field name in camelCase: the option name saved in workflows. */
	name: string;
	displayName: string;
	kind: FieldKind;
	description: string;
	/** The key Bitrix24 reads, where it is not the name: `>=datePaid` for a "from" filter. */
	sendAs?: string;
	/** The values of a `choice` field. */
	choices?: INodePropertyOptions[];
}

const CHOICES: Partial<Record<FieldKind, INodePropertyOptions[]>> = {
	yesNo: [
		{ name: 'Yes', value: 'Y' },
		{ name: 'No', value: 'N' },
	],
	yesLoadedNo: [
		{ name: 'Yes', value: 'Y' },
		{ name: 'Yes, Loaded With the Order', value: 'F' },
		{ name: 'No', value: 'N' },
	],
};

const DATE_TIME_HINT = {
	propertyHint:
		'An ISO 8601 date and time with its UTC offset, for example 2024-04-10T10:00:00+02:00 (Luxon: toISO()); a value without an offset is read in the workflow\'s time zone, not the portal\'s',
};

function fieldProperty(spec: FieldSpec): INodeProperties {
	const base = { displayName: spec.displayName, name: spec.name, description: spec.description };
	switch (spec.kind) {
		case 'yesNo':
		case 'yesLoadedNo':
			return { ...base, type: 'options', options: CHOICES[spec.kind], default: 'Y' };
		case 'choice':
			return { ...base, type: 'options', options: spec.choices ?? [], default: spec.choices?.[0]?.value ?? '' };
		case 'json':
			return { ...base, type: 'json', default: '{}' };
		case 'dateTime':
			return { ...base, type: 'dateTime', default: '', builderHint: DATE_TIME_HINT };
		case 'amount':
			return { ...base, type: 'number', typeOptions: { numberPrecision: 2 }, default: 0 };
		case 'userId':
		case 'integer':
			return { ...base, type: 'number', typeOptions: { minValue: 1 }, default: 1 };
		case 'secret':
			return { ...base, type: 'string', typeOptions: { password: true }, default: '' };
		default:
			return { ...base, type: 'string', default: '' };
	}
}

function convert(spec: FieldSpec, value: unknown, timeZone: string): unknown {
	switch (spec.kind) {
		case 'yesNo':
		case 'yesLoadedNo': {
			const allowed = (CHOICES[spec.kind] ?? []).map((choice) => choice.value);
			const text = String(value).trim().toUpperCase();
			if (!allowed.includes(text)) {
				throw new InvalidValueError(`${spec.displayName} must be one of ${allowed.join(', ')}, not ${show(value)}`);
			}
			return text;
		}
		case 'choice': {
			const allowed = (spec.choices ?? []).map((choice) => String(choice.value));
			if (!allowed.includes(String(value))) {
				throw new InvalidValueError(`${spec.displayName} must be one of ${allowed.join(', ')}, not ${show(value)}`);
			}
			return value;
		}
		case 'json':
			return toJsonObject(value, spec.displayName);
		case 'dateTime':
			return toDateTimeWithOffset(value, spec.displayName, timeZone);
		case 'amount':
			return toFiniteNumber(value, spec.displayName);
		case 'userId':
		case 'integer':
			return toPositiveInteger(value, spec.displayName);
		default:
			return typeof value === 'string' ? value : String(value);
	}
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text || '{}');
	} catch {
		return NOT_JSON;
	}
}

function toJsonObject(value: unknown, label: string): IDataObject {
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (parsed === NOT_JSON) throw new InvalidValueError(`${label} is not valid JSON`);
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new InvalidValueError(`${label} must be a JSON object, like {"key": "value"}`);
	}
	return parsed as IDataObject;
}

function upperSnake(name: string): string {
	return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * Where Bitrix24 wants a text value: one path (`NAME`), or one per method with `*` for the rest
 * (sale.paysystem.update takes `FIELDS.BX_REST_HANDLER` where its siblings take `BX_REST_HANDLER`), so that one
 * field serves all the operations that share it.
 */
export type SendAs = string | Readonly<Record<string, string>>;

function sendPath(sendAs: SendAs, method: string): string[] {
	const path = typeof sendAs === 'string' ? sendAs : (sendAs[method] ?? sendAs['*']);
	return path.split('.');
}

function setBody(requestOptions: IHttpRequestOptions, path: string[], value: unknown) {
	let target = (requestOptions.body ??= {}) as IDataObject;
	for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as IDataObject;
	target[path[path.length - 1]] = value as IDataObject[string];
}

function invalidInput(ctx: IExecuteSingleFunctions, error: unknown, hint: string): unknown {
	if (!(error instanceof InvalidValueError)) return error;
	return new NodeOperationError(ctx.getNode(), error.message, { itemIndex: ctx.getItemIndex(), description: hint });
}

/**
 * A required id parameter (`paymentId`, `paySystemId`): numbers and numeric strings from expressions alike.
 * An operation names its ids and where its method wants each (operation.ts); the node's runner reads and checks
 * them before anything is sent, so the field itself sends nothing.
 */
export function idField(options: {
	name: string;
	displayName: string;
	description: string;
	/** A `listSearch` method: the id can then be picked from a list loaded from the portal. */
	searchListMethod?: string;
	/** What an AI workflow builder should know about this id, after how every id is given. */
	builderHint?: string;
}): INodeProperties {
	const { name, displayName, description, searchListMethod } = options;
	const given = searchListMethod
		? "A resource locator: mode 'id' with the numeric ID as its value (for example '2'), unless the user picks from the list."
		: 'A numeric Bitrix24 ID (for example 1038), usually mapped from a field of the previous node.';
	const builderHint = { propertyHint: [given, options.builderHint].filter(Boolean).join(' ') };
	const base = { displayName, name, required: true, description, builderHint };
	if (!searchListMethod) return { ...base, type: 'string', default: '', placeholder: 'e.g. 1038' };
	return {
		...base,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 2',
				validation: [{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'Enter a numeric ID' } }],
			},
		],
	};
}

/**
 * A collection of optional Bitrix24 fields, each checked and converted by its kind, sent as one object
 * (`fields: {...}`) or at the top level, in camelCase or in the UPPER_SNAKE that `sale.paysystem.*` wants.
 */
export function fieldsCollection(options: {
	name: string;
	displayName: string;
	specs: FieldSpec[];
	sendTo?: string;
	upperSnakeCase?: boolean;
	/** The button's text: what the user adds ("Add Filter"). */
	placeholder?: string;
}): INodeProperties {
	const { name, displayName, specs, sendTo, upperSnakeCase, placeholder = 'Add Field' } = options;
	const sendFields: PreSendAction = async function (this: IExecuteSingleFunctions, requestOptions) {
		const values = this.getNodeParameter(name, {}) as IDataObject;
		for (const spec of specs) {
			if (!(spec.name in values)) continue;
			let value: unknown;
			try {
				value = convert(spec, values[spec.name], this.getTimezone());
			} catch (error) {
				throw invalidInput(this, error, `Fix "${spec.displayName}" in ${displayName}, or remove it.`);
			}
			const key = spec.sendAs ?? (upperSnakeCase ? upperSnake(spec.name) : spec.name);
			const path = sendTo ? [sendTo, key] : [key];
			if (spec.kind === 'json' && spec.sendAs === '') {
				// Its keys join the others: a custom filter next to the filters above.
				for (const [jsonKey, jsonValue] of Object.entries(value as IDataObject)) {
					setBody(requestOptions, sendTo ? [sendTo, jsonKey] : [jsonKey], jsonValue);
				}
			} else setBody(requestOptions, path, value);
		}
		return requestOptions;
	};
	return {
		displayName,
		name,
		type: 'collection',
		placeholder,
		default: {},
		options: specs.map(fieldProperty).sort((a, b) => a.displayName.localeCompare(b.displayName)),
		routing: { send: { preSend: [sendFields] } },
	};
}

/**
 * The Options of a list operation: sort order, which fields to return, Simplify. Bitrix24 wants `order` and
 * `select` (camelCase methods) or `ORDER` and `SELECT` (`sale.paysystem.*`).
 */
export function listOptions(options: {
	orderFields: string[];
	selectFields?: string[];
	simplify?: boolean;
	upperSnakeCase?: boolean;
}): INodeProperties {
	const { orderFields, selectFields, simplify, upperSnakeCase } = options;
	const key = (name: string) => (upperSnakeCase ? name.toUpperCase() : name);
	const fieldOptions = (fields: string[]) => fields.map((field) => ({ name: field, value: field }));
	const sendOptions: PreSendAction = async function (this: IExecuteSingleFunctions, requestOptions) {
		const values = this.getNodeParameter('options', {}) as IDataObject;
		if (values.orderBy) setBody(requestOptions, [key('order')], { [String(values.orderBy)]: values.orderDirection ?? 'ASC' });
		if (Array.isArray(values.select) && values.select.length) setBody(requestOptions, [key('select')], values.select);
		return requestOptions;
	};
	const [firstField] = orderFields;
	const choices: INodeProperties[] = [
		{
			displayName: 'Sort By',
			name: 'orderBy',
			type: 'options',
			options: fieldOptions(orderFields),
			default: firstField,
			description: 'The field to sort by',
		},
		{
			displayName: 'Sort Direction',
			name: 'orderDirection',
			type: 'options',
			options: [
				{ name: 'Ascending', value: 'ASC' },
				{ name: 'Descending', value: 'DESC' },
			],
			default: 'ASC',
		},
	];
	if (selectFields) {
		choices.push({
			displayName: 'Fields',
			name: 'select',
			type: 'multiOptions',
			options: fieldOptions(selectFields),
			default: [],
			description: 'Only these fields; all when none is chosen',
		});
	}
	if (simplify) {
		choices.push({
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: false,
			description: 'Whether to return only the main fields instead of all of them',
		});
	}
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: choices.sort((a, b) => a.displayName.localeCompare(b.displayName)),
		routing: { send: { preSend: [sendOptions] } },
	};
}

/** A required text parameter, sent trimmed; an empty one fails the item before the request. */
export function textField(options: { name: string; displayName: string; description: string; sendAs: SendAs; placeholder?: string }): INodeProperties {
	const { name, displayName, description, sendAs, placeholder } = options;
	async function sendText(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		const value = String(this.getNodeParameter(name, '') ?? '').trim();
		if (!value) throw invalidInput(this, new InvalidValueError(`${displayName} is empty`), `Fill in ${displayName}.`);
		setBody(requestOptions, sendPath(sendAs, String(requestOptions.url)), value);
		return requestOptions;
	}
	return { displayName, name, type: 'string', required: true, default: '', placeholder, description, routing: { send: { preSend: [sendText] } } };
}

/** A JSON object parameter (pay system settings), parsed and checked before it is sent. */
export function jsonField(options: { name: string; displayName: string; description: string; sendAs: string; required?: boolean }): INodeProperties {
	const { name, displayName, description, sendAs, required } = options;
	async function sendJson(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		try {
			const value = toJsonObject(this.getNodeParameter(name, '{}'), displayName);
			if (required || Object.keys(value).length) setBody(requestOptions, sendAs.split('.'), value);
		} catch (error) {
			throw invalidInput(this, error, `Write ${displayName} as a JSON object, e.g. {"CODE": {"TYPE": "VALUE", "VALUE": "x"}}.`);
		}
		return requestOptions;
	}
	return { displayName, name, type: 'json', required, default: '{}', description, routing: { send: { preSend: [sendJson] } } };
}
