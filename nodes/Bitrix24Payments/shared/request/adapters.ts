import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeMethod } from '../methods';
import { idsOf, routeOf } from '../operation';
import { toPositiveInteger } from '../validation';
import type { Call } from './call';
import { followUpCall, newCall } from './call';
import type { Ticket } from './coalesce';
import { takeSeat } from './coalesce';
import type { PortalContext } from './connection';
import { connectionOf } from './connection';
import { readPages } from './paging';
import { perform } from './pipeline';
import { toItems } from './result';
import type { RequestSettings } from './settings';
import { requestSettingsOf } from './settings';

function settingsOf(ctx: PortalContext): RequestSettings {
	let options: unknown;
	try {
		options = ctx.getNodeParameter('requestOptions', {});
	} catch {
		options = {};
	}
	return requestSettingsOf(options);
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

/**
 * The request runner of every operation. n8n's routing engine hands a node its request loop only through
 * `requestOperations.pagination`, so every operation opts in (`send.paginate`). It runs for all items at once:
 * each takes its seat in the node run's next batch before anything else, then builds its call.
 */
export async function executeRequest(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const method = String(requestData.options.url ?? '');
	const settings = settingsOf(this);
	const batchKey = settings.batch ? `${this.getExecutionId()} ${this.getNode().name}` : undefined;
	const ticket = batchKey ? takeSeat(batchKey) : undefined;
	let call: Call | undefined;
	let limit = Infinity;
	const { pageRows } = describeMethod(method);
	try {
		if (pageRows) limit = limitOf(this);
		const params = (requestData.options.body ?? {}) as IDataObject;
		const connection = await connectionOf(this);
		const ids = idsOf(method, params);
		call = newCall({ method, params, connection, settings, ids, itemIndex: this.getItemIndex(), context: this, batchKey });
	} finally {
		// A call that could not be built (bad Limit, unusable credential) gives up its seat: the others go on.
		if (!call) ticket?.leave();
	}
	const result = pageRows ? await readPages(call, pageRows, limit, ticket) : (await perform(call, ticket)).result;
	let items = toItems(result, call.itemIndex);
	for (const step of routeOf(method).output) items = await step.call(this, items, call);
	return items;
}

/** A call made for an item after its own (re-reading what it changed), batched with the other items' ones. */
export async function followUp(call: Call, method: string, params: IDataObject): Promise<unknown> {
	const next = followUpCall(call, method, params);
	const ticket: Ticket | undefined = next.batchKey ? takeSeat(next.batchKey) : undefined;
	return (await perform(next, ticket)).result;
}

/**
 * A call outside the routing engine (the pay system picker, the trigger's subscriptions and reads): same
 * credential, pacing, retries and errors, sent alone.
 */
export async function callPortal(
	ctx: PortalContext,
	method: string,
	params: IDataObject,
	ids: IDataObject = {},
): Promise<unknown> {
	const connection = await connectionOf(ctx);
	const call = newCall({ method, params, connection, settings: settingsOf(ctx), ids, itemIndex: 0, context: ctx });
	return (await perform(call)).result;
}
