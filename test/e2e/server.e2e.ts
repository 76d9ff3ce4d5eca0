/**
 * The trigger in a real, running n8n (`n8n start`), on the 1.x line (Node.js 20) and the 2.x line (Node.js 24):
 * the example workflow "When a payment is paid: tell the team" is activated through n8n's REST API, the emulator
 * posts its events to n8n's production URL over HTTP, and the workflow's last node posts to a local "team chat".
 * Checked: subscription on activation and removal on deactivation, one message per payment paid (also after n8n
 * restarts), nothing for a forged event, and no secret in n8n's log.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test-only: starts n8n as a child process, a local HTTP receiver and temp files, never shipped */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import type { N8nInstall } from './install-n8n';
import { ensureN8n, N8N_2_VERSION, N8N_VERSION, n8nEnvironment } from './install-n8n';
import { packedExtension } from './pack';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const WORKFLOW_ID = 'e2eTriggerFlow01';
const { payments } = SEED_IDS;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds, or fails after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

/** The team chat: records what the workflow's HTTP Request node posts. */
class Chat {
	readonly messages: string[] = [];
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			this.messages.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string }).text);
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"ok":true}');
		});
	});

	url = '';

	async start() {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/chat`;
	}

	async stop() {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

async function freePort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe.each([N8N_VERSION, N8N_2_VERSION])('n8n %s', (version) => {
	let install: N8nInstall;
	let home: string;
	let extension: string;
	let emulator: Bitrix24Emulator;
	let chat: Chat;
	let token: OAuthTokenData;
	let port: number;
	let n8nProcess: ChildProcess | undefined;
	let log = '';
	let cookie = '';
	let paidTogether: number[] = [];
	const encryptionKey = randomBytes(24).toString('hex');

	function env(): NodeJS.ProcessEnv {
		return {
			...n8nEnvironment({ home, encryptionKey, extension }),
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			// The address the portal calls: a host with a dot, as Bitrix24 wants for event handlers.
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
		};
	}

	async function cli(...args: string[]) {
		await run(install.node, [install.bin, ...args], { env: env(), maxBuffer: 64 * 2 ** 20 });
	}

	async function startN8n() {
		log = '';
		n8nProcess = spawn(install.node, [install.bin, 'start'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
		n8nProcess.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		n8nProcess.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		await until('n8n to start', () => log.includes('Editor is now accessible via'), 120_000);
	}

	async function stopN8n() {
		if (!n8nProcess || n8nProcess.exitCode !== null) return;
		const exited = new Promise((resolve) => n8nProcess!.once('exit', resolve));
		n8nProcess.kill('SIGTERM');
		await Promise.race([exited, sleep(30_000)]);
		if (n8nProcess.exitCode === null) n8nProcess.kill('SIGKILL');
	}

	async function rest(method: string, path: string, body?: unknown): Promise<IDataObject> {
		const response = await fetch(`http://127.0.0.1:${port}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', 'browser-id': 'e2e-browser', cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.get('set-cookie');
		if (setCookie) cookie = setCookie.split(';')[0];
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return ((JSON.parse(text) as { data?: IDataObject }).data ?? {}) as IDataObject;
	}

	async function handlers(): Promise<string[]> {
		const response = await fetch(`${emulator.baseUrl}/rest/event.get`, { method: 'POST', headers: { Authorization: `Bearer ${token.access_token}` } });
		const { result } = (await response.json()) as { result: Array<{ event: string; handler: string }> };
		return result.map((binding) => `${binding.event} ${binding.handler}`);
	}

	const productionUrl = () => `http://127.0.0.1:${port}/webhook/7a0b2c4e-5d6f-4a1b-8c9d-0e1f2a3b4c5d/webhook`;

	async function portal(method: string, params: object) {
		const response = await fetch(`${emulator.webhookUrl()}${method}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(params),
		});
		expect(response.status).toBe(200);
		await emulator.deliveriesSettled();
	}

	/** Gives a started run time to finish, so that a message that should not come would have come. */
	async function settle() {
		await emulator.deliveriesSettled();
		await sleep(2500);
	}

	beforeAll(async () => {
		install = ensureN8n(version);
		home = mkdtempSync(join(tmpdir(), `n8n-trigger-${version}-`));
		extension = await packedExtension(home);
		port = await freePort();
		emulator = await Bitrix24Emulator.start();
		chat = new Chat();
		await chat.start();
		token = emulator.issueToken();
		writeFileSync(
			join(home, 'credentials.json'),
			JSON.stringify([{ id: 'e2eTriggerApp01', name: 'Bitrix24 app', type: 'bitrix24OAuth2Api', data: credentialData(emulator, 'oAuth2', token) }]),
		);
		await cli('import:credentials', `--input=${join(home, 'credentials.json')}`);
		// The example as a user imports it: this package's types as a custom extension, the chat at our receiver.
		const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'payment-paid-notify.workflow.json'), 'utf8')) as IDataObject & {
			nodes: IDataObject[];
		};
		for (const node of workflow.nodes) {
			node.type = String(node.type).replace('n8n-nodes-bitrix24-payments.', 'CUSTOM.');
			if (node.credentials) node.credentials = { bitrix24OAuth2Api: { id: 'e2eTriggerApp01', name: 'Bitrix24 app' } };
			if (node.name === 'Post to the team chat') node.parameters = { ...(node.parameters as IDataObject), url: chat.url };
		}
		writeFileSync(join(home, 'workflow.json'), JSON.stringify({ ...workflow, id: WORKFLOW_ID, active: false }));
		await cli('import:workflow', `--input=${join(home, 'workflow.json')}`);
		await startN8n();
		await rest('POST', '/owner/setup', { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-password-1' });
	}, 30 * 60_000);

	afterAll(async () => {
		await stopN8n();
		await chat?.stop();
		await emulator?.stop();
		if (home) rmSync(home, { recursive: true, force: true });
	}, 60_000);

	test('activation subscribes the production URL with event.bind', async () => {
		const { versionId } = await rest('GET', `/workflows/${WORKFLOW_ID}`);
		await rest('POST', `/workflows/${WORKFLOW_ID}/activate`, { versionId });

		// n8n 2.x publishes an activated workflow through a queue it polls (every 15 s by default): give it time.
		await until('the binding', async () => (await handlers()).length > 0, 60_000);
		expect(await handlers()).toEqual([`ONPAYMENTENTITYSAVED ${productionUrl()}`]);
	}, 120_000);

	test('a paid payment starts the workflow once: one message; a later save of it and an unpaid save start nothing', async () => {
		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await until('the team message', () => chat.messages.length > 0);
		await settle();
		await portal('sale.payment.update', { id: payments.UNPAID, fields: { paySystemId: 2, comments: 'saved again' } });
		await portal('crm.item.payment.update', { id: payments.UNPAID_2, fields: { paySystemId: 1 } });
		await settle();

		const ofOrder = [...emulator.state.payments.values()].filter((payment) => payment.orderId === 200);
		const paid = ofOrder.filter((payment) => payment.paid === 'Y').length;
		expect(chat.messages).toEqual([`Payment ${payments.UNPAID} of order 200 is paid: 100 USD. ${paid} of ${ofOrder.length} payments of the order are paid.`]);
	}, 120_000);

	test('a forged event (another portal\'s member_id) gets 401 and starts nothing', async () => {
		emulator.state.payments.get(payments.UNPAID_2)!.paid = 'Y';
		const status = await emulator.sendEvent(productionUrl(), {
			event: 'ONPAYMENTENTITYSAVED',
			'data[FIELDS][ID]': String(payments.UNPAID_2),
			'auth[member_id]': 'not-this-portal',
		});
		emulator.state.payments.get(payments.UNPAID_2)!.paid = 'N';
		await settle();

		expect(status).toBe(401);
		expect(chat.messages).toHaveLength(1);
	}, 120_000);

	test('two payments paid at the same moment: two messages, and n8n remembers both', async () => {
		// Two events handled at once: each request of n8n loads the workflow's static data and saves it afterwards.
		const both = emulator.seedOrderPayments(2, { orderId: 200 });
		for (const id of both) emulator.state.payments.get(id)!.paid = 'Y';
		const event = (id: number) => ({
			event: 'ONPAYMENTENTITYSAVED',
			'data[FIELDS][ID]': String(id),
			'auth[member_id]': token.member_id,
			'auth[domain]': new URL(emulator.baseUrl).host,
		});
		const statuses = await Promise.all(both.map(async (id) => await emulator.sendEvent(productionUrl(), event(id))));
		await until('two more team messages', () => chat.messages.length === 3);
		await settle();

		expect(statuses).toEqual([200, 200]);
		expect(chat.messages).toHaveLength(3);
		paidTogether = both;
	}, 120_000);

	test('after n8n restarts it still knows the payments were paid; unpaid and paid again, it tells again', async () => {
		await stopN8n();
		await startN8n();
		await until('the webhook to be registered', async () => {
			const response = await fetch(productionUrl(), { method: 'GET' });
			return response.status !== 404 || (await response.text()).includes('POST');
		});
		for (const id of [payments.UNPAID, ...paidTogether]) {
			await portal('sale.payment.update', { id, fields: { paySystemId: 2, comments: 'after the restart' } });
		}
		await settle();
		expect(chat.messages).toHaveLength(3);

		await portal('crm.item.payment.unpay', { id: payments.UNPAID });
		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await until('the fourth team message', () => chat.messages.length > 3);
		await settle();
		expect(chat.messages).toHaveLength(4);
	}, 240_000);

	test('deactivation removes the binding; no secret reaches n8n\'s log', async () => {
		await rest('POST', `/workflows/${WORKFLOW_ID}/deactivate`, {});

		await until('the binding to go', async () => (await handlers()).length === 0, 60_000);
		expect(await handlers()).toEqual([]);
		for (const secret of [DEFAULT_WEBHOOK_SECRET, token.access_token, token.refresh_token, emulator.oauthApp.clientSecret, emulator.oauthApp.applicationToken]) {
			expect(log).not.toContain(secret);
		}
		for (const delivered of emulator.state.tokens.keys()) expect(log).not.toContain(delivered);
	}, 120_000);
});
