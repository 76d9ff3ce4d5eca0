/**
 * Runs the BUILT package (dist/) on n8n's real engine against the emulator: what a user installs is what
 * the tests judge.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import type { Bitrix24Emulator, RecordedRequest } from '../emulator/server';
import { DEFAULT_WEBHOOK_SECRET } from '../emulator/server';
import type { RunNodeResult } from './engine';
import { runNode } from './engine';

/* eslint-disable @typescript-eslint/no-require-imports -- the built files are loaded as n8n loads them */
const { Bitrix24Payments } = require('../../dist/nodes/Bitrix24Payments/Bitrix24Payments.node.js');
const { Bitrix24WebhookApi } = require('../../dist/credentials/Bitrix24WebhookApi.credentials.js');
const { Bitrix24OAuth2Api } = require('../../dist/credentials/Bitrix24OAuth2Api.credentials.js');
/* eslint-enable @typescript-eslint/no-require-imports */

export const nodeType: INodeType = new Bitrix24Payments();
export const webhookCredentialType: ICredentialType = new Bitrix24WebhookApi();
export const oauthCredentialType: ICredentialType = new Bitrix24OAuth2Api();

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

export interface RunOptions {
	auth?: Auth;
	parameters: INodeParameters;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** Overrides the credential data (a wrong secret, an expired token ...). */
	credentials?: ICredentialDataDecryptedObject;
}

export async function run(emulator: Bitrix24Emulator, options: RunOptions): Promise<RunNodeResult> {
	const auth = options.auth ?? 'webhook';
	return await runNode({
		nodeType,
		credentialTypes: [webhookCredentialType, oauthCredentialType],
		parameters: { authentication: auth, ...options.parameters },
		credentials: {
			type: auth === 'webhook' ? 'bitrix24WebhookApi' : 'bitrix24OAuth2Api',
			data: options.credentials ?? credentialData(emulator, auth),
		},
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
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
