/**
 * The credentials as n8n's credential screen uses them: the webhook credential's Test button (run as n8n's
 * CLI runs it) tells plainly whether the URL works; the OAuth2 credential points n8n at Bitrix24's servers.
 */
import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, DEFAULT_WEBHOOK_SECRET } from './emulator/server';
import { oauthCredentialType, webhookCredentialType } from './helpers/package';
import { testCredential } from './helpers/credential-test';

let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

describe('Bitrix24 Webhook API: Test', () => {
	test.each([
		['as copied from Bitrix24', (url: string) => url],
		['without the trailing slash', (url: string) => url.replace(/\/$/, '')],
		["with Bitrix24's example method still on it", (url: string) => `${url}profile.json`],
	])('a working URL %s: "Connection successful!", checked with the scope method', async (_name, shape) => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: shape(emulator.webhookUrl()) });

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [call] = emulator.restCalls();
		expect(call.path).toBe(`/rest/1/${DEFAULT_WEBHOOK_SECRET}/scope`);
		expect(call.status).toBe(200);
	});

	test('a webhook with fewer permissions still connects (the node names a missing one when it is needed)', async () => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: emulator.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret) });
		expect(result.status).toBe('OK');
	});

	test('a wrong secret: says the user ID or secret is wrong and where to copy the URL from', async () => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: emulator.webhookUrl(1, 'notthesecret') });

		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Bitrix24 rejected this webhook: the user ID or secret in the URL is wrong/);
		expect(result.message).toMatch('Developer resources > Other > Inbound webhook');
		expect(emulator.restCalls()[0].status).toBe(401);
	});

	test('an address that is not a Bitrix24 REST API: says what the URL should look like', async () => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: `${emulator.baseUrl}/crm/deal/` });

		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^No Bitrix24 REST API answered at this address/);
		expect(result.message).toMatch('https://PORTAL/rest/USER_ID/SECRET/');
	});

	test('an unreachable portal: an error naming the connection failure', async () => {
		const result = await testCredential(webhookCredentialType, { webhookUrl: `http://127.0.0.1:9/rest/1/${DEFAULT_WEBHOOK_SECRET}/` });

		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/ECONNREFUSED|refused/);
	});

	test('the URL field is masked', () => {
		const [field] = webhookCredentialType.properties;
		expect(field.name).toBe('webhookUrl');
		expect(field.typeOptions?.password).toBe(true);
	});
});

describe('Bitrix24 OAuth2 API', () => {
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
