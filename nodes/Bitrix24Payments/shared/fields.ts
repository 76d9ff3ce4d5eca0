import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
	PreSendAction,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidValueError, show, toDateTimeWithOffset, toFiniteNumber, toPositiveInteger } from './validation';

/** How a Bitrix24 field is shown in n8n and checked before it is sent. */
export type FieldKind = 'yesNo' | 'yesLoadedNo' | 'dateTime' | 'amount' | 'userId' | 'integer' | 'string' | 'secret';

export interface FieldSpec {
	/** The Bitrix24 field name in camelCase: the option name saved in workflows. */
	name: string;
	displayName: string;
	kind: FieldKind;
	description: string;
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

function fieldProperty(spec: FieldSpec): INodeProperties {
	const base = { displayName: spec.displayName, name: spec.name, description: spec.description };
	switch (spec.kind) {
		case 'yesNo':
		case 'yesLoadedNo':
			return { ...base, type: 'options', options: CHOICES[spec.kind], default: 'Y' };
		case 'dateTime':
			return { ...base, type: 'dateTime', default: '' };
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

function upperSnake(name: string): string {
	return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
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

/** A required id parameter (`paymentId`, `paySystemId`): numbers and numeric strings from expressions alike. */
export function idField(options: {
	name: string;
	displayName: string;
	description: string;
	/** Where Bitrix24 wants it: `id`, `PAYMENT_ID`, `fields.paySystemId`. */
	sendAs: string;
}): INodeProperties {
	const { name, displayName, description, sendAs } = options;
	async function sendId(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		try {
			setBody(requestOptions, sendAs.split('.'), toPositiveInteger(this.getNodeParameter(name), displayName));
		} catch (error) {
			throw invalidInput(this, error, `Use the numeric ID Bitrix24 shows for it, for example 1038.`);
		}
		return requestOptions;
	}
	return {
		displayName,
		name,
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 1038',
		description,
		routing: { send: { preSend: [sendId] } },
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
}): INodeProperties {
	const { name, displayName, specs, sendTo, upperSnakeCase } = options;
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
			const key = upperSnakeCase ? upperSnake(spec.name) : spec.name;
			setBody(requestOptions, sendTo ? [sendTo, key] : [key], value);
		}
		return requestOptions;
	};
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: specs.map(fieldProperty).sort((a, b) => a.displayName.localeCompare(b.displayName)),
		routing: { send: { preSend: [sendFields] } },
	};
}
