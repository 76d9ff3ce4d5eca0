import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { Success } from './answer';
import type { Authentication, Call, Connection, PortalContext, RequestSettings } from './call';
import type { RatePlan } from '../../credentials/fields';
import { RATE_PLANS, WEBHOOK_URL_PATTERN } from '../../credentials/fields';
import type { Seat } from './batch';
import { nextSeat, takeSeat } from './batch';
import { bitrix24ApiError } from './errors';
import { REQUEST_OPTIONS_PROPERTY } from './requestOptions';
import type { Attempted } from './retry';
import { decide } from './retry';
import { settle } from './settle';
import { sendAlone } from './send';

/**
 * The one way a call reaches the portal. A Call (call.ts: method, params, ids, connection, settings; made by
 * newCall below) meets the stages in this order, one file each:
 *   1. batch.ts   gathered with the other calls of its node run into batch requests of up to 50 (or sent alone);
 *   2. pace.ts    the request waits for its place in the portal's bucket;
 *   3. send.ts    the request goes out through n8n's HTTP helper, which signs it (OAuth2 refreshed on n8n 1.x);
 *   4. answer.ts  what came back is read, one typed Reading per call;
 *   5. retry.ts   a failure is sent again (back to 1) while that is safe and the item may wait, or gives up
 *                 with the item's error (errors.ts, the error table);
 *   6. settle.ts  a write whose answer was lost is never sent again: the portal is asked what it did.
 * Resolves with the result, or rejects with the item's error. `firstSeat` is the place the call took in its first
 * batch before it was built (a node run's calls take theirs in one turn of the event loop).
 */
export async function request(call: Call, firstSeat?: Seat): Promise<Success> {
	const outcome = await attempt(call, firstSeat);
	if (outcome.ok) return outcome;
	// n8n's own verdict (a credential it could not refresh) passes as it is.
	if (outcome.n8nError) throw outcome.n8nError;
	if ('unknown' in outcome.verdict) return await settle(call, outcome.failure, attempt);
	throw bitrix24ApiError(call.context.getNode(), outcome.failure, call, outcome.verdict.giveUp);
}

/** Stages 1 to 5: the call's answer, or its last failure and why it is not sent again. */
async function attempt(call: Call, firstSeat?: Seat): Promise<Attempted> {
	let seat = firstSeat;
	for (;;) {
		const reading = seat ? await seat.join(call) : await sendAlone(call);
		if (reading.ok) return reading;
		if (reading.n8nError) return { ...reading, verdict: { giveUp: '' } };
		const verdict = decide(call, reading.failure);
		if (!('retryInMs' in verdict)) return { ...reading, verdict };
		await sleep(verdict.retryInMs);
		call.waitedMs += verdict.retryInMs;
		seat = nextSeat(call.batchKey);
	}
}

/**
 * A call outside the routing engine (the pay system picker, the trigger's subscriptions and reads): same
 * credential, pacing, retries and errors, sent alone.
 */
export async function callPortal(ctx: PortalContext, method: string, params: IDataObject, ids: IDataObject = {}): Promise<unknown> {
	return (await request(await newCall(ctx, { method, params, ids }))).result;
}

/**
 * Many calls outside the routing engine at once (the polling trigger reading the payments a look found): they take
 * their seats together, so they go out in batch requests of 50. Each settles on its own.
 */
export async function callPortalEach(
	ctx: PortalContext,
	method: string,
	calls: Array<{ params: IDataObject; ids?: IDataObject }>,
	batchKey: string,
): Promise<Array<PromiseSettledResult<unknown>>> {
	const seats = calls.map(() => takeSeat(batchKey));
	const settings = settingsOf(ctx);
	return await Promise.allSettled(
		calls.map(async ({ params, ids }, index) => {
			let call: Call | undefined;
			try {
				call = await newCall(ctx, { method, params, ids, settings, batchKey });
			} finally {
				if (!call) seats[index].leave();
			}
			return (await request(call, seats[index])).result;
		}),
	);
}

/* How a call is made: from the item's credential (its connection) and the node's Request Options (its settings). */

