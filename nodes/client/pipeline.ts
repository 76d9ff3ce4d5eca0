import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { Reading } from './answer';
import type { Call } from './call';
import { newCall } from './call';
import type { Ticket } from './coalesce';
import { takeSeat } from './coalesce';
import type { PortalContext } from './connection';
import { connectionOf } from './connection';
import { deliverAlone } from './deliver';
import type { Verdict } from './retry';
import { decide } from './retry';
import { failureError } from './result';
import { settingsOf } from './settings';

export type Success = Extract<Reading, { ok: true }>;

/**
 * The way of every call to the portal: coalesced with the other calls of its node run into a batch (or sent
 * alone), paced, sent, read, and sent again for as long as its failure is safe to repeat and the item may wait.
 * Resolves with the result, or rejects with the item's error. `ticket` is the seat the call took in its first batch before it was built.
 */
export async function perform(call: Call, ticket?: Ticket): Promise<Success> {
	let seat = ticket;
	for (;;) {
		const reading = seat ? await seat.send(call) : await deliverAlone(call);
		if (reading.ok) return reading;
		const verdict: Verdict = reading.n8nError ? { giveUp: '' } : decide(call, reading.failure);
		if ('giveUp' in verdict) throw failureError(call, reading, verdict.giveUp);
		await sleep(verdict.retryInMs);
		call.waitedMs += verdict.retryInMs;
		seat = call.batchKey ? takeSeat(call.batchKey) : undefined;
	}
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
