import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, INodeCredentialTestResult } from 'n8n-workflow';

import { classOfCode, COPY_AGAIN, TEST_TIMEOUT_MS } from './codes';
import { WEBHOOK_URL_PATTERN } from '../../credentials/fields';

/**
 * The Test button of the "Bitrix24 Payments Webhook API" credential. Every node that uses the credential names this function
 * (`testedBy`): a request test in the credential would report a failed connection as n8n's bare code (ENOTFOUND),
 * while the user, who cannot see the masked URL, needs to know which host was tried and what to change.
 * Messages name the host, never the URL: the URL holds the webhook secret.
 */

/**
 * The test's own verdicts; every other failure is named by its code (a network or TLS code as Node.js reports
 * it, or a Bitrix24 code) and told in the code table's words (codes.ts). `{host}` is the host tried.
 */
const NOT_A_WEBHOOK_URL = `This is not a Bitrix24 inbound webhook URL: it must look like https://yourcompany.bitrix24.com/rest/1/abc123def456/, https:// included. ${COPY_AGAIN}`;
const OWN_VERDICTS: Record<string, string> = {
	INVALID_WEBHOOK_URL: NOT_A_WEBHOOK_URL,
	ERR_INVALID_URL: NOT_A_WEBHOOK_URL,
	MOVED: "{host} sends the request elsewhere (a redirect): the portal may have a new address. Create the inbound webhook again on the portal's current address and copy its URL.",
	BAD_APPLICATION_TOKEN:
		'The webhook URL works, but the Outgoing Webhook Application Token is not one: copy the "Application token" shown on the outgoing webhook\'s page in Bitrix24 (letters and digits), or leave it empty if you do not use Bitrix24 Payments Trigger with an outgoing webhook.',
};
/** The host (and port) a URL names, for messages; empty when the text names none that is safe to show. */
function hostOf(url: string): string {
	const match = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/)?([^/\s?#@]+)\//i.exec(url);
	const host = match?.[1] ?? '';
	// Only something shaped like a host name: a pasted secret alone must not be shown.
	return /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+|\[[0-9a-f:]+\])(:\d+)?$/i.test(host) ? host.toLowerCase() : '';
}

function failed(code: string, host: string): INodeCredentialTestResult {
	const message =
		OWN_VERDICTS[code] ?? classOfCode(code)?.test ?? `The test request to {host} failed (${code || 'no answer'}): check the portal address in the URL.`;
	return { status: 'Error', message: message.split('{host}').join(host || 'the portal') };
}

/** The code of a failed request, whatever wrapped it: n8n's request helper keeps Node's on the error or its cause. */
function codeOf(error: unknown): string {
	for (let current = error as IDataObject | undefined, depth = 0; current && depth < 4; current = current.cause as IDataObject, depth++) {
		if (typeof current.code === 'string' && current.code) return current.code;
	}
	return /timeout/i.test(String((error as Error)?.message)) ? 'ETIMEDOUT' : '';
}

/** What the portal's answer to `scope` says: the code of a failure, or undefined when the webhook is usable. */
function answerCode(status: number, body: unknown): string | undefined {
	const answer = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
	if (typeof answer.error === 'string' && answer.error) return answer.error.toLowerCase();
	if (status >= 300 && status < 400) return 'MOVED';
	// A status without a Bitrix24 body says what the codes would.
	if (status === 401) return 'invalid_credentials';
	if (status === 403) return 'access_denied';
	// Anything else that is not a list of scopes is not the Bitrix24 REST API.
	if (status !== 200 || !Array.isArray(answer.result)) return 'error_method_not_found';
	const scopes = answer.result.map(String);
	return ['crm', 'sale', 'pay_system'].some((scope) => scopes.includes(scope)) ? undefined : 'insufficient_scope';
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
