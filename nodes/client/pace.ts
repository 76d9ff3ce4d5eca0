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
 */

/** Requests leave a little after their turn and may reach the portal bunched: one place is kept free for that. */
function capacity(plan: RatePlan) {
	return Math.max(1, plan.burst - 1);
}

function bucketOf(portal: string, plan: RatePlan): BucketState {
	let bucket = registry.buckets.get(portal);
	if (!bucket) {
		bucket = { level: 0, at: Date.now() };
		registry.buckets.set(portal, bucket);
	}
	const now = Date.now();
	bucket.level = Math.max(0, bucket.level - ((now - bucket.at) / 1000) * plan.rate);
	bucket.at = now;
	return bucket;
}

/**
 * Waits for this request's turn. `level` counts requests sent and reserved but not yet drained; reserving is
 * synchronous, so requests that n8n runs concurrently queue in the order they asked.
 */
export async function pace({ portal, plan }: Connection): Promise<void> {
	if (!plan) return;
	const bucket = bucketOf(portal, plan);
	const wait = Math.max(0, ((bucket.level + 1 - capacity(plan)) / plan.rate) * 1000);
	bucket.level += 1;
	if (wait > 0) await sleep(wait);
}

function methodKey(portal: string, method: string) {
	return `${portal}|${method.toLowerCase()}`;
}

/**
 * What the answers told about the limits: a QUERY_LIMIT_EXCEEDED refusal means others use the same bucket, so
 * ours counts as full; the `time` block of a success (a plain call's, or each command's `result_time` in a batch)
 * says when the method's operating-time budget frees up, in the portal's clock (`finish` against ours).
 */
export function noteLimits(calls: Call[], readings: Reading[]): void {
	readings.forEach((reading, index) => {
		const { connection, method } = calls[index];
		if (!reading.ok) {
			if (reading.failure.code.toLowerCase() === 'query_limit_exceeded' && connection.plan) {
				const bucket = bucketOf(connection.portal, connection.plan);
				bucket.level = Math.max(bucket.level, capacity(connection.plan));
			}
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
