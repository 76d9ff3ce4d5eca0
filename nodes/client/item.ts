import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toPositiveInteger } from '../validation';
import { nextSeat } from './batch';
import type { Call, Settle } from './call';
import { followingCall } from './call';
import { readPages } from './pages';
import { newCall, request, settingsOf } from './request';

/**
 * The action node's one entry into the client: an item's operation in, its output out. The node describes
 * (operation files say which method, where the ids go, how the result becomes output); runItem runs: it checks
 * the item, takes its seat in the node run's batch, reads before and after the write, pages a list, and hands
 * every request to request.ts.
 */

/** Turns the result, already out of Bitrix24's envelope, into the item's output. */
export type OutputStep = (this: IExecuteSingleFunctions, items: INodeExecutionData[], call: Call) => Promise<INodeExecutionData[]>;

/** A read after the operation's own call, for the same item, batched with the other items' ones. */
export interface ReadBack {
	/** Whether the item asks for it (an option of the operation). */
	wanted(this: IExecuteSingleFunctions): boolean;
	method: string;
	params(ids: IDataObject): IDataObject;
	/** The item's output once the read answered; throws the item's error when the portal contradicts the write. */
	check(this: IExecuteSingleFunctions, read: unknown, items: INodeExecutionData[], call: Call): INodeExecutionData[];
}

/**
 * A read before the operation's call, for the same item, batched with the other items' ones: what the method
 * needs and the user may leave to the portal (Order Payment > Update's current pay system).
 */
export interface ReadFirst {
	/** Whether the item needs it (from its checked ids). */
	wanted(ids: IDataObject): boolean;
	method: string;
	params(ids: IDataObject): IDataObject;
	/** Completes the operation's params with what was read. */
	apply(read: unknown, params: IDataObject): void;
}

/** An id parameter of an operation, as runItem reads it. */
export interface IdParameter {
	name: string;
	/** Where the method wants it; none: not sent. */
	path?: string[];
	/** How errors name it: the field's label ("Payment ID", "Pay System ID"). */
	label: string;
	/** A field that is not required may be left empty: the id is then not sent. */
	optional: boolean;
}

/** What runItem needs of an operation. */
export interface ItemOperation {
	method: string;
	/** A list served in pages: the rows under this key of each page's result (methods.ts, `pageRows`). */
	pageRows?: string;
	ids: IdParameter[];
	output: OutputStep[];
	readFirst?: ReadFirst;
	readBack?: ReadBack;
	/** For a write: how to find out what it did if its answer is lost (settle.ts), from what it sends. */
	settle?: (params: IDataObject, ids: IDataObject) => Settle;
}

/**
 * One item, from the body n8n's routing engine built from its fields to its output. The engine runs every item at
 * once: each takes its seat in the node run's next batch before anything else, so that they go out together.
 */
export async function runItem(ctx: IExecuteSingleFunctions, operation: ItemOperation, body: IDataObject): Promise<INodeExecutionData[]> {
	const settings = settingsOf(ctx);
	const batchKey = settings.batch ? `${ctx.getExecutionId()} ${ctx.getNode().name}` : undefined;
	let seat = nextSeat(batchKey);
	const { pageRows } = operation;
	let call: Call | undefined;
	let limit = Infinity;
	try {
		if (pageRows) limit = limitOf(ctx);
		const ids = idsOf(ctx, operation);
		const params = withIds(body, operation, ids);
		call = await newCall(ctx, { method: operation.method, params, ids, itemIndex: ctx.getItemIndex(), settings, batchKey });
	} finally {
		// A call that could not be built (a bad id or Limit, an unusable credential) gives up its seat: the others go on.
		if (!call) seat?.leave();
	}
	const { readFirst } = operation;
	if (readFirst?.wanted(call.ids)) {
		// The item's seat carries the read, so all items' reads share a batch; the call itself takes the next one.
		const read = await request(followingCall(call, readFirst.method, readFirst.params(call.ids)), seat);
		readFirst.apply(read.result, call.params);
		seat = nextSeat(batchKey);
	}
	// What the write sends is complete only now (readFirst may have added to it).
	const { settle } = operation;
	const { params, ids } = call;
	if (settle) call.settle = () => settle(params, ids);
	const answer = pageRows ? { result: await readPages(call, pageRows, limit, seat) } : await request(call, seat);
	let items = toItems(answer.result, call.itemIndex);
	for (const step of operation.output) items = await step.call(ctx, items, call);
	// Its answer was lost, and reading back showed the write applied (settle.ts).
	if ('confirmedByReadBack' in answer && answer.confirmedByReadBack) {
		items = items.map((item) => ({ ...item, json: { ...item.json, confirmedByReadBack: true } }));
	}
	const { readBack } = operation;
	if (readBack?.wanted.call(ctx)) {
		const read = await request(followingCall(call, readBack.method, readBack.params(call.ids)), nextSeat(batchKey));
		items = readBack.check.call(ctx, read.result, items, call);
	}
	return items;
}

/** The ids of the item, checked: a bad one fails the item before anything is sent. */
function idsOf(ctx: IExecuteSingleFunctions, operation: ItemOperation): IDataObject {
	const ids: IDataObject = {};
	for (const { name, label, optional } of operation.ids) {
		const value = ctx.getNodeParameter(name, undefined, { extractValue: true });
		if (optional && (value === undefined || value === null || String(value).trim() === '')) continue;
		try {
			ids[name] = toPositiveInteger(value, label);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
				itemIndex: ctx.getItemIndex(),
				description: 'Use the numeric ID Bitrix24 shows for it, for example 1038.',
			});
		}
	}
	return ids;
}

/** Each id where the method wants it, then the body n8n built from the other fields (ids come first in every form). */
function withIds(body: IDataObject, operation: ItemOperation, ids: IDataObject): IDataObject {
	const params: IDataObject = {};
	for (const { name, path } of operation.ids) {
		if (!path || ids[name] === undefined) continue;
		let target = params;
		for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as IDataObject;
		target[path[path.length - 1]] = ids[name];
	}
	for (const [key, value] of Object.entries(body)) {
		const placed = params[key];
		const bothObjects = [placed, value].every((part) => part !== null && typeof part === 'object' && !Array.isArray(part));
		params[key] = bothObjects ? { ...(placed as IDataObject), ...(value as IDataObject) } : value;
	}
	return params;
}

/** Return All, or the Limit: checked first, since slicing by a bad Limit would silently drop or keep items. */
function limitOf(ctx: IExecuteSingleFunctions): number {
	if (ctx.getNodeParameter('returnAll', false) as boolean) return Infinity;
	try {
		return toPositiveInteger(ctx.getNodeParameter('limit', 50), 'Limit');
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			itemIndex: ctx.getItemIndex(),
			description: 'Set Limit to a whole number of 1 or more, or turn on Return All.',
		});
	}
}

/** Bitrix24's result without its envelope: an object as one item, a list as one item each, anything else as `{result}`. */
function toItems(result: unknown, itemIndex: number): INodeExecutionData[] {
	const pairedItem = { item: itemIndex };
	if (Array.isArray(result)) return result.map((json) => ({ json: json as IDataObject, pairedItem }));
	const json = result !== null && typeof result === 'object' ? (result as IDataObject) : { result };
	return [{ json: json as IDataObject, pairedItem }];
}
