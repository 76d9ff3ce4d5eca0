import type { INodeProperties } from 'n8n-workflow';

/**
 * What the credentials tell the client, and the fields they share. The client reads them in call.ts; both
 * credential types import them from here.
 */

/**
 * An inbound webhook URL is `https://PORTAL/rest/USER_ID/SECRET/`. Users paste it with or without the trailing
 * slash and often with the method name of Bitrix24's example still on it (`.../profile.json`): everything after
 * the secret is dropped. The credential's test request uses the same pattern inside an n8n expression.
 */
export const WEBHOOK_URL_PATTERN = /^\s*(https?:\/\/[^/\s?#]+(?:\/[^/\s?#]+)*?\/rest\/\d+\/[^/\s?#]+)(?:[/?#].*)?\s*$/i;

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
		hint: 'Bitrix24 cloud Enterprise plans: Enterprise; every other cloud plan: Standard; None only for a self-hosted portal without a limit',
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
		hint: 'Lower than your plan\'s rate leaves room for other apps and webhooks of the portal',
		displayOptions: { show: { rateLimit: ['custom'] } },
	},
	{
		displayName: 'Burst',
		name: 'burst',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'How many requests the portal accepts at once before it answers "Too many requests"',
		hint: 'Standard plans: 50; Enterprise: 250',
		displayOptions: { show: { rateLimit: ['custom'] } },
	},
];
