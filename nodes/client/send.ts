import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { BlockedByN8n, FailedAnswer, Reading, Sent } from './answer';
import { isExpiredToken, readAnswer, readBatch } from './answer';
import type { Call, Connection, PortalContext } from './call';
import { answered, isRefusal, noteLimits, pace } from './pace';
import { registry } from './registry';

/**
 * Stage 3, send: one HTTP request for one call or for a batch of calls. It waits for its turn in the bucket
 * first (stage 2, pace.ts) and hands what came back to stage 4 (answer.ts), whose readings say what the portal
 * said about its limits (pace.ts again).
 */

/** A call the bucket has refused before waits within Max Wait: its time in the queue counts. */
function waited(calls: Call[], ms: number) {
	for (const call of calls) if (call.refused > 0) call.waitedMs += ms;
}

/** A plain request for one call. */
export async function sendAlone(call: Call): Promise<Reading> {
	const { connection, context, method, params, settings } = call;
	waited([call], await pace(connection));
	return (await answeredWith(connection, [call], async () => {
		const sent = await withRefresh(connection, async (statusErrors) =>
			await post({ connection, context, method, params, timeoutMs: settings.timeoutMs, statusErrors }),
		);
		return [readAnswer(sent)];
	}))[0];
}

/**
 * One batch request for up to 50 calls of one connection: one place in the bucket, `halt=0` so that each
 * command is answered on its own; `commands[i]` is the encoded command of `calls[i]` (batch.ts).
 */
export async function sendBatch(calls: Call[], commands: string[]): Promise<Reading[]> {
	const [{ connection, context }] = calls;
	const keys = commands.map((_command, index) => `c${index}`);
	const params = { halt: 0, cmd: Object.fromEntries(keys.map((key, index) => [key, commands[index]])) };
	const timeoutMs = Math.max(...calls.map((call) => call.settings.timeoutMs));
	waited(calls, await pace(connection));
	return await answeredWith(connection, calls, async () => {
		const sent = await withRefresh(connection, async (statusErrors) =>
			await post({ connection, context, method: 'batch', params, timeoutMs, statusErrors }),
		);
		return readBatch(sent, keys);
	});
}

/** Sends and reads one paced request for its calls, then tells stage 2 what its answer said, whatever happened. */
async function answeredWith(connection: Connection, calls: Call[], sendAndRead: () => Promise<Reading[]>): Promise<Reading[]> {
	const now = Date.now();
	for (const call of calls) {
		call.sent++;
		call.lastSentAt = now;
	}
	let readings: Reading[] = [];
	try {
		readings = await sendAndRead();
		noteLimits(calls, readings);
		return readings;
	} finally {
		answered(connection, readings.some(isRefusal));
	}
}

interface PortalRequest {
	connection: Connection;
	/** The n8n functions that send it (a batch goes out with its first call's). */
	context: PortalContext;
	method: string;
	params: IDataObject;
	timeoutMs: number;
	/** Let a 401 throw: what makes n8n 1.x refresh an OAuth token (see withRefresh). */
	statusErrors?: boolean;
}

/**
 * n8n 1.x reads `ignoreHttpStatusErrors: { ignore: true, except: [401] }` as "ignore all", so an expired token
 * comes back as an answer and n8n does not refresh it. Sending once more with status errors on lets the 401
 * throw, which makes n8n refresh the token and repeat the call. Bitrix24 rotates the refresh token on every
 * refresh and n8n 1.x refreshes per request with no lock, so one request refreshes and the others re-send
 * after it, with the token it stored. (n8n 2.x refreshes inside its helper: the second send never happens there.)
 */
async function withRefresh(connection: Connection, sendOnce: (statusErrors: boolean) => Promise<Sent>): Promise<Sent> {
	const sent = await sendOnce(false);
	if (connection.authentication !== 'oAuth2' || !isExpiredToken(sent)) return sent;
	const inFlight = registry.refreshing.get(connection.portal);
	if (inFlight) {
		await inFlight;
		return await sendOnce(true);
	}
	const mine = sendOnce(true);
	registry.refreshing.set(connection.portal, mine);
	try {
		return await mine;
	} finally {
		if (registry.refreshing.get(connection.portal) === mine) registry.refreshing.delete(connection.portal);
	}
}

