/**
 * The webhook secret, tokens and the client secret never appear in outputs, errors (n8n's HTTP layer included)
 * or the engine's logs, whatever goes wrong.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: captures the process's and the console's output */
import { Console } from 'node:console';
import type { INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import { credentialData, itemsOf } from '../helpers/bitrix24';
import type { RunNodeOptions } from '../helpers/engine';
import { runNode } from '../helpers/engine';

// Debug logging on: whatever n8n logs while these runs fail is checked too.
process.env.N8N_LOG_LEVEL = 'debug';

const { payments, paySystems } = SEED_IDS;
let emulator: Bitrix24Emulator;
let logged = '';
const capture = (chunk: unknown) => {
	logged += String(chunk);
	return true;
};
const original = {
	console: globalThis.console,
	out: process.stdout.write.bind(process.stdout),
	err: process.stderr.write.bind(process.stderr),
};

// n8n's logger (winston's Console transport) writes to the console: to console._stdout/_stderr when it has them,
// else through console.log bound when the logger is built (Jest's console in a worker). So the console is replaced
// before the first run builds the logger, and the process's streams are captured too.
beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
	const sink = { write: capture };
	globalThis.console = new Console({ stdout: sink as unknown as NodeJS.WritableStream, stderr: sink as unknown as NodeJS.WritableStream });
	process.stdout.write = capture as typeof process.stdout.write;
	process.stderr.write = capture as typeof process.stderr.write;
});
afterAll(async () => {
	globalThis.console = original.console;
	process.stdout.write = original.out;
	process.stderr.write = original.err;
	await emulator.stop();
});

const pay: INodeParameters = { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' };
const update: INodeParameters = { resource: 'orderPayment', operation: 'update', paymentId: '={{ $json.id }}', paySystemId: paySystems.CASH };
const payPayment: INodeParameters = { resource: 'paySystem', operation: 'payPayment', paymentId: '={{ $json.id }}', paySystemId: 99 };
const items = itemsOf({ id: payments.UNPAID }, { id: 9999 }, { id: 'abc' });

const WRONG_SECRET = 'wrongsecretZ9Q8';
const MISTYPED_CLIENT_VALUE = 'typo-client-secretQ7';

type Scenario = [string, () => Omit<RunNodeOptions, 'emulator'>];
const scenarios: Scenario[] = [
	['webhook: success, not found and bad input', () => ({ parameters: pay, items })],
	['webhook: a wrong secret', () => ({ parameters: pay, items, credentials: { webhookUrl: emulator.webhookUrl(1, WRONG_SECRET) } })],
	['webhook: order payment errors', () => ({ parameters: update, items })],
	['webhook: pay system errors', () => ({ parameters: payPayment, items })],
	['webhook: a page that is not the REST API', () => ({ parameters: pay, items, credentials: { webhookUrl: `${emulator.baseUrl}/portal/rest/1/${DEFAULT_WEBHOOK_SECRET}/` } })],
	['webhook: an unreachable portal', () => ({ parameters: pay, items, credentials: { webhookUrl: `http://127.0.0.1:9/rest/1/${DEFAULT_WEBHOOK_SECRET}/` } })],
	['OAuth2: success, not found and bad input', () => ({ auth: 'oAuth2', parameters: pay, items })],
	['OAuth2: expired token, refreshed', () => ({ auth: 'oAuth2', parameters: pay, items, credentials: credentialData(emulator, 'oAuth2', emulator.issueToken({ expired: true })) })],
	['OAuth2: expired token, refresh refused', () => ({
		auth: 'oAuth2', parameters: pay, items,
		credentials: { ...credentialData(emulator, 'oAuth2', emulator.issueToken({ expired: true })), clientSecret: MISTYPED_CLIENT_VALUE },
	})],
	['OAuth2: a token without the scope', () => ({ auth: 'oAuth2', parameters: payPayment, items, credentials: credentialData(emulator, 'oAuth2', emulator.issueToken({ scopes: ['crm'] })) })],
];

describe.each([false, true])('Continue On Fail %s', (continueOnFail) => {
	test.each(scenarios)('%s', async (_name, scenario) => {
		emulator.reset();
		logged = '';
		const options = scenario();
		const result = await runNode({ emulator, ...options, continueOnFail });

		// What could leak: the webhook secrets, every token issued or used, the client secrets.
		const secrets = [DEFAULT_WEBHOOK_SECRET, WRONG_SECRET, MISTYPED_CLIENT_VALUE, emulator.oauthApp.clientSecret];
		const given = (options.credentials?.oauthTokenData ?? {}) as Record<string, string>;
		secrets.push(given.access_token, given.refresh_token);
		for (const token of emulator.state.tokens.keys()) secrets.push(token);
		for (const token of emulator.state.refreshTokens.keys()) secrets.push(token);
		// The run really carried secrets to the portal (when it reached one), so their absence below means something.
		const sent = JSON.stringify(emulator.requests.map((request) => [request.path, request.headers.authorization, request.params]));
		if (emulator.requests.length) expect(secrets.filter((secret) => secret && sent.includes(secret)).length).toBeGreaterThan(0);
		const seen = JSON.stringify({ items: result.items, error: result.error, errorStack: result.error?.stack, run: result.run.data.resultData }) + logged;

		expect(result.items.length + (result.error ? 1 : 0)).toBeGreaterThan(0);
		// The capture holds n8n's debug log of this run, so the check below reads the engine's logs, not nothing.
		expect(logged).toContain('Running node "Bitrix24 Payments" started');
		expect(logged).toContain('Workflow execution finished');
		for (const secret of secrets.filter(Boolean)) expect(seen).not.toContain(secret);
	});
});
