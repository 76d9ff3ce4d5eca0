import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, INodeCredentialTestResult } from 'n8n-workflow';

import { WEBHOOK_URL_PATTERN } from './credentialFields';

/**
 * The Test button of the "Bitrix24 Payments Webhook API" credential. Every node that uses the credential names this function
 * (`testedBy`): a request test in the credential would report a failed connection as n8n's bare code (ENOTFOUND),
 * while the user, who cannot see the masked URL, needs to know which host was tried and what to change.
 * Messages name the host, never the URL: the URL holds the webhook secret.
 */

/** How long the test waits for the portal's answer. */
const TEST_TIMEOUT_MS = 10_000;

const COPY_AGAIN = 'Copy the URL again from Bitrix24: Developer resources > Other > Inbound webhook.';

/**
 * What each failure means: a network or TLS code as Node.js reports it, an HTTP status (`http_401`), a Bitrix24
 * error code (lower case), or one of the test's own codes (upper case, no prefix). `{host}` is the host tried.
 */
const FAILURES: Array<{ codes: string[]; message: string }> = [
	{
		codes: ['INVALID_WEBHOOK_URL', 'ERR_INVALID_URL'],
		message: `This is not a Bitrix24 inbound webhook URL: it must look like https://yourcompany.bitrix24.com/rest/1/abc123def456/, https:// included. ${COPY_AGAIN}`,
	},
	{
		codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'],
		message: `No server named {host} was found: check the portal name in the URL for a typo. ${COPY_AGAIN}`,
	},
	{
		codes: ['ECONNREFUSED'],
		message: '{host} refused the connection: nothing answers at that address and port. Check the portal address and port in the URL (a cloud portal needs none), and that n8n can reach it.',
	},
	{
		codes: ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'TIMEOUT'],
		message: `{host} did not answer within ${TEST_TIMEOUT_MS / 1000} seconds: check the portal address, and that n8n can reach it (a firewall or proxy may be in the way).`,
	},
	{
		codes: [
			'DEPTH_ZERO_SELF_SIGNED_CERT',
			'SELF_SIGNED_CERT_IN_CHAIN',
			'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
			'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
			'CERT_HAS_EXPIRED',
			'ERR_TLS_CERT_ALTNAME_INVALID',
			'EPROTO',
			'ERR_SSL_WRONG_VERSION_NUMBER',
		],
		message:
			"The secure connection to {host} failed: its certificate is not trusted (self-signed, expired or for another name) or it does not speak HTTPS. A cloud portal's address is https://yourcompany.bitrix24.com; a self-hosted portal needs a valid certificate, or give n8n its CA in NODE_EXTRA_CA_CERTS.",
	},
	{
		codes: ['ECONNRESET', 'EPIPE'],
		message: '{host} closed the connection before answering: check the portal address, and that no proxy in between refuses it.',
	},
	{
		codes: ['NOT_BITRIX24', 'http_404', 'error_method_not_found'],
		message: `{host} answered, but not as the Bitrix24 REST API: check the portal address and that the URL looks like https://PORTAL/rest/USER_ID/SECRET/. ${COPY_AGAIN}`,
	},
	{
		codes: ['MOVED'],
		message: '{host} sends the request elsewhere (a redirect): the portal may have a new address. Create the inbound webhook again on the portal\'s current address and copy its URL.',
	},
	{
		codes: ['http_401', 'invalid_credentials', 'no_auth_found', 'wrong_auth_type'],
		message: `Bitrix24 at {host} rejected this webhook: the user ID or secret in the URL is wrong, or the webhook was deleted. ${COPY_AGAIN}`,
	},
	{
		codes: ['http_403', 'access_denied', 'user_access_error', 'portal_deleted'],
		message: "Bitrix24 at {host} refused REST access to this webhook's user or portal: the REST API needs a commercial plan, and the webhook's user must be active.",
	},
	{
		codes: ['BAD_APPLICATION_TOKEN'],
		message:
			'The webhook URL works, but the Outgoing Webhook Application Token is not one: copy the "Application token" shown on the outgoing webhook\'s page in Bitrix24 (letters and digits), or leave it empty if you do not use Bitrix24 Payments Trigger with an outgoing webhook.',
	},
	{
		codes: ['insufficient_scope', 'NO_PAYMENT_SCOPE'],
		message:
			'The webhook works, but lacks the permissions this node needs: edit it in Bitrix24 (Developer resources > Other > Inbound webhook), tick CRM (crm), Online Store (sale) and Payment systems (pay_system), and save; the URL stays the same.',
	},
];

