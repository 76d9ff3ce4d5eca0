import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeMethod } from '../../client/methods';
import { idsOf, routeOf } from './operation';
import { toPositiveInteger } from '../../client/validation';
import type { Call } from '../../client/call';
import { followUpCall, newCall } from '../../client/call';
import type { Ticket } from '../../client/coalesce';
import { takeSeat } from '../../client/coalesce';
import { connectionOf } from '../../client/connection';
import { readPages } from '../../client/paging';
import { perform } from '../../client/pipeline';
import { toItems } from '../../client/result';
import { settingsOf } from '../../client/settings';

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
