import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { Operation } from './describe';
import { idPath, valueAt } from './fields';
import type { Call } from '../../client/call';

/** How an operation turns its Bitrix24 result into output items, after the envelope is gone. */
export type OutputStep = (
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	call: Call,
) => Promise<INodeExecutionData[]>;

/** What the request stage needs to know of the operation behind a method: its ids and its output steps. */
interface Route {
	ids: Array<{ name: string; path: string[] }>;
	output: OutputStep[];
}

// Every operation calls its own method, so the method names the route.
const ROUTES = new Map<string, Route>();

/**
 * One operation of a resource: its entry in the Operation list, the Bitrix24 method it calls, the fields it
 * shows and how its result becomes output. n8n's routing engine builds the request body from the fields;
 * every request runs through the node's request pipeline (`requestOperations.pagination`, `send.paginate`).
 */
export function operation(spec: {
	name: string;
	value: string;
	action: string;
	description: string;
	method: string;
	fields: INodeProperties[];
	output?: OutputStep[];
}): Operation {
	const { name, value, action, description, method, fields, output = [] } = spec;
	const ids = fields.flatMap((field) => {
		const path = idPath(field, method);
		return path ? [{ name: field.name, path }] : [];
	});
	ROUTES.set(method.toLowerCase(), { ids, output });
	return {
		option: { name, value, action, description, routing: { request: { method: 'POST', url: method }, send: { paginate: true } } },
		fields,
	};
}

export function routeOf(method: string): Route {
	return ROUTES.get(method.toLowerCase()) ?? { ids: [], output: [] };
}

/** The ids of a call, read back from the body where its fields put them, already validated. */
export function idsOf(method: string, params: IDataObject): IDataObject {
	const ids: IDataObject = {};
	for (const { name, path } of routeOf(method).ids) {
		const value = valueAt(params, path);
		if (typeof value === 'number') ids[name] = value;
	}
	return ids;
}
