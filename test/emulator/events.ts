/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only emulator: the portal's event queue waits on timers before it posts to handlers, never shipped */
// Outgoing events: what the portal's rest module does after a payment is saved or deleted.
//
// The sale core fires OnSalePaymentEntitySaved from Payment::save() only when the payment changed (a new one, a
// changed field, or its lines), and OnSalePaymentDeleted when one is deleted; rest's Sender turns that into one
// queue item per handler of ONPAYMENTENTITYSAVED / ONPAYMENTDELETED (app bindings and outgoing webhooks alike, all
// rows of b_rest_event) with data[FIELDS][ID]. The items are sent by a background job after the hit has answered,
// through the queue server: a POST, application/x-www-form-urlencoded (http_build_query), never retried.
//
// The emulator finds saves by comparing every payment row (and its lines) before and after each method call, plain
// or in a batch, so no method's write can be missed; failed calls fire nothing, as the portal saves nothing then.
// Offline bindings get no posts: Sender writes their rows to the offline queue instead (offline.ts).

import type { EmulatorState, EventHandlerRecord } from './state';

export type PaymentEventCode = 'ONPAYMENTENTITYSAVED' | 'ONPAYMENTDELETED';

/** One event the portal would send to one handler. */
export interface DeliveryJob {
	event: PaymentEventCode;
	paymentId: number;
	handler: string;
	kind: 'app' | 'outgoing';
	/** event_handler_id: the b_rest_event row's id. */
	eventHandlerId: number;
	/** The app of an app binding; null for an outgoing webhook. */
	clientId: string | null;
	/** An outgoing webhook's token; apps' tokens are read when the event is sent. */
	applicationToken: string | null;
	/** Who the tokens are issued for (the binding's auth_type, else the user who caused it); 0: no tokens. */
	userId: number;
	/** Unix seconds when the portal queued it. */
	ts: number;
}

/** A POST the queue made to a handler. */
export interface Delivery {
	event: PaymentEventCode;
	paymentId: number;
	handler: string;
	kind: 'app' | 'outgoing';
	eventHandlerId: number;
	/** The raw form body, exactly as sent. */
	body: string;
	/** The handler's HTTP status; 0 when it could not be reached (refused, reset, timed out). */
	status: number;
	/** Why it failed to reach the handler (status 0 only). */
	error?: string;
	/** Epoch ms when it was sent. */
	at: number;
}

/** How long the queue waits for a handler before it gives up (status 0). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Whether anything listens to a payment event, online or offline (otherwise nothing needs watching). */
export function hasPaymentListeners(state: EmulatorState): boolean {
	return state.eventHandlers.some((h) => isPaymentEvent(h.event));
}

function isPaymentEvent(event: string): event is PaymentEventCode {
	return event === 'ONPAYMENTENTITYSAVED' || event === 'ONPAYMENTDELETED';
}

/** Every payment row with its lines, as text, by id: what "changed" is judged on. */
export function snapshotPayments(state: EmulatorState): Map<number, string> {
	const lines = new Map<number, unknown[]>();
	for (const item of state.payableItems.values()) {
		const list = lines.get(item.paymentId);
		if (list) list.push(item);
		else lines.set(item.paymentId, [item]);
	}
	const snapshot = new Map<number, string>();
	for (const [id, payment] of state.payments) snapshot.set(id, JSON.stringify([payment, lines.get(id) ?? []]));
	return snapshot;
}

/** One payment row with its lines, as snapshotPayments has it; undefined when there is no such payment. */
export function snapshotPayment(state: EmulatorState, paymentId: number): string | undefined {
	const payment = state.payments.get(paymentId);
	if (!payment) return undefined;
	const lines = [...state.payableItems.values()].filter((item) => item.paymentId === paymentId);
	return JSON.stringify([payment, lines]);
}

