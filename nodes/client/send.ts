import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { BlockedByN8n, FailedAnswer } from './errors';
import type { Connection, PortalContext } from './connection';

/** Whatever the portal sent back, status errors included. */
export interface HttpAnswer {
	status: number;
	body: unknown;
	headers: IDataObject;
}

/** Stage 3, send: an answer, or why none came (n8n's own verdict on a credential passes on as it is). */
export type Sent = { answer: HttpAnswer } | { failure: FailedAnswer } | { n8nError: Error };

export interface PortalRequest {
	connection: Connection;
	/** The n8n functions that send it (a batch goes out with its first call's). */
	context: PortalContext;
	method: string;
	params: IDataObject;
	timeoutMs: number;
	/** Let a 401 throw: what makes n8n 1.x refresh an OAuth token (see refresh.ts). */
	statusErrors?: boolean;
}

/** One HTTP request through n8n's own helper, which signs it with the credential. */
export async function send(request: PortalRequest): Promise<Sent> {
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