/** The host (and port) a URL names, for messages; empty when the text names none that is safe to show. */
function hostOf(url: string): string {
	const match = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/)?([^/\s?#@]+)\//i.exec(url);
	const host = match?.[1] ?? '';
	// Only something shaped like a host name: a pasted secret alone must not be shown.
	return /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+|\[[0-9a-f:]+\])(:\d+)?$/i.test(host) ? host.toLowerCase() : '';
}

function failed(code: string, host: string): INodeCredentialTestResult {
	const row = FAILURES.find((candidate) => candidate.codes.includes(code));
	const message = row?.message ?? `The test request to {host} failed (${code || 'no answer'}): check the portal address in the URL.`;
	return { status: 'Error', message: message.split('{host}').join(host || 'the portal') };
}

/** The code of a failed request, whatever wrapped it: n8n's request helper keeps Node's on the error or its cause. */
function codeOf(error: unknown): string {
	for (let current = error as IDataObject | undefined, depth = 0; current && depth < 4; current = current.cause as IDataObject, depth++) {
		if (typeof current.code === 'string' && current.code) return current.code;
	}
	return /timeout/i.test(String((error as Error)?.message)) ? 'TIMEOUT' : '';
}

/** What the portal's answer to `scope` says: the code of a failure, or undefined when the webhook is usable. */
function answerCode(status: number, body: unknown): string | undefined {
	const answer = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
	if (typeof answer.error === 'string' && answer.error) return answer.error.toLowerCase();
	if (status >= 300 && status < 400) return 'MOVED';
	if (status === 401 || status === 403 || status === 404) return `http_${status}`;
	if (status !== 200 || !Array.isArray(answer.result)) return 'NOT_BITRIX24';
	const scopes = answer.result.map(String);
	return ['crm', 'sale', 'pay_system'].some((scope) => scopes.includes(scope)) ? undefined : 'NO_PAYMENT_SCOPE';
}

export async function testWebhookConnection(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const url = String(credential.data?.webhookUrl ?? '');
	const host = hostOf(url);
	const webhook = WEBHOOK_URL_PATTERN.exec(url);
	if (!webhook) return failed('INVALID_WEBHOOK_URL', host);
	let response: { statusCode: number; body: unknown };
	try {
		// `scope` needs no permission and lists the webhook's own, so it tells a wrong secret from a missing scope.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- a credential test gets no other HTTP helper (ICredentialTestFunctions)
		response = (await this.helpers.request({
			method: 'POST',
			uri: `${webhook[1]}/scope`,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			followRedirect: false,
			followAllRedirects: false,
			timeout: TEST_TIMEOUT_MS,
		})) as { statusCode: number; body: unknown };
	} catch (error) {
		return failed(codeOf(error), host);
	}
	const code = answerCode(response.statusCode, response.body);
	if (code !== undefined) return failed(code, host);
	// Bitrix24 has no method that checks an application token: only its form can be checked here.
	const applicationToken = String(credential.data?.applicationToken ?? '').trim();
	if (applicationToken && !/^[A-Za-z0-9]{16,}$/.test(applicationToken)) return failed('BAD_APPLICATION_TOKEN', host);
	return { status: 'OK', message: `Connected to Bitrix24 at ${host}` };
}
