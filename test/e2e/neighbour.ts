/**
 * Another Bitrix24 community package, installed beside ours in the e2e tests' n8n: it registers the credential type
 * names other Bitrix24 packages use (`bitrix24WebhookApi`, as zenland-dev/n8n-nodes-bitrix24 does, and
 * `bitrix24OAuth2Api`, the name a native node would take), with data keys of its own (`portal`, `webhookToken`),
 * and one node that reads a CRM payment with either. n8n keeps one credential type per name across all packages,
 * the last loaded winning: were our names the same, one of the two packages would be handed the other's credential.
 *
 * Written as plain CommonJS by the test (nothing to compile), into a temporary folder laid out as a package from npm.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: writes the fixture package with node:fs, never shipped */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */

import type { Bitrix24Emulator, OAuthTokenData } from '../emulator/server';
import { DEFAULT_WEBHOOK_SECRET } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';

export const NEIGHBOUR = {
	name: 'n8n-nodes-other-bitrix24',
	version: '1.0.0',
	/** Its node's type in a workflow, as n8n names a community package's node. */
	nodeType: 'n8n-nodes-other-bitrix24.otherBitrix24',
	credentialTypes: ['bitrix24WebhookApi', 'bitrix24OAuth2Api'],
};

const WEBHOOK_CREDENTIAL = `class Bitrix24WebhookApi {
	name = 'bitrix24WebhookApi';
	displayName = 'Bitrix24 Webhook API';
	properties = [
		{ displayName: 'Portal', name: 'portal', type: 'string', default: '', placeholder: 'https://yourcompany.bitrix24.com' },
		{ displayName: 'Webhook Token', name: 'webhookToken', type: 'string', typeOptions: { password: true }, default: '', placeholder: '1/abcdef' },
	];
}
module.exports = { Bitrix24WebhookApi };
`;

const OAUTH2_CREDENTIAL = `class Bitrix24OAuth2Api {
	name = 'bitrix24OAuth2Api';
	extends = ['oAuth2Api'];
	displayName = 'Bitrix24 OAuth2 API';
	properties = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Portal', name: 'portal', type: 'string', default: '' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: '={{ $self.portal + "/oauth/authorize/" }}' },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: 'https://oauth.bitrix.info/oauth/token/' },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	];
}
module.exports = { Bitrix24OAuth2Api };
`;

/** A declarative node: Payment ID -> crm.item.payment.get, on the webhook's path or with the app's token. */
const NODE = `class OtherBitrix24 {
	description = {
		displayName: 'Other Bitrix24',
		name: 'otherBitrix24',
		icon: 'fa:plug',
		group: ['transform'],
		version: 1,
		description: 'Another Bitrix24 package, installed beside Bitrix24 Payments by its tests',
		defaults: { name: 'Other Bitrix24' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'bitrix24WebhookApi', required: true, displayOptions: { show: { authentication: ['webhook'] } } },
			{ name: 'bitrix24OAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		requestDefaults: {
			baseURL: '={{ $parameter.authentication === "oAuth2" ? $credentials.portal + "/rest" : $credentials.portal + "/rest/" + $credentials.webhookToken }}',
			headers: { Accept: 'application/json' },
		},
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Webhook', value: 'webhook' },
					{ name: 'OAuth2', value: 'oAuth2' },
				],
				default: 'webhook',
			},
			{
				displayName: 'Payment ID',
				name: 'paymentId',
				type: 'number',
				default: 0,
				routing: {
					request: { method: 'POST', url: '/crm.item.payment.get.json', body: { id: '={{ $value }}' } },
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'result' } }] },
				},
			},
		],
	};
}
module.exports = { OtherBitrix24 };
`;

const FILES: Record<string, string> = {
	'package.json': JSON.stringify(
		{
			name: NEIGHBOUR.name,
			version: NEIGHBOUR.version,
			description: 'Test fixture: another Bitrix24 community package',
			keywords: ['n8n-community-node-package'],
			license: 'MIT',
			main: 'index.js',
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/Bitrix24WebhookApi.credentials.js', 'dist/credentials/Bitrix24OAuth2Api.credentials.js'],
				nodes: ['dist/nodes/OtherBitrix24/OtherBitrix24.node.js'],
			},
		},
		null,
		2,
	),
	'index.js': 'module.exports = {};\n',
	'dist/credentials/Bitrix24WebhookApi.credentials.js': WEBHOOK_CREDENTIAL,
	'dist/credentials/Bitrix24OAuth2Api.credentials.js': OAUTH2_CREDENTIAL,
	'dist/nodes/OtherBitrix24/OtherBitrix24.node.js': NODE,
};

let folder: string | undefined;

/** The fixture package's folder, written once per test process. */
export function neighbourPackage(): string {
	if (folder) return folder;
	folder = mkdtempSync(join(tmpdir(), 'n8n-e2e-neighbour-'));
	for (const [path, text] of Object.entries(FILES)) {
		mkdirSync(dirname(join(folder, path)), { recursive: true });
		writeFileSync(join(folder, path), text);
	}
	return folder;
}

/** The other package's credentials on the emulator, as its users would fill them in: its own keys, not ours. */
export function neighbourCredentials(emulator: Bitrix24Emulator, token: OAuthTokenData) {
	return [
		{
			id: 'e2eOtherWebhook1',
			name: 'Other package: Bitrix24 webhook',
			type: 'bitrix24WebhookApi',
			data: { portal: emulator.baseUrl, webhookToken: `1/${DEFAULT_WEBHOOK_SECRET}` },
		},
		{
			id: 'e2eOtherOAuth201',
			name: 'Other package: Bitrix24 app',
			type: 'bitrix24OAuth2Api',
			// The OAuth2 fields n8n keeps for any app, and the package's own key for the portal.
			data: { ...credentialData(emulator, 'oAuth2', token), portal: emulator.baseUrl },
		},
	];
}

/** A manual run of the other package's node reading one payment, with its webhook or its app credential. */
export function neighbourWorkflow(id: string, authentication: 'webhook' | 'oAuth2', paymentId: number) {
	const credential = authentication === 'webhook' ? { bitrix24WebhookApi: { id: 'e2eOtherWebhook1', name: 'Other package: Bitrix24 webhook' } } : { bitrix24OAuth2Api: { id: 'e2eOtherOAuth201', name: 'Other package: Bitrix24 app' } };
	return {
		id,
		name: `Other Bitrix24 package (${authentication})`,
		active: false,
		nodes: [
			{ id: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: 'Read with the other package',
				type: NEIGHBOUR.nodeType,
				typeVersion: 1,
				position: [220, 0],
				parameters: { authentication, paymentId },
				credentials: credential,
			},
		],
		connections: { Start: { main: [[{ node: 'Read with the other package', type: 'main', index: 0 }]] } },
		settings: {},
	};
}
