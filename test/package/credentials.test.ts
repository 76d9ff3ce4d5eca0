/**
 * The credentials as n8n's credential screen uses them: the webhook credential's Test button (run as n8n's
 * CLI runs it) tells plainly whether the URL works; the OAuth2 credential points n8n at Bitrix24's servers.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: local servers a mistyped URL may reach (node:http, https, net), never shipped */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, DEFAULT_WEBHOOK_SECRET } from '../emulator/server';
import { selfSignedCertificate } from '../emulator/tls';
import { oauthCredentialType, webhookCredentialType } from '../helpers/package';
import { testCredential } from '../helpers/credential-test';

let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** A server on 127.0.0.1 for the duration of a test: what a typo in the URL may reach instead of Bitrix24. */
async function listening(server: http.Server | https.Server | net.Server): Promise<{ port: number; close: () => Promise<void> }> {
	const sockets = new Set<net.Socket>();
	server.on('connection', (socket: net.Socket) => sockets.add(socket));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		port: (server.address() as net.AddressInfo).port,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** A self-signed certificate for 127.0.0.1, as a self-hosted portal's admin might make with openssl. */
function selfSigned(): { key: Buffer; cert: Buffer } {
	const tls = selfSignedCertificate();
	if (!tls) throw new Error('openssl is needed to make a self-signed certificate');
	return tls;
}

describe('Bitrix24 Payments Webhook API: Test', () => {
	const SECRET = DEFAULT_WEBHOOK_SECRET;

	test.each([
		['as copied from Bitrix24', (url: string) => url],
		['without the trailing slash', (url: string) => url.replace(/\/$/, '')],
		["with Bitrix24's example method still on it", (url: string) => `${url}profile.json`],
	])('a working URL %s: OK, naming the portal, checked with the scope method', async (_name, shape) => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: shape(emulator.webhookUrl()) });

		expect(result).toEqual({ status: 'OK', message: `Connected to Bitrix24 at ${new URL(emulator.baseUrl).host}` });
		const [call] = emulator.restCalls();
		expect(call.path).toBe(`/rest/1/${SECRET}/scope`);
		expect(call.status).toBe(200);
	});

	test('a webhook with fewer permissions still connects (the node names a missing one when it is needed)', async () => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: emulator.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret) });
		expect(result.status).toBe('OK');
	});

	/** Each way a URL goes wrong, as a user makes it, and the words that must tell them what to do. */
	const failures: Array<[string, () => Promise<string> | string, RegExp]> = [
		['a wrong secret', () => emulator.webhookUrl(1, 'notthesecretQ7'), /^Bitrix24 at 127\.0\.0\.1:\d+ rejected this webhook: the user ID or secret in the URL is wrong.*Developer resources > Other > Inbound webhook/],
		[
			'a webhook with none of the payment permissions',
			() => {
				emulator.addWebhook({ userId: 7, secret: 'userscopeonly7x', scopes: ['user'], canWrite: true });
				return emulator.webhookUrl(7, 'userscopeonly7x');
			},
			/^The webhook works, but lacks the permissions this node needs: .*tick CRM \(crm\), Online Store \(sale\) and Payment systems \(pay_system\)/,
		],
		['a typo in the portal name (unknown host)', () => `https://yourcompnay.invalid/rest/1/${SECRET}/`, /^No server named yourcompnay\.invalid was found: check the portal name/],
		['the URL without https://', () => `yourcompany.bitrix24.com/rest/1/${SECRET}/`, /^This is not a Bitrix24 inbound webhook URL: it must look like https:\/\/.*https:\/\/ included/],
		['a URL without /rest/USER_ID/', () => `${emulator.baseUrl}/crm/deal/${SECRET}/`, /^This is not a Bitrix24 inbound webhook URL/],
		['a wrong port (refused)', () => `http://127.0.0.1:9/rest/1/${SECRET}/`, /^127\.0\.0\.1:9 refused the connection: nothing answers at that address and port/],
	];

	test.each(failures)('%s: a plain message naming the host and the fix, never the secret', async (_name, url, message) => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: await url() });

		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(result.message).not.toMatch(/notthesecretQ7|userscopeonly7x/);
		expect(result.message).not.toContain(SECRET);
	});

	test('an address that answers, but is not Bitrix24 (a web server with a page for every path)', async () => {
		const site = await listening(http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Welcome</html>')));
		try {
			const result = await testCredential(webhookCredentialType, { webhookUrl: `http://127.0.0.1:${site.port}/rest/1/${SECRET}/` });
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${site.port} answered, but not as the Bitrix24 REST API`)) });
			expect(result.message).not.toContain(SECRET);
		} finally {
			await site.close();
		}
	});

	test('a self-hosted portal whose certificate is self-signed: the secure connection failed, and how to fix it', async () => {
		const portal = await listening(https.createServer(selfSigned(), (_req, res) => res.end('{"result":["crm"]}')));
		try {
			const result = await testCredential(webhookCredentialType, { webhookUrl: `https://127.0.0.1:${portal.port}/rest/1/${SECRET}/` });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(new RegExp(`^The secure connection to 127\\.0\\.0\\.1:${portal.port} failed: its certificate is not trusted.*NODE_EXTRA_CA_CERTS`));
		} finally {
			await portal.close();
		}
	});

	test('an address that accepts the connection and never answers: gives up after 10 seconds, saying so', async () => {
		const silent = await listening(net.createServer(() => undefined));
		try {
			const result = await testCredential(webhookCredentialType, { webhookUrl: `http://127.0.0.1:${silent.port}/rest/1/${SECRET}/` });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${silent.port} did not answer within 10 seconds`));
		} finally {
			await silent.close();
		}
	}, 30_000);

	test('an application token that is not one (pasted with spaces inside) fails; a real one passes', async () => {
		const webhookUrl = emulator.webhookUrl();
		const wrong = await testCredential(webhookCredentialType, { webhookUrl, applicationToken: 'copy the token here' });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/^The webhook URL works, but the Outgoing Webhook Application Token is not one/);

		const { applicationToken } = emulator.addOutgoingWebhook({ handler: 'https://n8n.example.com/webhook/x/webhook', events: ['ONPAYMENTENTITYSAVED'] });
		expect(await testCredential(webhookCredentialType, { webhookUrl, applicationToken })).toMatchObject({ status: 'OK' });
	});

	test('the URL field and the application token are masked, and every field has a hint', () => {
		const field = (name: string) => webhookCredentialType.properties.find((property) => property.name === name);
		expect(field('webhookUrl')?.typeOptions?.password).toBe(true);
		expect(field('applicationToken')?.typeOptions?.password).toBe(true);
		expect(field('applicationToken')?.required).toBeFalsy();
		expect(field('applicationToken')?.hint).toMatch(/^Only Bitrix24 Payments Trigger uses it. In Bitrix24: Developer resources > Other > Outgoing webhook/);
		for (const type of [webhookCredentialType, oauthCredentialType]) {
			const visible = type.properties.filter((property) => property.type !== 'hidden');
			expect(visible.filter((property) => !property.hint).map((property) => `${type.name}.${property.name}`)).toEqual([]);
		}
	});
});

describe('Bitrix24 Payments OAuth2 API', () => {
	const property = (name: string) => oauthCredentialType.properties.find((p) => p.name === name);

	test("extends n8n's OAuth2 credential, with the authorization code grant", () => {
		expect(oauthCredentialType.extends).toEqual(['oAuth2Api']);
		expect(property('grantType')?.default).toBe('authorizationCode');
	});

	test("tokens come from Bitrix24's OAuth server by default, client id and secret sent in the body", () => {
		expect(property('accessTokenUrl')?.default).toBe('https://oauth.bitrix.info/oauth/token/');
		expect(property('authentication')?.default).toBe('body');
	});

	test('the sign-in page is on the portal named in the credential', () => {
		expect(property('domain')?.required).toBe(true);
		expect(property('authUrl')?.type).toBe('hidden');
		expect(property('authUrl')?.default).toContain('/oauth/authorize/');
		expect(property('authUrl')?.default).toContain('$self.domain');
	});
});
