import { sleep } from 'n8n-workflow';

import type { Reading } from './answer';
import type { Call, Connection } from './call';
import { classOf } from './codes';
import type { RatePlan } from '../../credentials/fields';
import type { BucketState } from './registry';
import { registry } from './registry';

/**
 * Stage 2, pace: every HTTP request (a plain call or a whole batch) takes one place in our copy of the portal's
 * bucket before it leaves (`pace`), and what the portal says about its limits is noted when the answer is read
 * (`noteLimits`). Both limits live here: the request bucket, shared by every app of the portal, and each
 * method's operating time, which stage 5 (retry.ts) waits out.
 *
 * The bucket is shared with whoever else calls the portal: other apps, other n8n instances, the other workers of
 * this one (each n8n process has its own copy). A refusal (QUERY_LIMIT_EXCEEDED) is the one signal that reaches
 * every process, so it is read as "the bucket is shared": this process halves its share of the portal's rate and
 * burst (at most once a second: a refusal reaches every request that was on its way), and wins it back gradually.
 * Processes that share a portal so settle on its rate between them; a process alone keeps the whole of it.
 *
 * Nor does a process spend its burst at once: it may have one request unanswered at first, one more per answer, up
 * to four (half as many after a refusal), so that processes starting together find each other after a few requests,
 * not after a whole burst each.
 */

/** The smallest share of the portal's rate and burst a process goes down to. */
const MIN_SHARE = 1 / 16;
/**
 * How long a share takes to double back after a refusal. Growing in proportion to the share keeps the processes
 * together within the portal's rate however many there are (each grows by its own share: together, by the whole).
 */
const SHARE_DOUBLES_MS = 20_000;
/** Refusals closer together than this are one: the requests that were on their way when the bucket filled. */
const HALVE_AT_MOST_EVERY_MS = 1000;
/** After this long without a request a process knows nothing of the bucket again: whole share, one request at a time. */
const IDLE_MS = 30_000;
/**
 * At most this many requests unanswered at once: what processes that start together send before the first refusal
 * tells them of each other. Only the burst is spent more slowly for it (the rate is a few requests a second).
 */
const MAX_IN_FLIGHT = 4;

/** Our share of the bucket: its rate, and its burst less one place kept for requests that reach it bunched. */
function limitsOf(plan: RatePlan, bucket: BucketState): { rate: number; capacity: number } {
	return { rate: plan.rate * bucket.share, capacity: Math.max(1, (plan.burst - 1) * bucket.share) };
}

function bucketOf(portal: string, plan: RatePlan): BucketState {
	const now = Date.now();
	let bucket = registry.buckets.get(portal);
	if (!bucket) {
		bucket = { level: 0, at: now, share: 1, halvedAt: 0, waiting: [], releasing: false, inFlight: 0, window: 1 };
		registry.buckets.set(portal, bucket);
	}
	const elapsed = now - bucket.at;
	bucket.share = Math.min(1, bucket.share * 2 ** (elapsed / SHARE_DOUBLES_MS));
	if (elapsed >= IDLE_MS && bucket.inFlight === 0 && bucket.waiting.length === 0) {
		bucket.window = 1;
		bucket.share = 1;
	}
	bucket.level = Math.max(0, bucket.level - (elapsed / 1000) * limitsOf(plan, bucket).rate);
	bucket.at = now;
	return bucket;
}

/**
 * Waits for this request's turn and answers how long it waited. Requests queue per portal in the order they asked
 * and leave one at a time, each when our share of the bucket has a place for it: a share that shrinks after a
 * refusal slows the requests already waiting, not only the ones that ask later.
 */
export async function pace({ portal, plan }: Connection): Promise<number> {
	if (!plan) return 0;
	const started = Date.now();
	const bucket = bucketOf(portal, plan);
	await new Promise<void>((turn) => {
		bucket.waiting.push(turn);
		if (!bucket.releasing) void release(bucket, plan, portal);
	});
	return Date.now() - started;
}

/** Lets the waiting requests of a portal go, one per free place; sleeps until the next place frees, then looks again. */
async function release(bucket: BucketState, plan: RatePlan, portal: string): Promise<void> {
	bucket.releasing = true;
	try {
		while (bucket.waiting.length > 0) {
			bucketOf(portal, plan);
			const { rate, capacity } = limitsOf(plan, bucket);
			if (bucket.inFlight >= Math.min(bucket.window, capacity)) {
				await new Promise<void>((wake) => (bucket.wake = wake));
				continue;
			}
			const wait = ((bucket.level + 1 - capacity) / rate) * 1000;
			if (wait > 0) {
				await sleep(wait);
				continue;
			}
			bucket.level += 1;
			bucket.inFlight += 1;
			bucket.waiting.shift()!();
		}
	} finally {
		bucket.releasing = false;
	}
}

/** A request that `pace` let go has its answer (or none): its place in the window is free, and one more with it. */
export function answered({ portal, plan }: Connection, refused: boolean): void {
	const bucket = plan && registry.buckets.get(portal);
	if (!bucket) return;
	bucket.inFlight = Math.max(0, bucket.inFlight - 1);
	if (refused) {
		bucket.window = Math.max(1, Math.floor(bucket.window / 2));
	} else {
		bucket.window = Math.min(MAX_IN_FLIGHT, bucket.window + 1);
	}
	const wake = bucket.wake;
	bucket.wake = undefined;
	wake?.();
}

function methodKey(portal: string, method: string) {
	return `${portal}|${method.toLowerCase()}`;
}

/** The bucket's refusal: nothing ran, the request may go again. */
export function isRefusal(reading: Reading): boolean {
	return !reading.ok && classOf(reading.failure).resend === 'bucket';
}

/**
 * What the answers told about the limits: a QUERY_LIMIT_EXCEEDED refusal means others use the same bucket, so
 * ours counts as full and our share goes down; the `time` block of a success (a plain call's, or each command's
 * `result_time` in a batch) says when the method's operating-time budget frees up, in the portal's clock (`finish`
 * against ours).
 */
export function noteLimits(calls: Call[], readings: Reading[]): void {
	readings.forEach((reading, index) => {
		const { connection, method } = calls[index];
		if (!reading.ok) {
			if (!isRefusal(reading)) return;
			calls[index].refused++;
			if (!connection.plan) return;
			const bucket = bucketOf(connection.portal, connection.plan);
			const now = Date.now();
			if (now - bucket.halvedAt >= HALVE_AT_MOST_EVERY_MS) {
				bucket.share = Math.max(MIN_SHARE, bucket.share / 2);
				bucket.halvedAt = now;
			}
			bucket.level = Math.max(bucket.level, limitsOf(connection.plan, bucket).capacity);
			return;
		}
		const time = reading.time;
		if (time === null || typeof time !== 'object') return;
		const { operating_reset_at: resetAt, finish } = time as { operating_reset_at?: unknown; finish?: unknown };
		if (typeof resetAt !== 'number') return;
		const offset = typeof finish === 'number' ? Date.now() - finish * 1000 : 0;
		registry.operatingResets.set(methodKey(connection.portal, method), resetAt * 1000 + offset);
	});
}

/** When the portal will accept this method again, if it ever told us. */
export function operatingResetAt(portal: string, method: string): number | undefined {
	return registry.operatingResets.get(methodKey(portal, method));
}
