/**
 * Proves the harness runs nodes on the real engine: a throwaway declarative node and
 * credentials (defined here, not in nodes/) against a tiny local HTTP server.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Jest only, never shipped */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	INodeType,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { testCredential } from './credential-test';
import { runNode } from './engine';

// ---------------------------------------------------------------------------
// Local server: records every request; routes below.
// ---------------------------------------------------------------------------

interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: string;
}

const API_KEY = 'key-123';
const OLD_TOKEN = 'expired-token';
const NEW_TOKEN = 'fresh-token';

let server: Server;
let baseUrl: string;
let requests: RecordedRequest[] = [];

function send(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(body));
}

function handle(req: RecordedRequest, res: ServerResponse) {
	const { path, headers } = req;
	if (path === '/echo') {
		return send(res, 200, { method: req.method, body: req.body ? JSON.parse(req.body) : null });
	}
	if (path === '/whoami') {
		if (headers['x-api-key'] === API_KEY) return send(res, 200, { ok: true, user: 'tester' });
		if (headers['x-api-key'] === 'disabled') return send(res, 200, { ok: false });
		if (headers['x-api-key'] === 'banned') return send(res, 403, { error: 'banned' });
		return send(res, 401, { error: 'invalid key' });
	}
	if (path === '/oauth/token') {
		return send(res, 200, {
			access_token: NEW_TOKEN,
			refresh_token: 'fresh-refresh',
			token_type: 'Bearer',
			expires_in: 3600,
		});
	}
	if (path === '/protected') {
		if (headers.authorization === `Bearer ${NEW_TOKEN}`) return send(res, 200, { secret: 42 });
		// Only the first expired-token request is answered at once; later ones answer after
		// the refresh is over, so the core must find the new token in the stored credential.
		const expired = requestsTo('/protected').filter(
			(r) => r.headers.authorization !== `Bearer ${NEW_TOKEN}`,
		);
		const delayMs = expired.length > 1 ? 200 : 0;
		void sleep(delayMs).then(() => send(res, 401, { error: 'expired_token' }));
		return;
	}
	if (path === '/fail') return send(res, 500, { error: 'boom' });
	return send(res, 404, { error: 'not found' });
}

beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			const recorded = {
				method: req.method ?? '',
				path: (req.url ?? '').split('?')[0],
				headers: req.headers,
				body,
			};
			requests.push(recorded);
			handle(recorded, res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	requests = [];
});

const requestsTo = (path: string) => requests.filter((request) => request.path === path);

// ---------------------------------------------------------------------------
// Throwaway node and credential types.
// ---------------------------------------------------------------------------

class SelfCheckApi implements ICredentialType {
	name = 'selfCheckApi';

	displayName = 'Self Check API';

	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/whoami' },
		rules: [{ type: 'responseCode', properties: { value: 403, message: 'This key is banned' } }],
	};
}

class SelfCheckBodyRuleApi extends SelfCheckApi {
	name = 'selfCheckBodyRuleApi';

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/whoami' },
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'ok', value: false, message: 'This key is disabled' },
			},
		],
	};
}

class SelfCheckOAuth2Api implements ICredentialType {
	name = 'selfCheckOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Self Check OAuth2 API';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	];
}

