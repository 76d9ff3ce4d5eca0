import type { IDataObject, IHookFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Success } from '../client/answer';
import { callPortal, connectionOf, newCall, request } from '../client/request';
import { toPositiveInteger } from '../validation';
import { bitrix24EventsOf, readsPayment } from '../paymentEvents/events';
import { triggerMemory } from '../paymentEvents/memory';
import { PaidChanges } from '../paymentEvents/paidChanges';
import type { EventItem, PaymentRead } from '../paymentEvents/payments';
import { itemOfEvent, readPayments } from '../paymentEvents/payments';

/**
 * OAuth2: the portal's offline event queue. Activating the workflow binds the payment events offline, deactivating
 * it unbinds them, and stopping n8n leaves them, so what is paid meanwhile waits in the queue. What the queue can do
 * depends on the portal's plan (rest module: Event::isExtendedModeEnabled, CRestServer::canUseConnectors), asked
 * with feature.get once per process:
 * - source keys (`rest_auth_connector`): the events are bound under a key of the node's own (`auth_connector`), so
 *   the portal keeps one queue per node: two workflows on one app each get every event, and changes the app itself
 *   makes through Bitrix24 Payments are queued too (the portal skips only those made with the same key). Without
 *   them no call may carry a key (403 WRONG_LICENSE) and the app has one queue, which two readers would split: the
 *   first workflow to bind it owns it, and a second is refused at activation;
 * - reservations (`rest_offline_extended`): each look reserves what is queued (`clear=0`) and clears it at the next
 *   look, once n8n has started the runs; a reservation that a crash left behind is found again with
 *   `event.offline.list` (`>PROCESS_ID` '': the portal's filters take no negation). Without them records are read
 *   and deleted at once (`clear=1`).
 * A self-hosted portal has both, though its feature.get answers neither Y nor N.
 */

/** Records per `event.offline.get`; a longer queue takes more requests of the same look. The portal sets no cap. */
export const RECORDS_PER_READ = 1000;

/** What the node keeps in its static data. */
interface QueueState extends IDataObject {
	/** The records whose runs n8n has been given (or that make none), by `ID@TIMESTAMP_X`: read again, they start nothing. */
	started?: string[];
	/** Without source keys: this node bound the app's one queue, so it is its reader. */
	ownsAppQueue?: boolean;
}

