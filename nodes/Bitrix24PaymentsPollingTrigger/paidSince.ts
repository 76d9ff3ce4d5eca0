import { randomUUID } from 'crypto';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { readPages } from '../client/pages';
import { callPortal, connectionOf, newCall } from '../client/request';
import { PaidChanges } from '../paymentEvents/paidChanges';
import type { EventItem } from '../paymentEvents/payments';
import { mainFieldsFirst } from '../paymentFields';

/**
 * Inbound webhook: no events exist for it, so each look lists the order payments paid since the last one
 * (`paid=Y`, `datePaid` from the cursor less an overlap, by `datePaid` then `id`, every page) and tells those it has
 * not told yet. It cannot see a payment marked paid with a `datePaid` older than the overlap, an unpay or a delete.
 */

/** How far back each look reads before its cursor: saves that land late, clocks that differ a little. */
export const OVERLAP_MS = 5 * 60_000;

/** What the node keeps in its static data: the newest `datePaid` it has read (epoch ms). */
interface CursorState extends IDataObject {
	cursor?: number;
}

/** `2026-12-06T05:00:00+00:00`: the portal reads a date without an offset in its own time zone. */
function portalDate(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function itemOf(payment: IDataObject, domain: string): EventItem {
	const paid = Date.parse(String(payment.datePaid));
	return { event: 'paymentPaid', paymentId: Number(payment.id), ts: Number.isFinite(paid) ? Math.floor(paid / 1000) : undefined, domain, payment: mainFieldsFirst(payment) };
}

/** The order payments paid since `from` (epoch ms), oldest first, every page. */
async function paidSince(ctx: IPollFunctions, from: number): Promise<IDataObject[]> {
	const call = await newCall(ctx, {
		method: 'sale.payment.list',
		params: { filter: { paid: 'Y', '>=datePaid': portalDate(from) }, order: { datePaid: 'ASC', id: 'ASC' } },
		batchKey: `pages ${randomUUID()}`,
	});
	const { payments = [] } = (await readPages(call, 'payments', Infinity)) as { payments?: IDataObject[] };
	return payments;
}

/**
 * One look. The first one after the workflow is switched on starts from now: what was paid before never fires,
 * not even within the overlap the next look reads again, so it is noted as told (and starts nothing).
 */
export async function lookAtPaidPayments(ctx: IPollFunctions, switchedOn: boolean, start: (item: EventItem) => void): Promise<void> {
	const state = ctx.getWorkflowStaticData('node') as CursorState;
	const paidChanges = new PaidChanges(`${ctx.getWorkflow().id ?? ''} ${ctx.getNode().id} poll`, state);
	if (state.cursor === undefined || switchedOn) {
		const now = Date.now();
		for (const payment of await paidSince(ctx, now - OVERLAP_MS)) paidChanges.tell(payment, now - OVERLAP_MS);
		state.cursor = now;
		paidChanges.save(now - OVERLAP_MS);
		return;
	}
	const from = state.cursor - OVERLAP_MS;
	const payments = await paidSince(ctx, from);
	const { portal: domain } = await connectionOf(ctx);
	const fresh = payments.filter((payment) => paidChanges.isNewChange(payment, from));
	// The cursor and each change are noted just before the change's run starts, in the static data n8n saves with it:
	// n8n dying between two runs leaves the rest for the next look, which reads them again (the cursor is only moved
	// past what has started).
	const passed = (payment: IDataObject) => {
		const paid = Date.parse(String(payment.datePaid));
		// Never past this machine's now: a date ahead of it would make the next look skip what is paid meanwhile.
		if (Number.isFinite(paid)) state.cursor = Math.max(state.cursor!, Math.min(paid, Date.now()));
	};
	for (const payment of fresh) {
		passed(payment);
		paidChanges.markTold(payment, from);
		start(itemOf(payment, domain));
	}
	// Every run of the look has started: the cursor passes what was told before too.
	payments.forEach(passed);
	// What the cursor has passed cannot be read again: it is forgotten.
	paidChanges.save(state.cursor - OVERLAP_MS);
}

/** "Fetch Test Event": the order payment paid last, without moving the cursor. */
export async function latestPaid(ctx: IPollFunctions): Promise<EventItem | undefined> {
	const result = (await callPortal(ctx, 'sale.payment.list', {
		filter: { paid: 'Y' },
		order: { datePaid: 'DESC', id: 'DESC' },
	})) as { payments?: IDataObject[] } | undefined;
	const [payment] = result?.payments ?? [];
	if (!payment) return undefined;
	return itemOf(payment, (await connectionOf(ctx)).portal);
}
