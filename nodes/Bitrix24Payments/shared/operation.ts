import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Call, Settle } from '../../client/call';

/**
 * What an operation is: the Bitrix24 method it calls, the fields it shows, where the method wants its ids, and
 * how its result becomes output. Operation files describe; the node file runs them (runOperation), so they never
 * reach the request path themselves.
 */

/** Turns the result, already out of Bitrix24's envelope, into the item's output. */
export type OutputStep = (this: IExecuteSingleFunctions, items: INodeExecutionData[], call: Call) => Promise<INodeExecutionData[]>;

/** A read the runner makes after the operation's own call, for the same item, batched with the other items' ones. */
export interface ReadBack {
	/** Whether the item asks for it (an option of the operation). */
	wanted(this: IExecuteSingleFunctions): boolean;
	method: string;
	params(ids: IDataObject): IDataObject;
	/** The item's output once the read answered; throws the item's error when the portal contradicts the write. */
	check(this: IExecuteSingleFunctions, read: unknown, items: INodeExecutionData[], call: Call): INodeExecutionData[];
}

/**
 * A read the runner makes before the operation's call, for the same item, batched with the other items' ones: what
 * the method needs and the user may leave to the portal (Order Payment > Update's current pay system).
 */
export interface ReadFirst {
	/** Whether the item needs it (from its checked ids). */
	wanted(ids: IDataObject): boolean;
	method: string;
	params(ids: IDataObject): IDataObject;
	/** Completes the operation's params with what was read. */
	apply(read: unknown, params: IDataObject): void;
}

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

/** An id parameter of an operation, as the runner reads it. */
export interface IdParameter {
	name: string;
	/** Where the method wants it; none: not sent. */
	path?: string[];
	/** How errors name it: the field's label ("Payment ID", "Pay System ID"). */
	label: string;
	/** A field that is not required may be left empty: the id is then not sent. */
	optional: boolean;
}

export interface Operation {
	/** Its entry in the Operation list. */
	option: INodePropertyOptions & { value: string; action: string };
	method: string;
	/** The fields it shows, in order. */
	fields: INodeProperties[];
	ids: IdParameter[];
	output: OutputStep[];
	readFirst?: ReadFirst;
	readBack?: ReadBack;
	/** For a write: how to find out what it did if its answer is lost (nodes/client/settle.ts), from what it sends. */
	settle?: (params: IDataObject, ids: IDataObject) => Settle;
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
