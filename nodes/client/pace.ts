import { sleep } from 'n8n-workflow';

import type { RatePlan } from './rateLimit';

/**
 * Stage 1, pace: every HTTP request (a plain call or a whole batch) takes one place in our copy of the portal's
 * bucket before it leaves. `level` counts requests sent and reserved but not yet drained; reserving is
 * synchronous, so requests that n8n runs concurrently queue in the order they asked.
 */
class PortalBucket {
	private level = 0;
	private at = Date.now();

	private drain(plan: RatePlan) {
		const now = Date.now();
		this.level = Math.max(0, this.level - ((now - this.at) / 1000) * plan.rate);
		this.at = now;
	}

	/** Requests leave a little after their turn and may reach the portal bunched: one place is kept free for that. */
	private capacity(plan: RatePlan) {
		return Math.max(1, plan.burst - 1);
	}

	/** Takes a place; returns the milliseconds to wait before sending. */
	reserve(plan: RatePlan): number {
		this.drain(plan);
		const wait = Math.max(0, ((this.level + 1 - this.capacity(plan)) / plan.rate) * 1000);
		this.level += 1;
		return wait;
	}

	/** The portal refused with QUERY_LIMIT_EXCEEDED: others use the same bucket, so ours counts as full. */
	fill(plan: RatePlan) {
		this.drain(plan);
		this.level = Math.max(this.level, this.capacity(plan));
	}
}

// One per portal for the whole n8n process: all items, nodes and executions that call a portal share it,
// as all apps and webhooks of the portal share its bucket.
const buckets = new Map<string, PortalBucket>();

function bucketOf(portal: string): PortalBucket {
	let bucket = buckets.get(portal);
	if (!bucket) {
		bucket = new PortalBucket();
		buckets.set(portal, bucket);
	}
	return bucket;
}

/** Waits for this request's turn in the portal's bucket. */
export async function pace(portal: string, plan: RatePlan | undefined): Promise<void> {
	if (!plan) return;
	const wait = bucketOf(portal).reserve(plan);
	if (wait > 0) await sleep(wait);
}

export function portalRefused(portal: string, plan: RatePlan | undefined): void {
	if (plan) bucketOf(portal).fill(plan);
}
