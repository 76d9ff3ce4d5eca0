import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { nextSeat } from '../client/batch';
import type { Call } from '../client/call';
import { followingCall } from '../client/call';
import { PAYMENTS_HINT } from '../builderHints';
import { testWebhookConnection } from '../client/connectionTest';
import { methodOf } from '../client/methods';
import { readPages } from '../client/pages';
import { newCall, request, settingsOf } from '../client/request';
import { REQUEST_OPTIONS_PROPERTY } from '../client/requestOptions';
import { toPositiveInteger } from '../validation';
import { orderPaymentResource } from './resources/orderPayment';
import { paymentResource } from './resources/payment';
import { paymentDeliveryResource } from './resources/paymentDelivery';
import { paymentProductResource } from './resources/paymentProduct';
import { paySystemResource } from './resources/paySystem';
import { paySystemHandlerResource } from './resources/paySystemHandler';
import { searchPaySystems } from './shared/listSearch';
import type { Operation } from './shared/operation';
import { operationProperties, resourceProperty, subtitle } from './shared/properties';

const RESOURCES = [
	paymentResource,
	paymentProductResource,
	paymentDeliveryResource,
	orderPaymentResource,
	paySystemResource,
	paySystemHandlerResource,
];

/** Every operation by `resource:operation`. */
const OPERATIONS = new Map(RESOURCES.flatMap((r) => r.operations.map((o) => [`${r.value}:${o.option.value}`, o] as const)));

/** The ids of the item, checked: a bad one fails the item before anything is sent. */
function idsOf(ctx: IExecuteSingleFunctions, operation: Operation): IDataObject {
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
function withIds(body: IDataObject, operation: Operation, ids: IDataObject): IDataObject {
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

/**
 * How an operation runs for one item. n8n's routing engine has built the request body from the fields and hands
 * it here (a declarative node gets its request loop only through `requestOperations.pagination`, so every
 * operation opts in with `send.paginate`); this makes the Call and hands it to the client (nodes/client/request.ts),
 * then turns the result into the item's output. The engine runs it for all items at once: each takes its seat in
 * the node run's next batch before anything else.
 */
async function runOperation(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource') as string;
	const operation = OPERATIONS.get(`${resource}:${this.getNodeParameter('operation') as string}`)!;
	const settings = settingsOf(this);
	const batchKey = settings.batch ? `${this.getExecutionId()} ${this.getNode().name}` : undefined;
	let seat = nextSeat(batchKey);
	const { pageRows } = methodOf(operation.method);
	let call: Call | undefined;
	let limit = Infinity;
	try {
		if (pageRows) limit = limitOf(this);
		const ids = idsOf(this, operation);
		const params = withIds((requestData.options.body ?? {}) as IDataObject, operation, ids);
		call = await newCall(this, { method: operation.method, params, ids, itemIndex: this.getItemIndex(), settings, batchKey });
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
	call.settle = operation.settle?.(call.params, call.ids);
	const answer = pageRows ? { result: await readPages(call, pageRows, limit, seat) } : await request(call, seat);
	let items = toItems(answer.result, call.itemIndex);
	for (const step of operation.output) items = await step.call(this, items, call);
	// Its answer was lost, and reading back showed the write applied (nodes/client/settle.ts).
	if ('confirmedByReadBack' in answer && answer.confirmedByReadBack) {
		items = items.map((item) => ({ ...item, json: { ...item.json, confirmedByReadBack: true } }));
	}
	const { readBack } = operation;
	if (readBack?.wanted.call(this)) {
		const read = await request(followingCall(call, readBack.method, readBack.params(call.ids)), nextSeat(batchKey));
		items = readBack.check.call(this, read.result, items, call);
	}
	return items;
}

export class Bitrix24Payments implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Payments',
		name: 'bitrix24Payments',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle(RESOURCES),
		description: 'Work with Bitrix24 payments: mark them paid, update, list and delete them, pay them through pay systems',
		defaults: { name: 'Bitrix24 Payments' },
		usableAsTool: true,
		builderHint: PAYMENTS_HINT,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'bitrix24PaymentsWebhookApi',
				required: true,
				displayOptions: { show: { authentication: ['webhook'] } },
				testedBy: 'bitrix24WebhookConnection',
			},
			{ name: 'bitrix24PaymentsOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		requestOperations: { pagination: runOperation },
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Webhook', value: 'webhook' },
					{ name: 'OAuth2', value: 'oAuth2' },
				],
				default: 'webhook',
			},
			resourceProperty(RESOURCES, 'payment'),
			...operationProperties(RESOURCES),
			REQUEST_OPTIONS_PROPERTY,
		],
	};

	methods = { listSearch: { searchPaySystems }, credentialTest: { bitrix24WebhookConnection: testWebhookConnection } };
}
