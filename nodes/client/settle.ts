import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { DateTime } from 'luxon';

import type { FailedAnswer, Success } from './answer';
import { isObject } from './answer';
import type { Seat } from './batch';
import { nextSeat } from './batch';
import type { Call, SettleRead } from './call';
import { followingCall } from './call';
import { classOf } from './codes';
import type { Outcome } from './errors';
import { bitrix24ApiError, isNotFound } from './errors';
import type { Attempted } from './retry';
import { seconds } from './retry';

/**
 * Stage 6, settle: a write whose answer was lost (no answer, a timeout, a 5xx, an empty body) may or may not have
 * run, and is never sent again. The portal is asked instead: one read of what the write was to change (the
 * operation says which, `call.settle`), batched with the other items' reads, within the item's Max Wait. The item
 * then gets a verdict: applied (it succeeds with the answer the write would have given), not applied (it fails,
 * saying so), or unknown (the read failed too, or Bitrix24 offers no read that tells): never a guess.
 */

/** Bitrix24 stops a request after 60 s (bitrix24-rest.md, section 3); a little more for the clocks of both sides. */
const PORTAL_REQUEST_LIMIT_MS = 62_000;

const NOT_REPEATED = 'The node did not send it again: repeating a change could apply it twice.';

type Attempt = (call: Call, seat?: Seat) => Promise<Attempted>;

export async function settle(call: Call, failure: FailedAnswer, attempt: Attempt): Promise<Success> {
	const fail = (outcome: Outcome, note: string) => bitrix24ApiError(call.context.getNode(), failure, call, note, outcome);
	const spec = call.settle?.();
	if (!spec) throw fail('unknown', NOT_REPEATED);
	if ('lookFor' in spec) throw fail('unknown', `Check ${spec.lookFor} in Bitrix24 before running this item again. ${NOT_REPEATED}`);
	const lostInTime = classOf(failure).timedOut === true;
	if (lostInTime) {
		// The portal may still be running it: a read now could see the state before the write.
		const wait = (call.lastSentAt ?? Date.now()) + PORTAL_REQUEST_LIMIT_MS - Date.now();
		if (wait > 0 && call.waitedMs + wait > call.settings.maxWaitMs) {
			throw fail(
				'unknown',
				`The answer did not come within the Timeout, and the portal may run a request for up to 60 s: the node could read ${spec.what} back ${seconds(wait)} from now, later than Max Wait allows. Check ${spec.what} in Bitrix24 before running this item again, or raise Max Wait (or the Timeout) under Request Options to let the node find out. ${NOT_REPEATED}`,
			);
		}
		if (wait > 0) {
			await sleep(wait);
			call.waitedMs += wait;
		}
	}
	// What the item already waited counts against its Max Wait.
	const read = { ...followingCall(call, spec.method, spec.params), waitedMs: call.waitedMs };
	const reading = await attempt(read, nextSeat(call.batchKey));
	const at = new Date().toISOString();
	// Which case it was: a timeout (read once the portal would have finished) or an answer that broke.
	const lostHow = lostInTime
		? 'No answer came within the Timeout; the node read back once the portal would have finished the request (60 s after sending). '
		: '';
	const verdict = reading.ok ? judge(spec, reading.result) : isNotFound(reading.failure, read) ? judgeMissing(spec) : undefined;
	if (verdict?.applied) {
		return { ok: true, result: spec.answer === 'read' && reading.ok ? reading.result : true, confirmedByReadBack: true };
	}
	if (verdict) {
		throw fail(
			'notApplied',
			`${lostHow}Read back at ${at}: ${verdict.shows}, so the change was not applied. ${NOT_REPEATED} Running this item again applies it once.`,
		);
	}
	const why = reading.ok
		? `the read did not show ${spec.what}`
		: reading.n8nError
			? reading.n8nError.message
			: bitrix24ApiError(call.context.getNode(), reading.failure, read).message;
	throw fail('unknown', `${lostHow}The node read ${spec.what} back to find out, and could not tell (${why}). Check ${spec.what} in Bitrix24 before running this item again. ${NOT_REPEATED}`);
}

type Judged = { applied: true } | { applied: false; shows: string } | undefined;

/** What the read shows of the write: applied, not applied (and what it shows instead), or nothing definite. */
function judge(spec: SettleRead, result: unknown): Judged {
	const found = locate(spec, result);
	if (found === undefined) return judgeMissing(spec);
	if (spec.expect === 'gone') return { applied: false, shows: `${spec.what} still exists` };
	// A field the read does not show (a write-only one, such as a card number) tells nothing either way.
	const shown = Object.entries(spec.expect).filter(([key]) => key in found);
	const differs = shown.find(([key, sent]) => !sameValue(sent, found[key]));
	if (differs) {
		const [key, sent] = differs;
		return { applied: false, shows: `${spec.what} has ${key} ${JSON.stringify(found[key])}, not ${JSON.stringify(sent)}` };
	}
	return shown.length > 0 ? { applied: true } : undefined;
}

/** The object is not there: what a delete leaves; after any other write, it tells nothing. */
function judgeMissing(spec: SettleRead): Judged {
	return spec.expect === 'gone' ? { applied: true } : undefined;
}

function locate(spec: SettleRead, result: unknown): IDataObject | undefined {
	const { find } = spec;
	if (!find) return isObject(result) ? result : undefined;
	if ('key' in find) return isObject(result) && isObject(result[find.key]) ? (result[find.key] as IDataObject) : undefined;
	const rows = Array.isArray(result) ? result : isObject(result) ? Object.values(result) : [];
	return rows.find((row): row is IDataObject => isObject(row) && String(row[find.idKey]) === String(find.id));
}

/** Sent and stored alike: the same text, the same number ("100.00" and 100), or the same instant (any offsets). */
function sameValue(sent: unknown, stored: unknown): boolean {
	if (isObject(sent)) return isObject(stored) && Object.entries(sent).every(([key, value]) => sameValue(value, stored[key]));
	if (Array.isArray(sent)) return Array.isArray(stored) && sent.length === stored.length && sent.every((value, i) => sameValue(value, stored[i]));
	if (String(sent) === String(stored ?? '')) return true;
	if (sent === '' || stored === null || stored === undefined || stored === '') return false;
	const [a, b] = [Number(sent), Number(stored)];
	if (Number.isFinite(a) && Number.isFinite(b)) return a === b;
	const [x, y] = [DateTime.fromISO(String(sent), { setZone: true }), DateTime.fromISO(String(stored), { setZone: true })];
	return x.isValid && y.isValid && x.toMillis() === y.toMillis();
}
