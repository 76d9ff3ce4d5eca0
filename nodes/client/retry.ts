import type { FailedAnswer, Reading, Success } from './answer';
import type { Call } from './call';
import { resendOf } from './codes';
import { methodOf } from './methods';
import { operatingResetAt } from './pace';

/**
 * Stage 5, retry: what to do with a failed call, from what the code table (codes.ts) says sending it again would
 * meet. What broke after the request left (no answer, a 5xx, an empty body) may have happened after the method
 * ran: repeating a read is harmless, repeating a write could apply it twice, so a write's outcome is unknown and
 * settle.ts asks the portal.
 */
type Kind = 'bucket' | 'operatingTime' | 'safe' | 'ambiguous' | 'final';

function kindOf(failure: FailedAnswer, method: string): Kind {
	const resend = resendOf(failure);
	if (resend !== 'broken') return resend;
	return methodOf(method).writes ? 'ambiguous' : 'safe';
}

/** Send it again after a pause; give up with a note for the error; or, for a write, its outcome is unknown. */
export type Verdict = { retryInMs: number } | { giveUp: string } | { unknown: true };

/** Where stages 1 to 5 leave a call: answered, or failed with why it is not sent again. */
export type Attempted = Success | (Extract<Reading, { ok: false }> & { verdict: Exclude<Verdict, { retryInMs: number }> });

export function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}

/** The pause before the next try after the `tries`-th one: 0.5 s, doubling, at most 8 s. */
function backoff(tries: number): number {
	return Math.min(500 * 2 ** (tries - 1), 8000);
}

/**
 * `call.sent` counts the requests sent for the call so far, this failed one included; `call.refused` those the
 * portal's bucket refused. A refusal is always safe to repeat (nothing ran): it waits for the next place in the
 * bucket, for as long as Max Wait allows, without spending Max Retries.
 */
export function decide(call: Call, failure: FailedAnswer): Verdict {
	const kind = kindOf(failure, call.method);
	if (kind === 'final') return { giveUp: '' };
	if (kind === 'ambiguous') return { unknown: true };
	const { maxRetries, maxWaitMs } = call.settings;
	const tried = `Tried ${call.sent} time${call.sent === 1 ? '' : 's'} in ${seconds(Date.now() - call.startedAt)}.`;
	if (kind === 'bucket') {
		// Back to the portal's queue (pace.ts), where it waits (and the wait counts) for a place; without a plan (Rate
		// Limit "None") there is no queue: a growing pause instead.
		const left = maxWaitMs - call.waitedMs;
		if (left <= 0) return { giveUp: `${tried} To wait longer, raise Max Wait under Request Options.` };
		return { retryInMs: call.connection.plan ? 0 : Math.min(backoff(call.refused), left) };
	}
	const refused = failure.refused ?? call.method;
	const resetAt = kind === 'operatingTime' ? operatingResetAt(call.connection.portal, refused) : undefined;
	const unknownReset =
		kind === 'operatingTime' && resetAt === undefined
			? ` Bitrix24 did not say when ${refused} frees up (at most 10 minutes from its first call).`
			: '';
	if (call.sent - call.refused > maxRetries) {
		return { giveUp: `${tried}${unknownReset} To wait longer, raise Max Retries or Max Wait under Request Options.` };
	}
	if (resetAt !== undefined) {
		const wait = Math.max(0, resetAt - Date.now()) + 500;
		if (call.waitedMs + wait > maxWaitMs) {
			return {
				giveUp: `The portal accepts ${refused} again at ${new Date(resetAt).toISOString()} (in ${seconds(resetAt - Date.now())}), later than the node may wait (Max Wait under Request Options: ${seconds(maxWaitMs)}).`,
			};
		}
		return { retryInMs: wait };
	}
	const wait = Math.min(backoff(call.sent - call.refused), maxWaitMs - call.waitedMs);
	if (wait <= 0) return { giveUp: `${tried}${unknownReset} To wait longer, raise Max Wait under Request Options.` };
	return { retryInMs: wait };
}