/** One HTTP request through n8n's own helper, which signs it with the credential. */
async function post(request: PortalRequest): Promise<Sent> {
	const { connection, context } = request;
	const options: IHttpRequestOptions = {
		baseURL: connection.restUrl,
		url: request.method,
		method: 'POST',
		body: request.params,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		json: true,
		returnFullResponse: true,
		// A moved portal must be reported, not followed: a redirected POST arrives as a GET.
		disableFollowRedirect: true,
		// Bitrix24 explains every failure in its body, so non-2xx answers are read like the others. OAuth2 401s
		// still throw: that is what makes n8n refresh the token and repeat the call once.
		ignoreHttpStatusErrors: request.statusErrors
			? false
			: connection.authentication === 'oAuth2'
				? { ignore: true, except: [401] }
				: true,
		timeout: request.timeoutMs,
	};
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			connection.credentialType,
			options,
		)) as IN8nHttpFullResponse;
		return { answer: { status: response.statusCode, body: response.body, headers: response.headers } };
	} catch (error) {
		return thrown(error as Thrown);
	}
}

interface Thrown {
	name?: string;
	hostname?: string;
	ip?: string;
	message?: string;
	code?: string;
	httpCode?: string;
	cause?: Thrown & { body?: IDataObject };
	response?: { status?: number; data?: unknown; body?: unknown; headers?: IDataObject };
}

/** n8n's errors carry the request (the URL with the secret, the Bearer header): only what they tell is kept. */
function thrown(error: Thrown): Sent {
	const blocked = ssrfRefusal(error);
	if (blocked) return { failure: { code: '', description: '', blockedByN8n: blocked } };
	// n8n's own verdict on a refresh it could not do ("the credential needs to be reconnected") is the clearest.
	// By name: n8n's error classes are not always the copy this package loaded.
	if (error?.cause instanceof Error && error.cause.name === 'NodeOperationError') return { n8nError: error.cause };
	if (error?.cause?.code === 'EAUTH' && error.cause.body) return { failure: oauthRefusal(error.cause.body) };
	if (error?.httpCode === 'EAUTH') return { failure: oauthRefusalOnN8n1(String(error.message ?? '')) };
	const response = error?.cause?.response ?? error?.response;
	if (response?.status) {
		return { answer: { status: response.status, body: response.data ?? response.body, headers: response.headers ?? {} } };
	}
	const code = error?.cause?.code ?? error?.code;
	return { failure: { code: '', description: '', network: code ? String(code) : String(error?.message ?? error) } };
}

/** The token endpoint refused to refresh: `{error, error_description}` from n8n's OAuth2 client. */
function oauthRefusal(body: IDataObject): FailedAnswer {
	return { status: 401, code: String(body.error ?? ''), description: String(body.error_description ?? '') };
}

/**
 * n8n 1.x wraps the token endpoint's refusal without its body, keeping only `httpCode: 'EAUTH'` and the OAuth
 * client's sentence for the error code; the sentence tells the code back.
 */
function oauthRefusalOnN8n1(message: string): FailedAnswer {
	const error = /client authentication failed/i.test(message) ? 'invalid_client' : 'invalid_grant';
	return oauthRefusal({ error, error_description: message });
}

/** n8n 2.x's SSRF protection, by error class name (n8n wraps it, at a depth that depends on where it refused). */
const SSRF_REFUSALS: Record<string, BlockedByN8n['rule']> = {
	SsrfBlockedIpError: 'ipRange',
	SsrfBlockedHostnameError: 'hostname',
};

function ssrfRefusal(error: Thrown): BlockedByN8n | undefined {
	for (let link: Thrown | undefined = error, depth = 0; link && depth < 5; link = link.cause, depth++) {
		const rule = SSRF_REFUSALS[link.name ?? ''];
		if (rule) return { rule, hostname: link.hostname || undefined, ip: link.ip || undefined };
	}
	return undefined;
}
