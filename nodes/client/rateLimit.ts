import type { ICredentialDataDecryptedObject, INodeProperties } from 'n8n-workflow';

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
