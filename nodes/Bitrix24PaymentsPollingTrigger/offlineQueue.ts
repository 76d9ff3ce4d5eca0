import type { IDataObject, IHookFunctions, IPollFunctions } from 'n8n-workflow';

import type { Success } from '../client/answer';
import { registry } from '../client/registry';
import { callPortal, connectionOf, newCall, request } from '../client/request';
import { toPositiveInteger } from '../client/validation';
import { bitrix24EventsOf } from '../paymentEvents/events';
import { PaidChanges } from '../paymentEvents/paidChanges';
import type { EventItem } from '../paymentEvents/payments';
import { readPayments } from '../paymentEvents/payments';

/**
 * OAuth2: the portal's offline event queue. Activating the workflow binds the payment events offline under a source
 * key of the node's own (`auth_connector`), deactivating it unbinds them, and stopping n8n leaves them, so what is
 * paid meanwhile waits in the queue. The portal keeps one queue per node: two workflows on one app each get every
 * event, and changes the app itself makes through Bitrix24 Payments are queued too (the portal skips only those made
 * with the same key). Each look reserves what is queued (`clear=0`) and clears it at the next look, once n8n has
 * started the runs; a reservation that a crash left behind is found again with `event.offline.list`. Where the
 * portal's plan lacks the extended queue, records are read and deleted at once (`clear=1`).
 */

/** Records per `event.offline.get`; a longer queue takes more requests of the same look. The portal sets no cap. */
export const RECORDS_PER_READ = 1000;

/** What the node keeps in its static data: the reservations n8n has been given the runs of. */
interface QueueState extends IDataObject {
	reserved?: string[];
}

/** One record of the queue, as `event.offline.get` and `event.offline.list` return it. */
interface QueueRecord {
	ID: string;
	TIMESTAMP_X: string;
	EVENT_NAME: string;
	EVENT_DATA?: { FIELDS?: { ID?: unknown } };
	PROCESS_ID?: string;
}

/** The source key of this node's queue: the workflow and the node's own id (a rename keeps it). */
export function connectorOf(ctx: IPollFunctions | IHookFunctions): string {
	return `n8n_${ctx.getWorkflow().id ?? ''}_${ctx.getNode().id}`.replace(/[^A-Za-z0-9_-]/g, '');
}

type Queue = (method: string, params?: IDataObject) => Promise<unknown>;

function queueOf(ctx: IPollFunctions | IHookFunctions): Queue {
	const connector = connectorOf(ctx);
	return async (method, params = {}) => await callPortal(ctx, method, { ...params, auth_connector: connector });
}

/** The events bound offline under this node's source key, as `event.get` lists the app's bindings. */
async function boundEvents(ctx: IHookFunctions): Promise<string[]> {
	const connector = connectorOf(ctx);
	const bindings = ((await callPortal(ctx, 'event.get', {})) ?? []) as IDataObject[];
	return bindings
		.filter((binding) => Number(binding.offline) === 1 && binding.connector_id === connector)
		.map((binding) => String(binding.event).toUpperCase());
}

/** What activation has to change: the chosen events' bindings this node's queue lacks, and the ones it no longer needs. */
async function queueChanges(ctx: IHookFunctions): Promise<{ toBind: string[]; toUnbind: string[] }> {
	const bound = await boundEvents(ctx);
	const wanted: string[] = bitrix24EventsOf(ctx.getNodeParameter('events', []) as string[]);
	return { toBind: wanted.filter((event) => !bound.includes(event)), toUnbind: bound.filter((event) => !wanted.includes(event)) };
}

/** Activation asks first: true when this node's queue has exactly the bindings its events need. */
export async function isQueueBound(ctx: IHookFunctions): Promise<boolean> {
	const { toBind, toUnbind } = await queueChanges(ctx);
	return toBind.length === 0 && toUnbind.length === 0;
}

/** Activation: binds offline what the chosen events need and the queue lacks, unbinds what they no longer need. */
export async function bindQueue(ctx: IHookFunctions): Promise<boolean> {
	const queue = queueOf(ctx);
	const { toBind, toUnbind } = await queueChanges(ctx);
	for (const event of toBind) await queue('event.bind', { event, event_type: 'offline' });
	for (const event of toUnbind) await queue('event.unbind', { event, event_type: 'offline' });
	return true;
}

/** Deactivation: unbinds exactly this node's bindings, so its queue stops filling while the workflow is off. */
export async function unbindQueue(ctx: IHookFunctions): Promise<boolean> {
	const queue = queueOf(ctx);
	for (const event of await boundEvents(ctx)) await queue('event.unbind', { event, event_type: 'offline' });
	return true;
}

/** Whether the portal reserves records until they are cleared (`rest_offline_extended`); asked once per process. */
async function offersReservations(ctx: IPollFunctions, queue: Queue): Promise<boolean> {
	const { portal } = await connectionOf(ctx);
	let offered = registry.offlineExtended.get(portal);
	if (offered === undefined) {
		offered = ((await queue('feature.get', { CODE: 'rest_offline_extended' })) as IDataObject | undefined)?.value === 'Y';
		registry.offlineExtended.set(portal, offered);
	}
	return offered;
}

