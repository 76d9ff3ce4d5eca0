/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator check: node:https with the emulator's certificate, never shipped */
// The portal's sign-in page for apps (/oauth/authorize/) over https on the emulator's one port, as n8n's OAuth2
// Connect button opens it: the form, signing in, the browser sent back with the code, the code exchanged once.

import { readFileSync } from 'node:fs';
import https from 'node:https';

import { Bitrix24Emulator } from './server';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

let emu: Bitrix24Emulator;
let ca: Buffer;

/** A request over https that trusts only the emulator's certificate (so the certificate must name 127.0.0.1). */
function secure(path: string, form?: Record<string, string>): Promise<Answer> {
	const { port } = new URL(emu.baseUrl);
	const body = form ? new URLSearchParams(form).toString() : undefined;
	return new Promise((resolve, reject) => {
		const req = https.request(
			{
				host: '127.0.0.1',
				port,
				path,
				method: form ? 'POST' : 'GET',
				ca,
				headers: form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

async function exchange(code: string) {
	const res = await fetch(`${emu.baseUrl}/oauth/token/`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'authorization_code', client_id: emu.oauthApp.clientId, client_secret: emu.oauthApp.clientSecret, code }),
	});
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const CALLBACK = 'http://n8n.example.test:5678/rest/oauth2-credential/callback';
const query = (o: Record<string, string>) => `/oauth/authorize/?${new URLSearchParams(o).toString()}`;

beforeAll(async () => {
	emu = await Bitrix24Emulator.start();
	expect(emu.certificatePath).toBeDefined();
	ca = readFileSync(emu.certificatePath!);
});
afterAll(() => emu.stop());

test('https on the REST port: the sign-in page names the app and offers the portal users', async () => {
	const page = await secure(query({ client_id: emu.oauthApp.clientId, state: 's1', redirect_uri: CALLBACK, response_type: 'code' }));
	expect(page.status).toBe(200);
	expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
	expect(page.body).toContain(`Sign in to ${new URL(emu.baseUrl).host}`);
	expect(page.body).toContain('The application <code>local.emulator.app</code> asks to work with this Bitrix24');
	expect(page.body).toMatch(/value="1" checked> Anna Admin \(user 1, administrator\)/);
	expect(page.body).toContain('Rita Reader (user 7)');
	expect(page.body).toContain('<button type="submit">Sign in and allow</button>');
	// The same port still answers plain HTTP (webhooks, the token endpoint).
	const plain = await fetch(`${emu.webhookUrl()}scope.json`);
	expect(plain.status).toBe(200);
});

test('signing in sends the browser to redirect_uri with code, state, domain, member_id, scope, server_domain; the code works once', async () => {
	const signedIn = await secure('/oauth/authorize/', { client_id: emu.oauthApp.clientId, state: 'n8n-state', redirect_uri: CALLBACK, user_id: '7' });
	expect(signedIn.status).toBe(302);
	const back = new URL(String(signedIn.headers.location));
	expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
	expect(Object.fromEntries(back.searchParams)).toEqual({
		code: expect.stringMatching(/^[0-9a-f]{32}$/),
		state: 'n8n-state',
		domain: new URL(emu.baseUrl).host,
		member_id: emu.state.memberId,
		scope: emu.oauthApp.scopes.join(','),
		server_domain: 'oauth.bitrix.info',
	});

	const token = await exchange(back.searchParams.get('code')!);
	expect(token.status).toBe(200);
	expect(token.json).toMatchObject({ user_id: 7, client_endpoint: `${emu.baseUrl}/rest/`, member_id: emu.state.memberId });
	expect(emu.state.tokens.get(String(token.json.access_token))).toMatchObject({ userId: 7, clientId: emu.oauthApp.clientId });
	expect(await exchange(back.searchParams.get('code')!)).toEqual({
		status: 400,
		json: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
	});
});

test("an app's registered address wins over redirect_uri; an app without either shows its code", async () => {
	const registered = emu.addOAuthApp({ clientId: 'local.registered.app', clientSecret: 's', handlerUrl: 'https://app.example.test/install/' });
	const toApp = await secure('/oauth/authorize/', { client_id: registered.clientId, state: 'x', redirect_uri: CALLBACK, user_id: '1' });
	expect(String(toApp.headers.location)).toMatch(/^https:\/\/app\.example\.test\/install\/\?code=[0-9a-f]{32}&state=x&/);

	const shown = await secure('/oauth/authorize/', { client_id: emu.oauthApp.clientId, state: '', user_id: '1' });
	expect(shown.status).toBe(200);
	expect(shown.body).toMatch(/Its code \(valid 30 s, once\):<\/p><p><code>[0-9a-f]{32}<\/code>/);
});

test('an app that is not installed gets an error page and no code', async () => {
	const codes = emu.state.authCodes.size;
	const page = await secure('/oauth/authorize/', { client_id: 'local.nobody<script>', state: 'x', redirect_uri: CALLBACK, user_id: '1' });
	expect(page.status).toBe(404);
	expect(page.body).toContain('No application with client_id <code>local.nobody&#60;script&#62;</code> is installed');
	expect(page.headers.location).toBeUndefined();
	expect(emu.state.authCodes.size).toBe(codes);
});