/** The events one method call caused: new or changed payments are saved, missing ones deleted (by id). */
export function paymentEvents(before: Map<number, string>, after: Map<number, string>): Array<{ event: PaymentEventCode; paymentId: number }> {
	const events: Array<{ event: PaymentEventCode; paymentId: number }> = [];
	for (const id of [...after.keys()].sort((a, b) => a - b)) {
		if (before.get(id) !== after.get(id)) events.push({ event: 'ONPAYMENTENTITYSAVED', paymentId: id });
	}
	for (const id of [...before.keys()].sort((a, b) => a - b)) {
		if (!after.has(id)) events.push({ event: 'ONPAYMENTDELETED', paymentId: id });
	}
	return events;
}

/** Sender::call: one job per online handler of the event, in b_rest_event order. */
export function jobsFor(state: EmulatorState, event: PaymentEventCode, paymentId: number, causedBy: number, ts: number): DeliveryJob[] {
	const rows = state.eventHandlers.filter((h) => h.event === event && h.handler !== '').sort((a, b) => a.id - b.id);
	return rows.map((h: EventHandlerRecord) => {
		const outgoing = h.clientId === null;
		const hook = outgoing ? state.outgoingWebhooks.find((w) => w.id === h.outgoingWebhookId) : undefined;
		return {
			event,
			paymentId,
			handler: h.handler,
			kind: outgoing ? 'outgoing' : 'app',
			eventHandlerId: h.id,
			clientId: h.clientId,
			applicationToken: hook?.applicationToken ?? null,
			userId: h.userId > 0 ? h.userId : causedBy,
			ts,
		};
	});
}

/** Builds the body of a job when it is sent (an app's tokens are issued then). */
export type BodyBuilder = (job: DeliveryJob) => string;

/**
 * The queue server: jobs go out after the hit that caused them has answered, each `delayMs()` after it was queued,
 * one after another per handler URL (in order), handlers independently of each other. A failure is recorded and
 * not retried. reset() drops what is queued and aborts what is in flight; neither is recorded.
 */
export class EventQueue {
	private log: Delivery[] = [];
	private chains = new Map<string, Promise<void>>();
	private pending = 0;
	private waiters: Array<() => void> = [];
	private abort = new AbortController();

	constructor(
		private readonly delayMs: () => number,
		private readonly body: BodyBuilder,
	) {}

	enqueue(jobs: DeliveryJob[]): void {
		const signal = this.abort.signal;
		const chains = this.chains;
		for (const job of jobs) {
			const dueAt = Date.now() + Math.max(0, this.delayMs());
			this.pending++;
			const previous = chains.get(job.handler) ?? Promise.resolve();
			const next = previous
				.then(() => this.deliver(job, dueAt, signal))
				.catch(() => undefined)
				.finally(() => {
					if (chains.get(job.handler) === next) chains.delete(job.handler);
					this.pending--;
					if (this.pending === 0) for (const resolve of this.waiters.splice(0)) resolve();
				});
			chains.set(job.handler, next);
		}
	}

	deliveries(): Delivery[] {
		return this.log.map((d) => ({ ...d }));
	}

	/** Resolves once nothing is queued or in flight. */
	settled(): Promise<void> {
		if (this.pending === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Forgets the log, drops queued jobs, aborts posts in flight. */
	reset(): void {
		this.abort.abort();
		this.abort = new AbortController();
		this.chains = new Map();
		this.log = [];
	}

	private async deliver(job: DeliveryJob, dueAt: number, signal: AbortSignal): Promise<void> {
		// Always at least one timer turn: the hit's answer is out before the queue posts anything.
		await sleep(Math.max(0, dueAt - Date.now()), signal);
		if (signal.aborted) return;
		const body = this.body(job);
		const at = Date.now();
		let status = 0;
		let error: string | undefined;
		try {
			const res = await fetch(job.handler, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body,
				redirect: 'manual',
				signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
			});
			status = res.status;
			await res.arrayBuffer().catch(() => undefined);
		} catch (e) {
			error = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
		}
		if (signal.aborted) return; // reset or stop while it was in flight: not the portal's doing
		const delivery: Delivery = { event: job.event, paymentId: job.paymentId, handler: job.handler, kind: job.kind, eventHandlerId: job.eventHandlerId, body, status, at };
		if (status === 0) delivery.error = error ?? 'no answer';
		this.log.push(delivery);
	}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done);
	});
}
