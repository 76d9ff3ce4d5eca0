import type { ICredentialDataDecryptedObject, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/** A portal's request bucket: every request adds 1, the counter drains `rate` per second, refused above `burst`. */
export interface RatePlan {
	rate: number;
	burst: number;
}

export const RATE_PLANS: Record<string, RatePlan> = {
	standard: { rate: 2, burst: 50 },
	enterprise: { rate: 5, burst: 250 },
};

/** The credential fields that say which bucket the portal has (both credential types). */
export const RATE_LIMIT_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Rate Limit',
		name: 'rateLimit',
		type: 'options',
		default: 'standard',
		description:
			"The portal's request limit, which all its apps and webhooks share. The node paces its requests to stay within it.",
		options: [
			{ name: 'Standard (2 Requests/s, Burst 50)', value: 'standard', description: 'Bitrix24 cloud plans other than Enterprise' },
			{ name: 'Enterprise (5 Requests/s, Burst 250)', value: 'enterprise', description: 'Bitrix24 cloud Enterprise plans' },
			{ name: 'Custom', value: 'custom', description: 'Another rate, e.g. to leave room for other apps' },
			{ name: 'None', value: 'none', description: 'A self-hosted Bitrix24 without a request limit' },
		],
	},
	{
		displayName: 'Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 2,
		description: 'How fast the portal drains its request counter',
		displayOptions: { show: { rateLimit: ['custom'] } },
	},
	{
		displayName: 'Burst',
		name: 'burst',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'How many requests the portal accepts at once before it answers "Too many requests"',
		displayOptions: { show: { rateLimit: ['custom'] } },
	},
];

/** The plan chosen in the credential; undefined when the portal has no bucket (self-hosted). */
export function ratePlanOf(credentials: ICredentialDataDecryptedObject): RatePlan | undefined {
	const choice = String(credentials.rateLimit ?? 'standard');
	if (choice === 'none') return undefined;
	if (choice === 'custom') {
		const rate = Number(credentials.requestsPerSecond);
		const burst = Number(credentials.burst);
		return {
			rate: Number.isFinite(rate) && rate > 0 ? rate : RATE_PLANS.standard.rate,
			burst: Number.isFinite(burst) && burst >= 1 ? Math.floor(burst) : RATE_PLANS.standard.burst,
		};
	}
	return RATE_PLANS[choice] ?? RATE_PLANS.standard;
}

/**
 * Our copy of one portal's bucket. `level` counts requests sent and reserved but not yet drained; reserving is
 * synchronous, so items that n8n runs concurrently queue in the order they asked.
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

	/** Takes a place; resolves to the milliseconds to wait before sending. */
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
export async function takeTurn(portal: string, plan: RatePlan | undefined): Promise<void> {
	if (!plan) return;
	const wait = bucketOf(portal).reserve(plan);
	if (wait > 0) await sleep(wait);
}

export function portalRefused(portal: string, plan: RatePlan | undefined): void {
	if (plan) bucketOf(portal).fill(plan);
}

// When each method's operating-time budget frees up again, per portal, in local time (from the `time` blocks).
const operatingResets = new Map<string, number>();

/** Records `time.operating_reset_at` of a successful answer, shifted by the portal's clock offset. */
export function noteOperatingTime(portal: string, method: string, time: unknown): void {
	if (time === null || typeof time !== 'object') return;
	const { operating_reset_at: resetAt, finish } = time as { operating_reset_at?: unknown; finish?: unknown };
	if (typeof resetAt !== 'number') return;
	const offset = typeof finish === 'number' ? Date.now() - finish * 1000 : 0;
	operatingResets.set(`${portal}|${method.toLowerCase()}`, resetAt * 1000 + offset);
}

/** When the portal will accept this method again, if it ever told us. */
export function operatingResetAt(portal: string, method: string): number | undefined {
	return operatingResets.get(`${portal}|${method.toLowerCase()}`);
}