/** What the portal's plan lets the queue use. */
export interface QueuePlan {
	/** Records reserved until cleared (`clear=0`). */
	reservations: boolean;
	/** A queue per source key (`auth_connector`). */
	sourceKeys: boolean;
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
export function connectorOf(ctx: Context): string {
	return `n8n_${ctx.getWorkflow().id ?? ''}_${ctx.getNode().id}`.replace(/[^A-Za-z0-9_-]/g, '');
}

type Context = IPollFunctions | IHookFunctions;

/**
 * feature.get's answer as the plan's: Y or N on a cloud portal; anything else comes from a portal without the
 * bitrix24 module (self-hosted: `en_selfhosted`), whose rest module skips the plan checks.
 */
const allowed = (answer: unknown): boolean => (answer as IDataObject | undefined)?.value !== 'N';

/** The portal's plan, asked once per process, never with a source key (a plan without them refuses any call that has one). */
export async function queuePlan(ctx: Context): Promise<QueuePlan> {
	const { portal } = await connectionOf(ctx);
	let plan = triggerMemory.queuePlans.get(portal);
	if (!plan) {
		plan = {
			reservations: allowed(await callPortal(ctx, 'feature.get', { CODE: 'rest_offline_extended' })),
			sourceKeys: allowed(await callPortal(ctx, 'feature.get', { CODE: 'rest_auth_connector' })),
		};
		triggerMemory.queuePlans.set(portal, plan);
	}
	return plan;
}

/** The node's source key where the plan has them; '' (the app's one queue) where it does not. */
const keyOf = (ctx: Context, plan: QueuePlan): string => (plan.sourceKeys ? connectorOf(ctx) : '');

type Queue = (method: string, params?: IDataObject) => Promise<unknown>;

function queueOf(ctx: Context, plan: QueuePlan): Queue {
	const key = keyOf(ctx, plan);
	return async (method, params = {}) => await callPortal(ctx, method, key ? { ...params, auth_connector: key } : params);
}

/** The events bound offline under the node's queue (its key, or the app's one queue), as `event.get` lists them. */
async function boundEvents(ctx: IHookFunctions, plan: QueuePlan): Promise<string[]> {
	const key = keyOf(ctx, plan);
	const bindings = ((await callPortal(ctx, 'event.get', {})) ?? []) as IDataObject[];
	return bindings
		.filter((binding) => Number(binding.offline) === 1 && String(binding.connector_id ?? '') === key)
		.map((binding) => String(binding.event).toUpperCase());
}

/** What activation has to change: the chosen events' bindings the queue lacks, and the ones it no longer needs. */
async function queueChanges(ctx: IHookFunctions, plan: QueuePlan): Promise<{ bound: string[]; toBind: string[]; toUnbind: string[] }> {
	const bound = await boundEvents(ctx, plan);
	const wanted: string[] = bitrix24EventsOf(ctx.getNodeParameter('events', []) as string[]);
	return { bound, toBind: wanted.filter((event) => !bound.includes(event)), toUnbind: bound.filter((event) => !wanted.includes(event)) };
}

/** Without source keys, the app's one queue belongs to the node that bound it (its static data says so). */
const ownsQueue = (ctx: Context, plan: QueuePlan): boolean =>
	plan.sourceKeys || (ctx.getWorkflowStaticData('node') as QueueState).ownsAppQueue === true;

/**
 * Activation asks first: true when the node's queue has exactly the bindings its events need, and is its own. The
 * plan is asked afresh: a portal may have changed plans since this process last asked.
 */
export async function isQueueBound(ctx: IHookFunctions): Promise<boolean> {
	triggerMemory.queuePlans.delete((await connectionOf(ctx)).portal);
	const plan = await queuePlan(ctx);
	const { toBind, toUnbind } = await queueChanges(ctx, plan);
	return toBind.length === 0 && toUnbind.length === 0 && ownsQueue(ctx, plan);
}

/**
 * Activation: binds offline what the chosen events need and the queue lacks, unbinds what they no longer need.
 * Without source keys, a queue another reader has bound is refused: two readers would each get part of the events.
 */
export async function bindQueue(ctx: IHookFunctions): Promise<boolean> {
	const plan = await queuePlan(ctx);
	const { bound, toBind, toUnbind } = await queueChanges(ctx, plan);
	if (!ownsQueue(ctx, plan) && bound.length > 0) {
		throw new NodeOperationError(ctx.getNode(), "This Bitrix24 app's offline event queue already has a reader", {
			description:
				"On this Bitrix24 plan an app has one offline event queue (the plan has no rest_auth_connector), and another workflow's Bitrix24 Payments Polling Trigger, or another program with the same app, already reads it: two readers would each get only part of the payments. Use one polling trigger per app (deactivate the other workflow first), create a second Bitrix24 app for this workflow, or use Bitrix24 Payments Trigger, which every workflow can use at once.",
		});
	}
	const queue = queueOf(ctx, plan);
	for (const event of toBind) await queue('event.bind', { event, event_type: 'offline' });
	for (const event of toUnbind) await queue('event.unbind', { event, event_type: 'offline' });
	if (!plan.sourceKeys) (ctx.getWorkflowStaticData('node') as QueueState).ownsAppQueue = true;
	return true;
}

/** Deactivation: unbinds exactly the node's own bindings, so its queue stops filling while the workflow is off. */
export async function unbindQueue(ctx: IHookFunctions): Promise<boolean> {
	const plan = await queuePlan(ctx);
	// Without source keys, a queue another reader owns is not this node's to unbind.
	if (!ownsQueue(ctx, plan)) return true;
	const queue = queueOf(ctx, plan);
	for (const event of await boundEvents(ctx, plan)) await queue('event.unbind', { event, event_type: 'offline' });
	delete (ctx.getWorkflowStaticData('node') as QueueState).ownsAppQueue;
	return true;
}

/** The records of the node's queue that a filter keeps, every page (`event.offline.list` reads and changes nothing). */
async function listRecords(ctx: IPollFunctions, plan: QueuePlan, filter: IDataObject): Promise<QueueRecord[]> {
	const records: QueueRecord[] = [];
	const key = keyOf(ctx, plan);
	for (let start: number | undefined = 0; start !== undefined; ) {
		const call = await newCall(ctx, {
			method: 'event.offline.list',
			params: { filter, order: { ID: 'ASC' }, start, ...(key ? { auth_connector: key } : {}) },
		});
		const page: Success = await request(call);
		records.push(...((page.result ?? []) as QueueRecord[]));
		start = page.next;
	}
	return records;
}

/** Reads records until the queue has no more: reserved under new process ids, or deleted as read. */
async function drain(queue: Queue, reserve: boolean): Promise<QueueRecord[]> {
	const records: QueueRecord[] = [];
	for (;;) {
		const read = (await queue('event.offline.get', { limit: RECORDS_PER_READ, ...(reserve ? { clear: 0 } : {}) })) as {
			events?: QueueRecord[];
		};
		const events = read?.events ?? [];
		records.push(...events);
		if (events.length < RECORDS_PER_READ) return records;
	}
}

/** A record as it is now: a free record the portal updates (a newer change of its payment) gets another key. */
const recordKey = (record: QueueRecord): string => `${record.ID}@${record.TIMESTAMP_X}`;

/**
 * The records of the queue whose runs have not all started, once those whose runs have are cleared. A record counts
 * as started once n8n was handed its item (or it makes none); what a crash left unstarted is read again:
 * - with reservations: every reservation is listed (`>PROCESS_ID` '': the filter takes no negation); one whose
 *   records have all started is cleared, the others' unstarted records are read again; then the queue is drained
 *   into new reservations;
 * - without: the free records are listed (read only); those started are cleared by id (`process_id` '', the free
 *   records' own), the rest read. A record the portal updated meanwhile has a new key and is read again.
 */
async function recordsToRead(ctx: IPollFunctions, plan: QueuePlan, queue: Queue, started: Set<string>): Promise<{ records: QueueRecord[]; seen: Set<string> }> {
	const seen = new Set<string>();
	const records: QueueRecord[] = [];
	const unstarted = (list: QueueRecord[]) => list.filter((record) => !started.has(recordKey(record)));
	if (plan.reservations) {
		const byProcess = new Map<string, QueueRecord[]>();
		for (const record of await listRecords(ctx, plan, { '>PROCESS_ID': '' })) {
			byProcess.set(String(record.PROCESS_ID), [...(byProcess.get(String(record.PROCESS_ID)) ?? []), record]);
		}
		for (const [processId, held] of byProcess) {
			if (unstarted(held).length === 0) {
				await queue('event.offline.clear', { process_id: processId });
				continue;
			}
			for (const record of held) seen.add(recordKey(record));
			records.push(...unstarted(held));
		}
		const drained = await drain(queue, true);
		for (const record of drained) seen.add(recordKey(record));
		records.push(...drained);
	} else {
		const free = await listRecords(ctx, plan, { '=PROCESS_ID': '' });
		const done = free.filter((record) => started.has(recordKey(record)));
		if (done.length > 0) await queue('event.offline.clear', { process_id: '', id: done.map((record) => record.ID) });
		for (const record of unstarted(free)) {
			seen.add(recordKey(record));
			records.push(record);
		}
	}
	return { records, seen };
}

/**
 * One look: the records whose runs have not started yet, as items, each handed to `start` (one run each) once it
 * is noted as started in the static data n8n saves with the run. When the workflow has just been switched on, what
 * the queue holds from before (read before it was switched off) is dropped instead.
 */
export async function lookAtQueue(ctx: IPollFunctions, chosen: string[], switchedOn: boolean, start: (item: EventItem) => void): Promise<void> {
	const state = ctx.getWorkflowStaticData('node') as QueueState;
	const plan = await queuePlan(ctx);
	const queue = queueOf(ctx, plan);
	if (switchedOn) {
		const reserved = plan.reservations ? await listRecords(ctx, plan, { '>PROCESS_ID': '' }) : [];
		for (const processId of new Set(reserved.map((record) => String(record.PROCESS_ID)))) await queue('event.offline.clear', { process_id: processId });
		await drain(queue, false);
		state.started = [];
		return;
	}
	const started = new Set(state.started ?? []);
	const { records, seen } = await recordsToRead(ctx, plan, queue, started);
	// What is no longer on the portal is forgotten.
	const note = (keys: string[]) => {
		for (const key of keys) started.add(key);
		state.started = [...started].filter((key) => seen.has(key));
	};
	note([]);
	const paidChanges = new PaidChanges(`${ctx.getWorkflow().id ?? ''} ${ctx.getNode().id} poll`, state);
	const { items, silent } = await itemsOf(ctx, records, chosen, (payment) => paidChanges.isNewChange(payment));
	note(silent);
	// Each item's records and change are noted as started just before its run starts, in the static data n8n saves
	// with it: a crash between two runs starts the rest at the next look, and none twice.
	for (const { item, keys, change } of items) {
		note(keys);
		if (change) paidChanges.markTold(change);
		start(item);
	}
}

/** "Fetch Test Event": the newest record of the queue that makes an item, read without reserving or clearing. */
export async function latestQueued(ctx: IPollFunctions, chosen: string[]): Promise<EventItem | undefined> {
	const queue = queueOf(ctx, await queuePlan(ctx));
	const newest = (await queue('event.offline.list', { order: { TIMESTAMP_X: 'DESC', ID: 'DESC' } })) as QueueRecord[] | undefined;
	for (const record of newest ?? []) {
		// A test shows a paid payment as paid, whatever the active workflow has told.
		const [made] = (await itemsOf(ctx, [record], chosen, (payment) => payment.paid === 'Y')).items;
		if (made) return made.item;
	}
	return undefined;
}

/**
 * Records as items: the newest record of each payment and event (a payment reserved and changed again has two),
 * oldest first, with the keys of the records each covers; saved payments read from the portal (batched), where paid
 * or not is decided. `silent`: the keys of records that make no item.
 */
async function itemsOf(
	ctx: IPollFunctions,
	records: QueueRecord[],
	chosen: string[],
	becamePaid: (payment: IDataObject) => boolean,
): Promise<{ items: Array<{ item: EventItem; keys: string[]; change?: IDataObject }>; silent: string[] }> {
	const newest = new Map<string, { event: string; paymentId: number; ts: number; id: number; keys: string[] }>();
	const silent: string[] = [];
	for (const record of records) {
		const event = String(record.EVENT_NAME).toUpperCase();
		let paymentId: number;
		try {
			paymentId = toPositiveInteger(record.EVENT_DATA?.FIELDS?.ID, 'id');
		} catch {
			silent.push(recordKey(record));
			continue;
		}
		const ts = Math.floor(Date.parse(record.TIMESTAMP_X) / 1000);
		const seen = newest.get(`${event} ${paymentId}`);
		const keys = [...(seen?.keys ?? []), recordKey(record)];
		if (!seen || ts >= seen.ts) newest.set(`${event} ${paymentId}`, { event, paymentId, ts, id: Number(record.ID), keys });
		else seen.keys = keys;
	}
	const ordered = [...newest.values()].sort((a, b) => a.ts - b.ts || a.id - b.id);
	const toRead = ordered.filter((record) => readsPayment(record.event)).map((record) => record.paymentId);
	const payments = toRead.length > 0 ? await readPayments(ctx, toRead) : new Map<number, PaymentRead>();
	const { portal: domain } = await connectionOf(ctx);
	const items: Array<{ item: EventItem; keys: string[]; change?: IDataObject }> = [];
	for (const { event, paymentId, ts, keys } of ordered) {
		const made = itemOfEvent(chosen, { event, paymentId, ts, domain }, payments.get(paymentId), becamePaid);
		if (made) items.push({ ...made, keys });
		else silent.push(...keys);
	}
	return { items, silent };
}
