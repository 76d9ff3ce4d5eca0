import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { ItemOperation, OutputStep, ReadBack, ReadFirst } from '../../client/item';
import { methodOf } from '../../client/methods';

/**
 * What an operation is: the Bitrix24 method it calls, the fields it shows, where the method wants its ids, and
 * how its result becomes output. Operation files describe; the client runs them (client/item.ts), so they never
 * reach the request path themselves.
 */

/**
 * An id field of an operation and where its method wants the id: `id`, `PAYMENT_ID`, `fields.paySystemId`; `null`
 * for an optional id the method does not take, read only to settle a lost answer (a line's payment).
 */
export interface IdAt {
	field: INodeProperties;
	at: string | null;
}

/** An id field (idField) as an operation uses it: `idAt(paymentId, 'id')`. */
export function idAt(field: INodeProperties, at: string | null): IdAt {
	return { field, at };
}

/** An operation: what the client runs for an item (client/item.ts), and how the editor shows it. */
export interface Operation extends ItemOperation {
	/** Its entry in the Operation list. */
	option: INodePropertyOptions & { value: string; action: string };
	/** The fields it shows, in order. */
	fields: INodeProperties[];
}

/** One resource: its entry in the Resource list and its operations. */
export interface Resource {
	value: string;
	name: string;
	description: string;
	/** What an AI workflow builder should know when it chooses this resource. */
	builderHint?: string;
	operations: Operation[];
	defaultOperation: string;
}

export function resource(
	value: string,
	label: { name: string; description: string; builderHint?: string },
	operations: Operation[],
	defaultOperation: string,
): Resource {
	return { value, ...label, operations, defaultOperation };
}

/**
 * One operation of a resource. n8n's routing engine builds the request body from the fields; an id field comes as
 * `idAt(field, where)`, and the runner reads and checks it and puts it on the call and where the method wants it.
 * Every request runs through the node's runner (`requestOperations.pagination`, `send.paginate`).
 */
export function operation(spec: {
	name: string;
	value: string;
	action: string;
	description: string;
	method: string;
	fields: Array<INodeProperties | IdAt>;
	output?: OutputStep[];
	readFirst?: ReadFirst;
	readBack?: ReadBack;
	settle?: Operation['settle'];
}): Operation {
	const { name, value, action, description, method, fields, output = [], readFirst, readBack, settle } = spec;
	const idsAt = fields.filter((field): field is IdAt => 'at' in field);
	return {
		option: { name, value, action, description, routing: { request: { method: 'POST', url: method }, send: { paginate: true } } },
		method,
		pageRows: methodOf(method).pageRows,
		fields: fields.map((field) => ('at' in field ? field.field : field)),
		ids: idsAt.map(({ field, at }) => ({
			name: field.name,
			path: at?.split('.'),
			// A picker is named after the thing ("Pay System"); what it must hold is its ID.
			label: field.type === 'resourceLocator' ? `${field.displayName} ID` : field.displayName,
			optional: field.required !== true,
		})),
		output,
		readFirst,
		readBack,
		settle,
	};
}