/** Declarative node: `method` + `path` per request, `message` sent in the body of POSTs. */
function selfCheckNode(credentialName?: string): INodeType {
	return {
		description: {
			displayName: 'Self Check',
			name: 'harness.selfCheck',
			group: ['transform'],
			version: 1,
			description: 'Harness self-check node',
			defaults: { name: 'Self Check' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: credentialName ? [{ name: credentialName, required: true }] : undefined,
			requestDefaults: {
				baseURL: baseUrl,
				headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
			},
			properties: [
				{
					displayName: 'Method',
					name: 'method',
					type: 'options',
					options: [
						{ name: 'GET', value: 'GET', routing: { request: { method: 'GET' } } },
						{ name: 'POST', value: 'POST', routing: { request: { method: 'POST' } } },
					],
					default: 'GET',
				},
				{
					displayName: 'Path',
					name: 'path',
					type: 'string',
					default: '/echo',
					routing: { request: { url: '={{$value}}' } },
				},
				{
					displayName: 'Message',
					name: 'message',
					type: 'string',
					default: '',
					displayOptions: { show: { method: ['POST'] } },
					routing: { send: { type: 'body', property: 'message' } },
				},
			],
		},
	};
}

const oauthFixture = () => ({
	grantType: 'authorizationCode',
	authentication: 'body',
	clientId: 'client-id',
	clientSecret: 'client-secret',
	authUrl: `${baseUrl}/oauth/authorize`,
	accessTokenUrl: `${baseUrl}/oauth/token`,
	scope: '',
	oauthTokenData: { access_token: OLD_TOKEN, refresh_token: 'refresh-1', token_type: 'Bearer' },
});

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('engine harness (runNode)', () => {
	it('sends a POST with a JSON body and outputs the response', async () => {
		const result = await runNode({
			nodeType: selfCheckNode(),
			credentialTypes: [],
			parameters: { method: 'POST', path: '/echo', message: 'hello' },
		});

		expect(result.error).toBeUndefined();
		expect(requestsTo('/echo')).toHaveLength(1);
		expect(requestsTo('/echo')[0].headers['content-type']).toContain('application/json');
		expect(JSON.parse(requestsTo('/echo')[0].body)).toEqual({ message: 'hello' });
		expect(result.items).toEqual([
			{ json: { method: 'POST', body: { message: 'hello' } }, pairedItem: { item: 0 } },
		]);
	});

	it('applies a generic credential (header from $credentials)', async () => {
		const result = await runNode({
			nodeType: selfCheckNode('selfCheckApi'),
			credentialTypes: [new SelfCheckApi()],
			credential: { type: 'selfCheckApi', data: { baseUrl, apiKey: API_KEY } },
			parameters: { method: 'GET', path: '/whoami' },
		});

		expect(result.error).toBeUndefined();
		expect(requestsTo('/whoami')[0].headers['x-api-key']).toBe(API_KEY);
		expect(result.items.map((item) => item.json)).toEqual([{ ok: true, user: 'tester' }]);
	});

	describe('OAuth2 credential (extends oAuth2Api)', () => {
		it('refreshes once on 401 through the core and retries with the new token', async () => {
			const result = await runNode({
				nodeType: selfCheckNode('selfCheckOAuth2Api'),
				credentialTypes: [new SelfCheckOAuth2Api()],
				credential: { type: 'selfCheckOAuth2Api', data: oauthFixture() },
				parameters: { method: 'GET', path: '/protected' },
			});

			expect(result.error).toBeUndefined();
			expect(requestsTo('/protected').map((request) => request.headers.authorization)).toEqual([
				`Bearer ${OLD_TOKEN}`,
				`Bearer ${NEW_TOKEN}`,
			]);

			const tokenRequests = requestsTo('/oauth/token');
			expect(tokenRequests).toHaveLength(1);
			const form = new URLSearchParams(tokenRequests[0].body);
			expect(form.get('grant_type')).toBe('refresh_token');
			expect(form.get('refresh_token')).toBe('refresh-1');
			expect(form.get('client_id')).toBe('client-id');

			expect(result.credentialUpdates).toHaveLength(1);
			expect(result.credentialUpdates[0].oauthTokenData).toMatchObject({
				access_token: NEW_TOKEN,
				refresh_token: 'fresh-refresh',
			});
			expect(result.items.map((item) => item.json)).toEqual([{ secret: 42 }]);
		});

		it('refreshes only once for several items, reusing the stored new token for late 401s', async () => {
			const result = await runNode({
				nodeType: selfCheckNode('selfCheckOAuth2Api'),
				credentialTypes: [new SelfCheckOAuth2Api()],
				credential: { type: 'selfCheckOAuth2Api', data: oauthFixture() },
				parameters: { method: 'GET', path: '/protected' },
				items: [{ json: {} }, { json: {} }, { json: {} }],
			});

			expect(result.error).toBeUndefined();
			expect(requestsTo('/protected')).toHaveLength(6);
			expect(requestsTo('/oauth/token')).toHaveLength(1);
			expect(result.credentialUpdates).toHaveLength(1);
			expect(result.items.map((item) => item.json)).toEqual([
				{ secret: 42 },
				{ secret: 42 },
				{ secret: 42 },
			]);
		});
	});

	describe('errors', () => {
		it('fails the run with the real NodeApiError fields', async () => {
			const result = await runNode({
				nodeType: selfCheckNode(),
				credentialTypes: [],
				parameters: { method: 'GET', path: '/fail' },
			});

			expect(result.items).toEqual([]);
			expect(result.error).toBeDefined();
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.httpCode).toBe('500');
			expect(result.run.status).toBe('error');
		});

		it('continueOnFail outputs an item with json.error', async () => {
			const result = await runNode({
				nodeType: selfCheckNode(),
				credentialTypes: [],
				parameters: { method: 'GET', path: '/fail' },
				continueOnFail: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(result.items[0].json.error).toBe('Request failed with status code 500');
			expect(result.items[0].error).toBeDefined();
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
		});

		it('continueErrorOutput routes the failed item to the error output', async () => {
			const result = await runNode({
				nodeType: selfCheckNode(),
				credentialTypes: [],
				parameters: { method: 'GET', path: '/fail' },
				items: [{ json: { id: 7 } }],
				onError: 'continueErrorOutput',
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([]);
			// The engine splits errors off before it assigns pairedItem, so a declarative
			// node's error item carries only the error (not the input item's fields).
			expect(result.errorItems).toHaveLength(1);
			expect(result.errorItems[0].json).toEqual({ error: 'Request failed with status code 500' });
		});
	});

	it('gives one output item per input item, with pairedItem set by the engine', async () => {
		const result = await runNode({
			nodeType: selfCheckNode(),
			credentialTypes: [],
			parameters: { method: 'POST', path: '/echo', message: '={{ "item " + $json.n }}' },
			items: [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }],
		});

		expect(result.error).toBeUndefined();
		expect(requestsTo('/echo')).toHaveLength(3);
		expect(result.items).toEqual([
			{ json: { method: 'POST', body: { message: 'item 1' } }, pairedItem: { item: 0 } },
			{ json: { method: 'POST', body: { message: 'item 2' } }, pairedItem: { item: 1 } },
			{ json: { method: 'POST', body: { message: 'item 3' } }, pairedItem: { item: 2 } },
		]);
	});
});

describe('testCredential', () => {
	it('returns OK when the test request succeeds (credential applied)', async () => {
		const result = await testCredential(new SelfCheckApi(), { baseUrl, apiKey: API_KEY });

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(requestsTo('/whoami')[0].headers['x-api-key']).toBe(API_KEY);
	});

	it('returns the status text for a non-2xx answer without a matching rule', async () => {
		const result = await testCredential(new SelfCheckApi(), { baseUrl, apiKey: 'wrong' });

		expect(result).toEqual({ status: 'Error', message: 'Unauthorized' });
	});

	it('applies a responseCode rule', async () => {
		const result = await testCredential(new SelfCheckApi(), { baseUrl, apiKey: 'banned' });

		expect(result).toEqual({ status: 'Error', message: 'This key is banned' });
	});

	it('applies a responseSuccessBody rule', async () => {
		const result = await testCredential(new SelfCheckBodyRuleApi(), {
			baseUrl,
			apiKey: 'disabled',
		});

		expect(result).toEqual({ status: 'Error', message: 'This key is disabled' });
	});

	it('reports the network error code when nothing answers', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
		await new Promise((resolve) => closed.close(resolve));

		const result = await testCredential(new SelfCheckApi(), { baseUrl: deadUrl, apiKey: API_KEY });

		expect(result).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});
});
