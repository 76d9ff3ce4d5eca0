import { randomUUID } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { PortalContext } from '../client/call';
import { callPortalEach } from '../client/request';
import { mainFieldsFirst } from '../paymentFields';
import { readsPayment, startsRun } from './events';

/**
 * The item a payment event starts a run with, the same from both triggers, so that a workflow can switch between
 * them without changing its next nodes. `payment` as `sale.payment.get` returns it (none for a deleted payment);
 * `error` instead when it could not be read.
 */
export interface EventItem extends IDataObject {
	event: string;
	paymentId: number;
	ts?: number;
	domain: string;
	payment?: IDataObject;
	error?: string;
}

/** A payment as the portal has it now, or what kept the node from reading it (the item says why). */
export type PaymentRead = { payment: IDataObject } | { error: string };

/** The payments named, each read as the portal has it now, in batch requests of 50; paid or not is decided on these. */
export async function readPayments(ctx: PortalContext, paymentIds: number[]): Promise<Map<number, PaymentRead>> {
	const ids = [...new Set(paymentIds)];
	const settled = await callPortalEach(
		ctx,
		'sale.payment.get',
		ids.map((id) => ({ params: { id }, ids: { paymentId: id } })),
		`payments ${randomUUID()}`,
	);
	return new Map(
		ids.map((id, index): [number, PaymentRead] => {
			const outcome = settled[index];
			if (outcome.status === 'fulfilled') {
				// The main fields first, as Order Payment's operations output them.
				return [id, { payment: mainFieldsFirst(((outcome.value as IDataObject | undefined)?.payment ?? {}) as IDataObject) }];
			}
			const { message, description } = outcome.reason as { message: string; description?: string };
			return [id, { error: description ? `${message}. ${description}` : message }];
		}),
	);
}

/** What every event item has; the payment, or why it could not be read, comes next to it. */
export type EventOf = Pick<EventItem, 'event' | 'paymentId' | 'ts' | 'domain'>;

/**
 * The item one Bitrix24 event gives for the chosen events (events.ts), or none. `read`: its payment, for the
 * events that read it; `becamePaid` says (the instant trigger also records) whether it has just become paid.
 * `change`: the paid payment the item tells of, for a trigger that records it once the run is started.
 */
export function itemOfEvent(
	chosen: string[],
	event: EventOf,
	read: PaymentRead | undefined,
	becamePaid: (payment: IDataObject) => boolean,
): { item: EventItem; change?: IDataObject } | undefined {
	if (!readsPayment(event.event) || read === undefined) return startsRun(chosen, event.event, false) ? { item: event } : undefined;
	if ('error' in read) return { item: { ...event, error: read.error } };
	const paid = becamePaid(read.payment);
	if (!startsRun(chosen, event.event, paid)) return undefined;
	return { item: { ...event, payment: read.payment }, ...(paid ? { change: read.payment } : {}) };
}