export async function newCall(
	ctx: PortalContext,
	spec: { method: string; params: IDataObject; ids?: IDataObject; itemIndex?: number; settings?: RequestSettings; batchKey?: string },
): Promise<Call> {
	const { method, params, ids = {}, itemIndex = 0, settings = settingsOf(ctx), batchKey } = spec;
	const connection = await connectionOf(ctx);
	return { method, params, ids, itemIndex, connection, settings, context: ctx, batchKey, sent: 0, refused: 0, waitedMs: 0, startedAt: Date.now() };
}

const REQUEST_DEFAULTS = Object.fromEntries(
	(REQUEST_OPTIONS_PROPERTY.options as INodeProperties[]).map((option) => [option.name, option.default]),
) as { maxRetries: number; maxWait: number; timeout: number; batch: boolean };

/** The node's Request Options, with the defaults where unset or unusable; the trigger and the list pickers have none. */
export function settingsOf(ctx: PortalContext): RequestSettings {
	let options: IDataObject;
	try {
		options = (ctx.getNodeParameter('requestOptions', {}) ?? {}) as IDataObject;
	} catch {
		options = {};
	}
	const number = (value: unknown, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	return {
		maxRetries: Math.floor(number(options.maxRetries, REQUEST_DEFAULTS.maxRetries)),
		maxWaitMs: number(options.maxWait, REQUEST_DEFAULTS.maxWait) * 1000,
		timeoutMs: Math.max(1, number(options.timeout, REQUEST_DEFAULTS.timeout)) * 1000,
		batch: typeof options.batch === 'boolean' ? options.batch : REQUEST_DEFAULTS.batch,
	};
}

function portalOf(url: string): string {
	return (/^https?:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url).toLowerCase();
}

/** The plan chosen in the credential; undefined when the portal has no bucket (self-hosted). */
function ratePlanOf(credentials: ICredentialDataDecryptedObject): RatePlan | undefined {
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

/** Where and how calls of these n8n functions reach the portal (its host names the portal in trigger items). */
export async function connectionOf(ctx: PortalContext): Promise<Connection> {
	const authentication = ctx.getNodeParameter('authentication', 'webhook') as Authentication;
	if (authentication === 'oAuth2') {
		const credentials = await ctx.getCredentials('bitrix24PaymentsOAuth2Api');
		const token = (credentials.oauthTokenData ?? {}) as IDataObject;
		const host = String(credentials.domain ?? '').trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
		const endpoint = String(token.client_endpoint || `https://${host}/rest/`);
		if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
			throw new NodeOperationError(ctx.getNode(), 'The Bitrix24 OAuth2 credential has no portal address', {
				description: 'Fill in the portal domain (for example yourcompany.bitrix24.com) and connect the credential again.',
			});
		}
		const secrets = [token.access_token, token.refresh_token, credentials.clientSecret];
		return {
			authentication,
			credentialType: 'bitrix24PaymentsOAuth2Api',
			restUrl: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
			secrets: secrets.filter((s): s is string => typeof s === 'string'),
			portal: portalOf(endpoint),
			plan: ratePlanOf(credentials),
		};
	}
	const credentials = await ctx.getCredentials('bitrix24PaymentsWebhookApi');
	const webhook = typeof credentials.webhookUrl === 'string' ? WEBHOOK_URL_PATTERN.exec(credentials.webhookUrl) : null;
	if (!webhook) {
		// The URL is not echoed: it would carry the secret into the execution log.
		throw new NodeOperationError(ctx.getNode(), 'The webhook URL in the credential is not a Bitrix24 inbound webhook URL', {
			description: 'Expected https://YOUR_PORTAL/rest/USER_ID/SECRET/ as Bitrix24 shows it under Developer resources > Other > Inbound webhook.',
		});
	}
	const base = webhook[1];
	return {
		authentication,
		credentialType: 'bitrix24PaymentsWebhookApi',
		restUrl: `${base}/`,
		// The part of the URL that must never be shown, and the trigger's token if the credential holds one.
		secrets: [base.slice(base.lastIndexOf('/') + 1), String(credentials.applicationToken ?? '')].filter(Boolean),
		portal: portalOf(base),
		plan: ratePlanOf(credentials),
	};
}