/** Every reservation of this node's queue that is not cleared (one a crash left behind, or the last look's). */
async function reservations(ctx: IPollFunctions): Promise<string[]> {
	const processIds = new Set<string>();
	for (let start: number | undefined = 0; start !== undefined; ) {
		const call = await newCall(ctx, {
			method: 'event.offline.list',
			params: { filter: { '!=PROCESS_ID': '' }, order: { ID: 'ASC' }, start, auth_connector: connectorOf(ctx) },
		});
		const page: Success = await request(call);
		for (const record of (page.result ?? []) as QueueRecord[]) if (record.PROCESS_ID) processIds.add(record.PROCESS_ID);
		start = page.next;
	}
	return [...processIds];
}

/** Reads records until the queue has no more: reserved under new process ids, or deleted as read. */
async function drain(queue: Queue, reserve: boolean, state: QueueState): Promise<QueueRecord[]> {
	const records: QueueRecord[] = [];
	for (;;) {
		const read = (await queue('event.offline.get', { limit: RECORDS_PER_READ, ...(reserve ? { clear: 0 } : {}) })) as {
			process_id?: string | null;
			events?: QueueRecord[];
		};
		const events = read?.events ?? [];
		if (reserve && read?.process_id && events.length > 0) state.reserved = [...(state.reserved ?? []), read.process_id];
		records.push(...events);
		if (events.length < RECORDS_PER_READ) return records;
	}
}

/**
 * One look: clears what the previous look reserved (n8n has started its runs), takes up any reservation left
 * behind, reads the queue to the end and turns its records into items. When the workflow has just been switched
 * on, what the queue holds from before (read before it was switched off) is dropped instead.
 */
export async function lookAtQueue(ctx: IPollFunctions, chosen: string[], switchedOn: boolean): Promise<EventItem[]> {
	const state = ctx.getWorkflowStaticData('node') as QueueState;
	const queue = queueOf(ctx);
	for (const processId of state.reserved ?? []) await queue('event.offline.clear', { process_id: processId });
	state.reserved = [];
	const reserve = await offersReservations(ctx, queue);
	const leftBehind = reserve ? await reservations(ctx) : [];
	if (switchedOn) {
		for (const processId of leftBehind) await queue('event.offline.clear', { process_id: processId });
		await drain(queue, false, state);
		return [];
	}
	const records: QueueRecord[] = [];
	for (const processId of leftBehind) {
		const read = (await queue('event.offline.get', { process_id: processId, clear: 0, limit: RECORDS_PER_READ })) as { events?: QueueRecord[] };
		records.push(...(read?.events ?? []));
		state.reserved = [...(state.reserved ?? []), processId];
	}
	records.push(...(await drain(queue, reserve, state)));
	const paidChanges = new PaidChanges(`${ctx.getWorkflow().id ?? ''} ${ctx.getNode().id} poll`, state);
	return await itemsOf(ctx, records, chosen, (payment) => paidChanges.tell(payment));
}

/** "Fetch Test Event": the newest record of the queue that makes an item, read without reserving or clearing. */
export async function latestQueued(ctx: IPollFunctions, chosen: string[]): Promise<EventItem | undefined> {
	const newest = (await queueOf(ctx)('event.offline.list', { order: { TIMESTAMP_X: 'DESC', ID: 'DESC' } })) as QueueRecord[] | undefined;
	for (const record of newest ?? []) {
		// A test shows a paid payment as paid, whatever the active workflow has told.
		const [item] = await itemsOf(ctx, [record], chosen, (payment) => payment.paid === 'Y');
		if (item) return item;
	}
	return undefined;
}

/**
 * Records as items: the newest record of each payment and event (a payment reserved and changed again has two),
 * oldest first; saved payments read from the portal (batched), where paid or not is decided.
 */
async function itemsOf(
	ctx: IPollFunctions,
	records: QueueRecord[],
	chosen: string[],
	becamePaid: (payment: IDataObject) => boolean,
): Promise<EventItem[]> {
	const newest = new Map<string, { event: string; paymentId: number; ts: number; id: number }>();
	for (const record of records) {
		const event = String(record.EVENT_NAME).toUpperCase();
		let paymentId: number;
		try {
			paymentId = toPositiveInteger(record.EVENT_DATA?.FIELDS?.ID, 'id');
		} catch {
			continue;
		}
		const ts = Math.floor(Date.parse(record.TIMESTAMP_X) / 1000);
		const seen = newest.get(`${event} ${paymentId}`);
		if (!seen || ts >= seen.ts) newest.set(`${event} ${paymentId}`, { event, paymentId, ts, id: Number(record.ID) });
	}
	const ordered = [...newest.values()].sort((a, b) => a.ts - b.ts || a.id - b.id);
	const saved = ordered.filter((record) => record.event === 'ONPAYMENTENTITYSAVED').map((record) => record.paymentId);
	const payments = saved.length > 0 ? await readPayments(ctx, saved) : new Map();
	const { portal: domain } = await connectionOf(ctx);
	const items: EventItem[] = [];
	for (const { event, paymentId, ts } of ordered) {
		if (event === 'ONPAYMENTDELETED') {
			if (chosen.includes(event)) items.push({ event, paymentId, ts, domain });
			continue;
		}
		const read = payments.get(paymentId)!;
		if ('error' in read) {
			items.push({ event, paymentId, ts, domain, error: read.error });
			continue;
		}
		const paid = becamePaid(read.payment);
		if (chosen.includes('ONPAYMENTENTITYSAVED') || (paid && chosen.includes('paymentPaid'))) {
			items.push({ event, paymentId, ts, domain, payment: read.payment });
		}
	}
	return items;
}
