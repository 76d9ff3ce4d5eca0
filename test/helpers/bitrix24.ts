/**
 * The package against the emulator: the credential data n8n would hold for it, items as a previous node passes
 * them, and where its requests go.
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';

import type { Bitrix24Emulator, RecordedRequest } from '../emulator/server';
import { DEFAULT_WEBHOOK_SECRET } from '../emulator/server';

export type Auth = 'webhook' | 'oAuth2';
export const AUTHS: Auth[] = ['webhook', 'oAuth2'];

/** The credential data n8n would hold: a webhook URL, or an OAuth2 credential after "Connect my account". */
export function credentialData(emulator: Bitrix24Emulator, auth: Auth, token?: object): ICredentialDataDecryptedObject {
	// No client-side pacing unless a test asks for it: each test starts with a fresh emulator bucket, and a
	// test file's many short runs would otherwise queue behind each other in the node's process-wide limiter.
	if (auth === 'webhook') return { webhookUrl: emulator.webhookUrl(), rateLimit: 'none' };
	return {
		rateLimit: 'none',
		grantType: 'authorizationCode',
		domain: new URL(emulator.baseUrl).host,
		clientId: emulator.oauthApp.clientId,
		clientSecret: emulator.oauthApp.clientSecret,
		accessTokenUrl: `${emulator.baseUrl}/oauth/token/`,
		authUrl: `${emulator.baseUrl}/oauth/authorize/`,
		scope: '',
		authQueryParameters: '',
		authentication: 'body',
		oauthTokenData: { ...(token ?? emulator.issueToken()) },
	};
}

/** Items carrying one value each, as a previous node would pass them. */
export function itemsOf(...values: object[]): INodeExecutionData[] {
	return values.map((json) => ({ json: json as INodeExecutionData['json'] }));
}

/** Where a REST call goes with each credential: the webhook path with its secret, or `/rest/` with a token. */
export function restPath(auth: Auth, method: string): string {
	return auth === 'webhook' ? `/rest/1/${DEFAULT_WEBHOOK_SECRET}/${method}` : `/rest/${method}`;
}

/** The one REST call of a run; with `auth`, also checked to be a POST that went where that credential points. */
export function onlyCall(emulator: Bitrix24Emulator, method: string, auth?: Auth): RecordedRequest {
	const calls = emulator.restCalls();
	expect(calls.map((call) => call.restMethod)).toEqual([method.toLowerCase()]);
	const [call] = calls;
	if (auth) {
		expect(call.path).toBe(restPath(auth, method));
		expect(call.auth).toBe(auth === 'webhook' ? 'webhook' : 'oauth');
		expect(call.httpMethod).toBe('POST');
	}
	return call;
}
