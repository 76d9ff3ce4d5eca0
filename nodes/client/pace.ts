import { sleep } from 'n8n-workflow';

import type { Reading } from './answer';
import type { Call, Connection } from './call';
import type { RatePlan } from './credentialFields';
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
 */

/** The smallest share of the portal's rate and burst a process goes down to. */
const MIN_SHARE = 1 / 16;
/** How long a process takes to win back its whole share after a refusal (from half: half of it). */
const RECOVERY_MS = 30_000;
/** Refusals closer together than this are one: the requests that were on their way when the bucket filled. */
const HALVE_AT_MOST_EVERY_MS = 1000;

/** Our share of the bucket: its rate, and its burst less one place kept for requests that reach it bunched. */
function limitsOf(plan: RatePlan, bucket: BucketState): { rate: number; capacity: number } {
	return { rate: plan.rate * bucket.share, capacity: Math.max(1, (plan.burst - 1) * bucket.share) };
}

function bucketOf(portal: string, plan: RatePlan): BucketState {
	const now = Date.now();
	let bucket = registry.buckets.get(portal);
	if (!bucket) {
		bucket = { level: 0, at: now, share: 1, halvedAt: 0, waiting: [], releasing: false };
		registry.buckets.set(portal, bucket);
	}
	const elapsed = now - bucket.at;
	bucket.level = Math.max(0, bucket.level - (elapsed / 1000) * limitsOf(plan, bucket).rate);
	bucket.share = Math.min(1, bucket.share + elapsed / RECOVERY_MS);
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
			const wait = ((bucket.level + 1 - capacity) / rate) * 1000;
			if (wait > 0) {
				await sleep(wait);
				continue;
			}
			bucket.level += 1;
			bucket.waiting.shift()!();
		}
	} finally {
		bucket.releasing = false;
	}
}

function methodKey(portal: string, method: string) {
	return `${portal}|${method.toLowerCase()}`;
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
			if (reading.failure.code.toLowerCase() !== 'query_limit_exceeded') return;
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
