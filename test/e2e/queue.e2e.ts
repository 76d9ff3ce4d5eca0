/**
 * `npm run test:e2e`, part 4: n8n's queue mode, as users scale out: PostgreSQL and Redis (started by the test), a
 * main process, two workers (concurrency 10) and two webhook processes behind a load balancer, all with the package
 * installed, against the emulator as a portal with a Standard bucket (burst 50, 2/s).
 * 1. The action node under load: 200 executions of 10 Mark as Paid started together. Each worker has its own copy of
 *    the bucket; the portal's refusals make them share it. Checked: no item failed, none paid twice, refusals at most
 *    30% of requests. The wall time against the bucket's floor ((requests - refusals - 50) / 2 s) is printed, not
 *    asserted: a figure, which depends on the machine.
 * 2. The instant trigger with two webhook processes: a payment paid, unpaid (event to process 1) and paid again
 *    (event to process 2) starts a second run; payments told through either process are not told again after both
 *    restart; no process erases what the other saved.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: a local load balancer, never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import type { N8nProcess } from './n8n';
import { N8N_2_VERSION, N8N_VERSION } from './install-n8n';
import { N8n, sleep, TYPE_PREFIX, until } from './n8n';
import type { Service } from './services';
import { queueModeEnv, startPostgres, startRedis } from './services';
import { Chat } from './stage';

const HOOK = { id: 'e2eQueueHook001', name: 'Bitrix24 webhook' };
const APP = { id: 'e2eQueueApp0001', name: 'Bitrix24 app' };
const LOAD_FLOW = 'e2eQueueLoad001';
const TRIGGER_FLOW = 'e2eQueueTrig001';
const TRIGGER_WEBHOOK_ID = '3c2b1a09-8e7d-4c6b-9a5f-1e2d3c4b5a69';
const EXECUTIONS = 200;
const ITEMS = 10;
const STANDARD = { rate: 2, burst: 50 };

/** The load balancer in front of the webhook processes: round robin, or every request to one of them. */
class Balancer {
	ports: number[] = [];
	/** 0 or 1: every request to that process; undefined: round robin. */
	only?: number;
	private next = 0;
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const target = this.ports[this.only ?? this.next++ % this.ports.length];
			const forward = http.request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			});
			forward.on('error', () => res.writeHead(502).end());
			forward.end(Buffer.concat(chunks));
		});
	});

	port = 0;

	async start() {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.port = (this.server.address() as AddressInfo).port;
	}

	async stop() {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

function loadWorkflow() {
	return {
		id: LOAD_FLOW,
		name: 'Mark the payments paid (queue mode load)',
		active: true,
		nodes: [
			{ id: 'in', name: 'Payments to mark', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: '7f6e5d4c-3b2a-4190-8877-665544332211', parameters: { httpMethod: 'POST', path: 'pay', responseMode: 'onReceived', options: {} } },
			{ id: 'split', name: 'One item per payment', type: 'n8n-nodes-base.code', typeVersion: 2, position: [220, 0], parameters: { jsCode: 'return $input.first().json.body.ids.map((id) => ({ json: { id } }));' } },
			{
				id: 'pay',
				name: 'Mark as Paid',
				type: `${TYPE_PREFIX}bitrix24Payments`,
				typeVersion: 1,
				position: [440, 0],
				parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
				credentials: { bitrix24PaymentsWebhookApi: HOOK },
			},
		],
		connections: {
			'Payments to mark': { main: [[{ node: 'One item per payment', type: 'main', index: 0 }]] },
			'One item per payment': { main: [[{ node: 'Mark as Paid', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function triggerWorkflow(chatUrl: string) {
	return {
		id: TRIGGER_FLOW,
		name: 'When a payment is paid (queue mode)',
		active: true,
		nodes: [
			{ id: 'trigger', name: 'When a payment is paid', type: `${TYPE_PREFIX}bitrix24PaymentsTrigger`, typeVersion: 1, position: [0, 0], webhookId: TRIGGER_WEBHOOK_ID, parameters: { authentication: 'oAuth2', events: ['paymentPaid'] }, credentials: { bitrix24PaymentsOAuth2Api: APP } },
			{
				id: 'chat',
				name: 'Post to the team chat',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: { method: 'POST', url: chatUrl, sendBody: true, specifyBody: 'json', jsonBody: "={{ JSON.stringify({ text: 'paid ' + $json.paymentId }) }}", options: {} },
			},
		],
		connections: { 'When a payment is paid': { main: [[{ node: 'Post to the team chat', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe.each([N8N_2_VERSION, N8N_VERSION])('n8n %s in queue mode: main, 2 workers, 2 webhook processes', (version) => {
	let n8n: N8n;
	/** The portal the load runs against, and another for the trigger (its events must not meet the load's). */
	let emulator: Bitrix24Emulator;
	let triggerPortal: Bitrix24Emulator;
	let token: OAuthTokenData;
	const chat = new Chat();
	const balancer = new Balancer();
	let postgres: Service | undefined;
	let redis: Service | undefined;
	const workers: N8nProcess[] = [];
	let webhooks: N8nProcess[] = [];

	async function startWebhookProcesses() {
		webhooks = [await n8n.spawn('webhook'), await n8n.spawn('webhook')];
		balancer.ports = webhooks.map((process) => process.port);
	}

	beforeAll(async () => {
		[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
		emulator = await Bitrix24Emulator.start({ bucket: STANDARD });
		triggerPortal = await Bitrix24Emulator.start({ bucket: STANDARD });
		await chat.start();
		await balancer.start();
		token = triggerPortal.issueToken();
		n8n = await N8n.create(version);
		n8n.shared = { ...queueModeEnv(postgres, redis), WEBHOOK_URL: `http://127.0.0.1:${balancer.port}/` };
		await n8n.command(
			'import:credentials',
			`--input=${n8n.file('credentials.json', [
				{ ...HOOK, type: 'bitrix24PaymentsWebhookApi', data: { ...credentialData(emulator, 'webhook'), rateLimit: 'standard' } },
				{ ...APP, type: 'bitrix24PaymentsOAuth2Api', data: { ...credentialData(triggerPortal, 'oAuth2', token), rateLimit: 'standard' } },
			])}`,
		);
		await n8n.command('import:workflow', `--input=${n8n.file('workflows.json', [loadWorkflow(), triggerWorkflow(chat.url)])}`);
		for (const id of [LOAD_FLOW, TRIGGER_FLOW]) await n8n.command('update:workflow', `--id=${id}`, '--active=true');
		await startWebhookProcesses();
		await n8n.start({ N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' });
		await n8n.setupOwner();
		// n8n worker runs 10 executions at once unless told otherwise (--concurrency).
		workers.push(await n8n.spawn('worker'), await n8n.spawn('worker'));
		// The production webhooks answer once the main has activated the workflows (and bound the trigger).
		await until(
			'the webhooks to be registered',
			async () => {
				// A registered POST webhook answers a GET with "did you mean to make a POST request".
				const response = await fetch(`http://127.0.0.1:${webhooks[0].port}/webhook/pay`, { method: 'GET' });
				return response.status !== 404 || (await response.text()).includes('POST');
			},
			120_000,
		).catch((error: Error) => {
			throw new Error(`${error.message}\n--- main:\n${n8n.log.slice(-3000)}\n--- webhook process:\n${webhooks[0].log.slice(-2000)}`);
		});
	}, 30 * 60_000);

	afterAll(async () => {
		for (const process of [...webhooks, ...workers]) await process.stop();
		await n8n?.dispose();
		await balancer.stop();
		await chat.stop();
		await emulator?.stop();
		await triggerPortal?.stop();
		await redis?.stop();
		await postgres?.stop();
	}, 120_000);

	describe('the instant trigger with two webhook processes', () => {
		const { payments } = SEED_IDS;
		const told = () => chat.messages.filter((message) => message.startsWith('paid ')).length;
		/**
		 * A change made in Bitrix24's UI (so the test's own changes take no place in the portal's bucket, which the
		 * trigger's reads need), its event delivered through the balancer: to process `only`, or round robin.
		 */
		async function change(make: (person: Bitrix24Emulator['person']) => unknown, only?: number) {
			balancer.only = only;
			make(triggerPortal.person);
			await triggerPortal.deliveriesSettled();
			// n8n saves the workflow's static data just after answering the portal, whole, last save winning: events
			// a few milliseconds apart at two processes can drop an entry (the README's known limit). Half a second
			// apart, as a person's changes are, each is saved before the next is loaded.
			await sleep(500);
		}

		test('paid, unpaid (event to process 1), paid again (event to process 2): the second change starts a second run', async () => {
			await change((person) => person.pay(payments.UNPAID), 0);
			await until('the first run', () => told() === 1, 60_000).catch((error: Error) => {
				const deliveries = triggerPortal.deliveries().map((delivery) => `${delivery.status} ${delivery.error ?? ''}`);
				throw new Error(`${error.message}; deliveries: ${deliveries.join(', ')}; webhook process:\n${webhooks[0].log.slice(-2000)}`);
			});
			await change((person) => person.unpay(payments.UNPAID), 0);
			await sleep(1500);
			await change((person) => person.pay(payments.UNPAID), 1);
			await until('the second run', () => told() === 2, 60_000);
		}, 180_000);

		test('20 payments told through either process are not told again after both processes restart; none erased', async () => {
			const twenty = triggerPortal.seedOrderPayments(20, { orderId: SEED_IDS.orders.MAIN });
			const start = told();
			for (const id of twenty) await change((person) => person.pay(id));
			await until('20 runs', () => told() === start + 20, 120_000);
			// Saved again through the other process each (round robin moves on): still told, nothing new.
			for (const id of twenty) await change((person) => person.edit(id, { comments: 'saved again' }));
			await sleep(5000);
			expect(told()).toBe(start + 20);

			for (const process of webhooks) await process.stop();
			await startWebhookProcesses();
			for (const id of [payments.UNPAID, ...twenty]) await change((person) => person.edit(id, { comments: 'after the restart' }));
			await sleep(8000);
			expect(told()).toBe(start + 20);
		}, 300_000);
	});

	test(`${EXECUTIONS} executions of ${ITEMS} Mark as Paid started together: none fails, none paid twice, at most 30% of requests refused`, async () => {
		const ids = emulator.seedOrderPayments(EXECUTIONS * ITEMS, { orderId: SEED_IDS.orders.MAIN });
		const before = emulator.restCalls().length;
		const refusedBefore = emulator.refusedByBucket;
		const started = Date.now();
		const answers = await Promise.all(
			Array.from({ length: EXECUTIONS }, async (_, e) => {
				const response = await fetch(`http://127.0.0.1:${balancer.port}/webhook/pay`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ ids: ids.slice(e * ITEMS, (e + 1) * ITEMS) }),
				});
				return response.status;
			}),
		);
		expect(answers.every((status) => status === 200)).toBe(true);
		const paid = () => ids.filter((id) => emulator.state.payments.get(id)!.paid === 'Y').length;
		await until('every payment paid', () => paid() === ids.length, 600_000).catch(() => undefined);
		const wallMs = Date.now() - started;
		// Let the workers finish what they still do (a failed item would show in its execution).
		await sleep(5000);

		const requests = emulator.restCalls().length - before;
		const refused = emulator.refusedByBucket - refusedBefore;
		const floorMs = ((requests - refused - STANDARD.burst) / STANDARD.rate) * 1000;
		const runs = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
		const perId = new Map<unknown, number>();
		for (const call of runs) perId.set(call.params.id, (perId.get(call.params.id) ?? 0) + 1);
		const filter = encodeURIComponent(JSON.stringify({ workflowId: LOAD_FLOW, status: ['error', 'crashed'] }));
		const failed = ((await n8n.rest('GET', `/executions?filter=${filter}&limit=250`)) as { results?: IDataObject[] }).results ?? [];

		const figures = `${requests} requests, ${refused} refused (${((refused / requests) * 100).toFixed(0)}%), ${(wallMs / 1000).toFixed(1)} s = ${(wallMs / floorMs).toFixed(2)}x the floor`;
		expect({ paid: paid(), failedExecutions: failed.length, figures }).toEqual({ paid: ids.length, failedExecutions: 0, figures });
		expect([...perId.values()].filter((count) => count > 1)).toEqual([]);
		expect(refused / requests).toBeLessThanOrEqual(0.3);
		// The figures the README quotes, for whoever runs the suite.
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- test output for people
		process.stdout.write(`\n  queue mode, n8n ${version}, 200 x 10 Mark as Paid: 0 failed, 0 paid twice, ${figures}\n`);
	}, 15 * 60_000);
});
