import type { IDataObject } from 'n8n-workflow';

import { classOfCode } from './codes';

/**
 * Stage 4, read: what came back for a request (sent by send.ts, stage 3), read as one Reading per call. A failure
 * here is typed: the code table (codes.ts), read by the retry and error stages, decides on these fields, never
 * on a message.
 */

/** Whatever the portal sent back, status errors included. */
export interface HttpAnswer {
	status: number;
	body: unknown;
	headers: IDataObject;
}

/** What sending gave: an answer, or why none came (n8n's own verdict on a credential passes on as it is). */
export type Sent = { answer: HttpAnswer } | { failure: FailedAnswer } | { n8nError: Error };

/** What n8n's SSRF protection named when it refused a request: a restricted address, or a blocked host name. */
export interface BlockedByN8n {
	rule: 'ipRange' | 'hostname';
	hostname?: string;
	ip?: string;
}

/** A call that did not succeed: a Bitrix24 error body, whatever came instead of one, or no answer at all. */
export interface FailedAnswer {
	/** The HTTP status; absent for a command inside a batch, whose answer is 200 whatever its commands did. */
	status?: number;
	/** The Bitrix24 error code as sent ('' when the answer had none). */
	code: string;
	description: string;
	/** Set when the body was not Bitrix24 JSON (an HTML page, a proxy's answer, nothing). */
	notJson?: string;
	location?: string;
	/** No answer came back: the network error code (ECONNRESET, ETIMEDOUT, ECONNREFUSED ...). */
	network?: string;
	/** The method the portal refused when it is not the call's own: `batch`, for the batch request as a whole. */
	refused?: string;
	/** n8n refused to send the request (its SSRF protection): nothing left n8n. */
	blockedByN8n?: BlockedByN8n;
	/**
	 * A write answered `{"result": false}` (a change) or `{"result": null}` (an add) with no error: older CRM modules
	 * (crm Controller\Item\Payment and its product and delivery controllers) do so for a payment or line that is
	 * missing or may not be changed.
	 */
	resultWithoutError?: false | null;
}

/** What one call got, with the paging and timing data the portal put next to it. */
export type Reading =
	| { ok: true; result: unknown; next?: number; total?: number; time?: unknown; confirmedByReadBack?: true }
	| { ok: false; failure: FailedAnswer; n8nError?: Error };

export type Success = Extract<Reading, { ok: true }>;

function bodyKind(body: unknown, headers: IDataObject): string {
	const type = String(headers['content-type'] ?? '').split(';')[0];
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (/html/i.test(type) || (typeof body === 'string' && /^\s*</.test(body))) return 'an HTML page';
	return type ? `a ${type} body` : 'a body that is not JSON';
}

/** A JSON object (PHP's associative array), not a list. */
export function isObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The Bitrix24 error an answer carries, or what came instead of Bitrix24 JSON; undefined for a success. */
function failureOf({ status, body, headers }: HttpAnswer): FailedAnswer | undefined {
	if (status >= 300 && status < 400) {
		return { status, code: '', description: '', location: String(headers.location ?? 'an unknown address') };
	}
	if (isObject(body)) {
		const { error, error_description: description } = body;
		if (error !== undefined && error !== null && error !== '') {
			return { status, code: String(error), description: String(description ?? '') };
		}
		if ('result' in body && status < 300) return undefined;
	}
	return { status, code: '', description: '', notJson: bodyKind(body, headers) };
}

function notSent(sent: Sent): Reading | undefined {
	if ('n8nError' in sent) return { ok: false, failure: { code: '', description: '' }, n8nError: sent.n8nError };
	if ('failure' in sent) return { ok: false, failure: sent.failure };
	return undefined;
}

/** The answer of a plain call. */
export function readAnswer(sent: Sent): Reading {
	const unsent = notSent(sent);
	if (unsent) return unsent;
	const { answer } = sent as { answer: HttpAnswer };
	const failure = failureOf(answer);
	if (failure) return { ok: false, failure };
	const { result, next, total, time } = answer.body as IDataObject;
	return { ok: true, result, time, next: typeof next === 'number' ? next : undefined, total: typeof total === 'number' ? total : undefined };
}

/** An expired OAuth token: refreshed once, then the same request is sent again. */
export function isExpiredToken(sent: Sent): boolean {
	if (!('answer' in sent) || sent.answer.status !== 401 || !isObject(sent.answer.body)) return false;
	return classOfCode(String(sent.answer.body.error))?.refreshToken === true;
}

/** PHP encodes an empty map as `[]` and a map keyed 0..n-1 as a list: both read as maps here. */
function asMap(value: unknown): IDataObject {
	if (Array.isArray(value)) return Object.fromEntries(value.map((entry, index) => [String(index), entry])) as IDataObject;
	return isObject(value) ? value : {};
}

/**
 * The answer of a batch request, one reading per command key. A failure of the batch request itself (refused,
 * lost, not Bitrix24) is every command's: the retry stage then decides for each whether it may have run.
 */
export function readBatch(sent: Sent, keys: string[]): Reading[] {
	const whole = readAnswer(sent);
	if (!whole.ok) return keys.map(() => ({ ...whole, failure: { ...whole.failure, refused: 'batch' } }));
	if (!isObject(whole.result) || !('result' in whole.result)) {
		const failure: FailedAnswer = { status: 200, code: '', description: '', notJson: 'a body that is not a batch answer', refused: 'batch' };
		return keys.map(() => ({ ok: false, failure }));
	}
	const results = asMap(whole.result.result);
	const errors = asMap(whole.result.result_error);
	const totals = asMap(whole.result.result_total);
	const nexts = asMap(whole.result.result_next);
	const times = asMap(whole.result.result_time);
	return keys.map((key): Reading => {
		if (key in errors) {
			const { error, error_description: description } = asMap(errors[key]);
			return { ok: false, failure: { code: String(error ?? ''), description: String(description ?? '') } };
		}
		// With halt=0 every command is answered; one that is not never ran.
		if (!(key in results)) return { ok: false, failure: { code: 'NOT_RUN', description: 'The batch answer has no result for this command' } };
		const next = nexts[key];
		const total = totals[key];
		return {
			ok: true,
			result: results[key],
			time: times[key],
			next: typeof next === 'number' ? next : undefined,
			total: typeof total === 'number' ? total : undefined,
		};
	});
}
