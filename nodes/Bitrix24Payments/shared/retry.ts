import type { IDataObject, INodeProperties, NodeOperationError } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { Bitrix24ApiError, neverSent } from './errors';
import type { RatePlan } from './limiter';
import { operatingResetAt, portalRefused, takeTurn } from './limiter';
import { describeMethod } from './methods';

export const RETRY_DEFAULTS = { maxRetries: 5, maxWait: 60, timeout: 60 };

/** Shown under every operation: how hard the node tries before an item fails. */
export const REQUEST_OPTIONS_PROPERTY: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
			description:
				'How many times a request is sent again after "Too many requests", a method time limit, or (for reads only) a network error or server fault',
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description: 'The longest an item waits in total between retries before it fails',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description: 'How long to wait for one answer of the portal (Bitrix24 stops a request after 60 s)',
		},
	],
};

export interface RetrySettings {
	maxRetries: number;
	maxWaitMs: number;
}

/** The node's "Request Options" (retries, total wait, timeout), with the defaults where unset. */
export function requestSettingsOf(options: unknown): RetrySettings & { timeoutMs: number } {
	const set = (options ?? {}) as IDataObject;
	const number = (value: unknown, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	return {
		maxRetries: Math.floor(number(set.maxRetries, RETRY_DEFAULTS.maxRetries)),
		maxWaitMs: number(set.maxWait, RETRY_DEFAULTS.maxWait) * 1000,
		timeoutMs: Math.max(1, number(set.timeout, RETRY_DEFAULTS.timeout)) * 1000,
	};
}

/** Which portal a call goes to, under which bucket, for which method. */
export interface Target {
	portal: string;
	plan?: RatePlan;
	method: string;
}

type Kind = 'bucket' | 'operatingTime' | 'safe' | 'ambiguous' | 'final';

/**
 * Both limit errors are refused before the method runs; an unreached portal never saw the request. Anything
 * else that broke (no answer, a 5xx, an empty body) may have happened after the method ran: repeating a read is
 * harmless, repeating a write could apply it twice.
 */
function kindOf(error: Bitrix24ApiError, method: string): Kind {
	const failure = error.answer;
	if ('network' in failure) {
		if (neverSent(failure.network)) return 'safe';
		return describeMethod(method).writes ? 'ambiguous' : 'safe';
	}
	const code = failure.code.toLowerCase();
	if (code === 'query_limit_exceeded') return 'bucket';
	if (code === 'operation_time_limit') return 'operatingTime';
	if (code === 'overload_limit') return 'final';
	const broken = failure.status >= 500 || failure.notJson === 'an empty body';
	if (!broken) return 'final';
	return describeMethod(method).writes ? 'ambiguous' : 'safe';
}

const NOT_REPEATED = 'The node did not send it again: repeating a change could apply it twice.';
const AMBIGUOUS = `The change may or may not have been applied: check the payment in Bitrix24 before running this item again. ${NOT_REPEATED}`;

function amend(error: Bitrix24ApiError, sentence: string): Bitrix24ApiError {
	error.description = `${error.description ?? ''} ${sentence}`.trim();
	return error;
}

function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}

/**
 * Sends one call in its turn of the portal's bucket, and again after a failure that is safe to repeat, within
 * the retry count and the total wait. `send` raises Bitrix24ApiError for every failure.
 */
export async function withRetries<T>(target: Target, settings: RetrySettings, send: () => Promise<T>): Promise<T> {
	const started = Date.now();
	let waited = 0;
	for (let attempt = 1; ; attempt++) {
		await takeTurn(target.portal, target.plan);
		try {
			return await send();
		} catch (caught) {
			// `send` raises our API errors, or NodeOperationError for a credential that cannot be used.
			const error = caught as Bitrix24ApiError | NodeOperationError;
			// Failures of follow-up calls (Confirm Paid re-reading a payment) come after this call succeeded.
			if (!(error instanceof Bitrix24ApiError) || error.method.toLowerCase() !== target.method.toLowerCase()) throw error;
			const kind = kindOf(error, target.method);
			if (kind === 'final') throw error;
			if (kind === 'ambiguous') {
				throw amend(error, /may or may not/.test(error.description ?? '') ? NOT_REPEATED : AMBIGUOUS);
			}
			const tried = `Tried ${attempt} time${attempt === 1 ? '' : 's'} in ${seconds(Date.now() - started)}.`;
			if (attempt > settings.maxRetries) {
				throw amend(error, `${tried} To wait longer, raise Max Retries or Max Wait under Request Options.`);
			}
			let wait: number;
			if (kind === 'operatingTime') {
				const resetAt = operatingResetAt(target.portal, target.method);
				if (resetAt === undefined) {
					throw amend(error, `Bitrix24 did not say when ${target.method} frees up (at most 10 minutes from its first call).`);
				}
				wait = Math.max(0, resetAt - Date.now()) + 500;
				if (waited + wait > settings.maxWaitMs) {
					throw amend(
						error,
						`The portal accepts ${target.method} again at ${new Date(resetAt).toISOString()} (in ${seconds(resetAt - Date.now())}), later than the node may wait (Max Wait under Request Options: ${seconds(settings.maxWaitMs)}).`,
					);
				}
			} else {
				if (kind === 'bucket') portalRefused(target.portal, target.plan);
				wait = Math.min(500 * 2 ** (attempt - 1), 8000, settings.maxWaitMs - waited);
				if (wait <= 0) {
					throw amend(error, `${tried} To wait longer, raise Max Wait under Request Options.`);
				}
			}
			await sleep(wait);
			waited += wait;
		}
	}
}
