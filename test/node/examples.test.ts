/**
 * The example workflows in `examples/` do what they say, and only that: each runs whole (every node and
 * connection as saved, expressions across nodes included) on the real engine against the emulator, and the
 * portal's payments afterwards, the output items and the requests sent are what a user would check.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: a local receiver for the team-chat post, never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { SalePayment } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { FakeStripe, stripeEvent } from '../helpers/fake-stripe';
import { nodeType } from '../helpers/package';
import { TriggerHarness } from '../helpers/trigger';
import type { RunWorkflowOptions, WorkflowFile, WorkflowRun } from '../helpers/workflow';
import { deliverWebhook, exampleFiles, isStandIn, loadExample, offsetAt, PACKAGE_NODE, runWorkflow, webhookAnswer } from '../helpers/workflow';

const { payments, paySystems, orders } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** A webhook and a connected app, as a user sets them up in n8n; requests taken from the portal's log. */
function options(extra: Partial<RunWorkflowOptions> = {}): RunWorkflowOptions {
	return {
		emulator,
		credentials: { bitrix24PaymentsWebhookApi: credentialData(emulator, 'webhook'), bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
		...extra,
	};
}

/** The payments as they are now (a copy), to compare with later. */
function snapshot(): Map<number, SalePayment> {
	return structuredClone(emulator.state.payments);
}

/** Ids of the payments that differ between two snapshots. */
function changedPayments(before: Map<number, SalePayment>, after: Map<number, SalePayment>): number[] {
	return [...after.keys()].filter((id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id)));
}

test('every example uses only this package, the stand-ins and parameters this node knows', () => {
	const known = new Set(nodeType.description.properties.map((property) => property.name));
	for (const file of exampleFiles()) {
		const { nodes } = loadExample(file);
		for (const node of nodes) {
			expect([file, node.type.startsWith('n8n-nodes-bitrix24-payments.') || isStandIn(node.type)]).toEqual([file, true]);
			if (node.type !== PACKAGE_NODE) continue;
			for (const name of Object.keys(node.parameters)) expect([file, node.name, known.has(name)]).toEqual([file, node.name, true]);
		}
	}
});

describe('mark-payments-paid', () => {
	test("pays both payments and records them, each keeping its own pay system and comment", async () => {
		// One of them on another pay system, with a comment of its own: what a hard-coded pay system would break.
		Object.assign(emulator.state.payments.get(payments.UNPAID_2)!, { paySystemId: paySystems.CASH, comments: 'Receipt by e-mail' });
		const before = snapshot();

		const run = await runWorkflow('mark-payments-paid.workflow.json', options());

		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => node.name)).toEqual([
			"When clicking 'Execute workflow'",
			'Payments to mark',
			'Mark as Paid',
			'Read the payment',
			'Record the payment',
		]);
		expect(run.node('Mark as Paid').items.map((item) => item.json)).toEqual([
			{ success: true, paymentId: payments.UNPAID },
			{ success: true, paymentId: payments.UNPAID_2 },
		]);
		expect(run.node('Record the payment').items.map((item) => [item.json.id, item.json.paySystemId])).toEqual([
			[payments.UNPAID, paySystems.BANK_TRANSFER],
			[payments.UNPAID_2, paySystems.CASH],
		]);
		const after = emulator.state.payments;
		expect(after.get(payments.UNPAID)).toMatchObject({ paid: 'Y', psStatus: 'Y', paySystemId: paySystems.BANK_TRANSFER, comments: 'Paid through n8n' });
		expect(after.get(payments.UNPAID_2)).toMatchObject({
			paid: 'Y',
			psStatus: 'Y',
			paySystemId: paySystems.CASH,
			comments: 'Receipt by e-mail\nPaid through n8n',
		});
		expect(changedPayments(before, after).sort()).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// Each node's two items in one batch request, on the webhook's path.
		expect(emulator.restCalls().map((call) => [call.restMethod, call.path])).toEqual(
			Array(3).fill(['batch', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/batch`]),
		);
		expect(emulator.methodCalls('sale.payment.update').map((call) => (call.params.fields as IDataObject).paySystemId)).toEqual([
			String(paySystems.BANK_TRANSFER),
			String(paySystems.CASH),
		]);
	});

	test('the answer time ($now) is sent with the offset of the workflow\'s time zone and stored as that instant', async () => {
		const started = Date.now();
		await runWorkflow('mark-payments-paid.workflow.json', options({ timezone: 'Asia/Tokyo' }));

		const sent = (emulator.methodCalls('sale.payment.update')[0].params.fields as IDataObject).psResponseDate as string;
		expect(sent).toMatch(/\+09:00$/);
		const stored = emulator.state.payments.get(payments.UNPAID)!.psResponseDate!;
		expect(stored).toMatch(/\+03:00$/);
		expect(Date.parse(stored)).toBe(Math.floor(Date.parse(sent) / 1000) * 1000);
		expect(Date.parse(sent)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
	});

	test('recorded as n8n sends them (no emulator log): the same requests, the secret never kept', async () => {
		const run = await runWorkflow('mark-payments-paid.workflow.json', options({ emulator: undefined }));

		expect(run.requests.map((request) => [request.httpMethod, request.path, request.method])).toEqual(
			Array(3).fill(['POST', '/rest/1/***/batch', 'batch']),
		);
		expect(run.node('Mark as Paid').requests[0].params).toEqual({
			halt: 0,
			cmd: { c0: `crm.item.payment.pay?id=${payments.UNPAID}`, c1: `crm.item.payment.pay?id=${payments.UNPAID_2}` },
		});
		expect(JSON.stringify(run.requests)).not.toContain(DEFAULT_WEBHOOK_SECRET);
		expect(emulator.restCalls()).toHaveLength(3);
	});
});

test('payment-links-for-a-deal: a link and a QR image per unpaid payment of deal 10, nothing changed', async () => {
	const before = snapshot();
	const run = await runWorkflow('payment-links-for-a-deal.workflow.json', options());

	expect(run.error).toBeUndefined();
	const unpaid = [...before.values()].filter((payment) => payment.orderId === orders.MAIN && payment.paid === 'N').map((payment) => payment.id);
	expect(run.node('Unpaid payments of the deal').items.map((item) => item.json.id)).toEqual(unpaid);
	const links = run.node('Payment link and QR code').items;
	expect(links.map((item) => item.json.paymentId)).toEqual(unpaid);
	for (const item of links) {
		expect(String(item.json.url)).toMatch(/^https?:\/\//);
		expect(item.binary?.qr?.mimeType).toBe('image/png');
	}
	expect(changedPayments(before, emulator.state.payments)).toEqual([]);
	// One list request, then all the links in one batch.
	expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['crm.item.payment.list', 'batch']);
	expect(emulator.methodCalls('salescenter.payment.getpublicurl')).toHaveLength(unpaid.length);
});

test('confirm-order-payments: the unpaid bank transfers paid through their own pay system and confirmed, no other payment touched', async () => {
	const before = snapshot();
	const run = await runWorkflow('confirm-order-payments.workflow.json', options());

	expect(run.error).toBeUndefined();
	const expected = [...before.values()]
		.filter((payment) => payment.paySystemId === paySystems.BANK_TRANSFER && payment.paid === 'N')
		.map((payment) => payment.id);
	const listed = run.node('Unpaid bank transfers').items.map((item) => item.json.id as number);
	expect(listed).toEqual(expected);
	expect(run.node('Pay and confirm').items.map((item) => item.json)).toEqual(
		listed.map((id) => ({ success: true, paymentId: id, paySystemId: paySystems.BANK_TRANSFER, paid: true })),
	);
	for (const id of listed) {
		expect(emulator.state.payments.get(id)).toMatchObject({ paid: 'Y', psStatusCode: 'PAID', paySystemId: paySystems.BANK_TRANSFER });
	}
	expect(changedPayments(before, emulator.state.payments).sort()).toEqual([...listed].sort());
	// The list, the payments in one batch, and the confirming reads in one more.
	expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['sale.payment.list', 'batch', 'batch']);
	expect(emulator.methodCalls('sale.payment.get')).toHaveLength(listed.length);
});

describe('bill-a-deal (OAuth2)', () => {
	/** 18:00 a week after today in `zone`, as a wall time without an offset (what the example's expression gives). */
	const dueIn = (zone: string) => {
		const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date()).split('-').map(Number);
		return `${new Date(Date.UTC(year, month - 1, day + 7)).toISOString().slice(0, 10)}T18:00:00`;
	};

	test('a new payment of deal 10 covering the chosen products, due in a week at 18:00 in the workflow\'s time zone, and its link', async () => {
		const before = snapshot();
		const zone = 'America/New_York';
		const due = [dueIn(zone)];
		const run = await runWorkflow('bill-a-deal.workflow.json', options({ timezone: zone }));
		due.push(dueIn(zone));

		expect(run.error).toBeUndefined();
		const [created] = run.node('New payment for the deal').items;
		const id = created.json.id as number;
		expect(before.has(id)).toBe(false);
		expect(created.json).toEqual({ id, entityTypeId: 2, entityId: 10 });
		const payment = emulator.state.payments.get(id)!;
		// Row 501 costs 20, row 502 15: the portal sums what the payment covers.
		expect(payment).toMatchObject({ orderId: orders.MAIN, paySystemId: paySystems.BANK_TRANSFER, paid: 'N', sum: 55 });
		// Given without an offset, read in New York, sent with New York's offset; the portal keeps that instant.
		const sent = (emulator.methodCalls('sale.payment.update')[0].params.fields as IDataObject).datePayBefore as string;
		expect(due.map((wall) => `${wall}${offsetAt(new Date(sent), zone)}`)).toContain(sent);
		expect(sent).toMatch(/-0[45]:00$/);
		expect(Date.parse(payment.datePayBefore!)).toBe(Date.parse(sent));
		expect(payment.datePayBefore).toMatch(/\+03:00$/);
		const lines = [...emulator.state.payableItems.values()].filter((line) => line.paymentId === id);
		expect(lines.map((line) => [line.entityId, line.quantity])).toEqual([
			[501, 2],
			[502, 1],
		]);
		expect(run.node('Due in a week').items.map((item) => item.json.datePayBefore)).toEqual([payment.datePayBefore]);
		expect(run.node('Payment link').items.map((item) => [item.json.paymentId, item.binary?.qr?.mimeType])).toEqual([[id, 'image/png']]);
		expect(changedPayments(before, emulator.state.payments)).toEqual([id]);
		// Every call went with the app's token, none through a webhook; the two products in one batch.
		const calls = emulator.restCalls();
		expect(calls.map((call) => [call.restMethod, call.auth, call.path.startsWith('/rest/1/')])).toEqual([
			['crm.item.payment.add', 'oauth', false],
			['batch', 'oauth', false],
			['sale.payment.update', 'oauth', false],
			['salescenter.payment.getpublicurl', 'oauth', false],
		]);
	});

	test('with an expired token: n8n refreshes it once and the payment is created once', async () => {
		const expired = emulator.issueToken({ expired: true });
		const run = await runWorkflow(
			'bill-a-deal.workflow.json',
			options({ credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2', expired) } }),
		);

		expect(run.error).toBeUndefined();
		expect(emulator.tokenRequests().map((call) => call.params.grant_type)).toEqual(['refresh_token']);
		expect(emulator.methodCalls('crm.item.payment.add').filter((call) => call.ran)).toHaveLength(1);
		expect(run.node('Payment link').items).toHaveLength(1);
	});
});

test('payment-paid-notify: a real "paid" event from the trigger, the order\'s payments read, one message posted', async () => {
	const posts: unknown[] = [];
	const chat = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			posts.push(JSON.parse(body));
			res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
	const trigger = await TriggerHarness.start({
		authentication: 'oAuth2',
		events: ['paymentPaid'],
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
		nodeName: 'When a payment is paid',
	});
	try {
		await trigger.activate();
		await fetch(`${emulator.webhookUrl()}crm.item.payment.pay`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ id: payments.UNPAID }),
		});
		await emulator.deliveriesSettled();
		expect(trigger.started).toHaveLength(1);

		const run = await runWorkflow(
			'payment-paid-notify.workflow.json',
			options({
				startNode: 'When a payment is paid',
				pinData: { 'When a payment is paid': trigger.started[0].map((json) => ({ json })) },
				parameters: { 'Post to the team chat': { url: `http://127.0.0.1:${(chat.address() as AddressInfo).port}/` } },
			}),
		);

		expect(run.error).toBeUndefined();
		const ofOrder = [...emulator.state.payments.values()].filter((payment) => payment.orderId === orders.MAIN);
		expect(run.node('Payments of the order').items.map((item) => item.json.id)).toEqual(ofOrder.map((payment) => payment.id));
		const paid = ofOrder.filter((payment) => payment.paid === 'Y').length;
		expect(posts).toEqual([
			{ text: `Payment ${payments.UNPAID} of order ${orders.MAIN} is paid: 100 USD. ${paid} of ${ofOrder.length} payments of the order are paid.` },
		]);
		expect(run.node('Post to the team chat').items.map((item) => item.json)).toEqual([{ data: 'ok' }]);
	} finally {
		await trigger.stop();
		await new Promise((resolve) => chat.close(resolve));
	}
});

const STRIPE_KEY = 'sk_test_51Example';

/**
 * The fake Stripe (`helpers/fake-stripe.ts`) over plain http, holding the credential's secret key: n8n's HTTP helper
 * runs in this process and would not trust its certificate for api.stripe.com.
 */
async function startFakeStripe(): Promise<FakeStripe> {
	return await FakeStripe.start({ protocol: 'http', secretKey: STRIPE_KEY });
}

/**
 * The saved node's parameters with https://api.stripe.com replaced by the fake's address (its expressions kept): the
 * one change a test makes to an example.
 */
function pointedAt(stripe: FakeStripe, file: string, nodeName: string) {
	const saved = String(loadExample(file).nodes.find((node) => node.name === nodeName)!.parameters.url);
	expect(saved).toMatch(/^=?https:\/\/api\.stripe\.com\/v1\//);
	return { [nodeName]: { url: saved.replace('https://api.stripe.com', stripe.baseUrl) } };
}

/** A webhook credential for the portal and the Stripe API credential. */
function withStripe(extra: Partial<RunWorkflowOptions> = {}): RunWorkflowOptions {
	const base = options(extra);
	return { ...base, credentials: { ...base.credentials, stripeApi: { secretKey: STRIPE_KEY } } };
}

const CONFIRMATION = 'stripe-confirmation.workflow.json';
const STRIPE_TRIGGER = 'When Stripe confirms a checkout';
const READ = 'Read the session from Stripe';

/**
 * `event` is posted to stripe-confirmation's trigger (by Stripe, or by anyone: n8n 1.x's Stripe Trigger takes
 * unsigned events when its credential has no Signature Secret, and so does the stand-in): the trigger's webhook on
 * n8n-core, then the run it starts, as n8n's webhook server runs it, reading the session from the fake Stripe.
 * `workflow`: the example as saved, or changed as a user might change it.
 */
async function stripePosts(stripe: FakeStripe, event: IDataObject, workflow: string | WorkflowFile = CONFIRMATION): Promise<WorkflowRun> {
	const received = await deliverWebhook(workflow, STRIPE_TRIGGER, { body: event });
	expect(received.workflowData).toBeDefined();
	return await runWorkflow(
		workflow,
		withStripe({ trigger: { node: STRIPE_TRIGGER, items: received.workflowData![0] }, parameters: pointedAt(stripe, CONFIRMATION, READ) }),
	);
}

describe('stripe-checkout: the Pay System Trigger creates a Stripe Checkout Session', () => {
	const FILE = 'stripe-checkout.workflow.json';
	const TRIGGER = 'When a buyer starts paying';
	const CREATE = 'Create a Stripe Checkout Session';
	let stripe: FakeStripe;
	let trigger: TriggerHarness | undefined;
	/** The runs the checkouts started, as n8n ran them. */
	let runs: WorkflowRun[];

	beforeEach(async () => {
		stripe = await startFakeStripe();
		runs = [];
	});
	afterEach(async () => {
		await trigger?.stop();
		trigger = undefined;
		await stripe.stop();
	});

	/**
	 * The workflow activated: its trigger as saved on n8n-core's hook and webhook contexts (the emulator posts the
	 * buyer's checkout to it), and the run a checkout starts is the rest of the saved workflow on the engine, from the
	 * trigger's items, answered as n8n answers (the last node's first item). The one change: the session URL points at
	 * the fake Stripe instead of api.stripe.com.
	 */
	async function activate(): Promise<{ trigger: TriggerHarness; paySystemId: number }> {
		const { authentication, ...setup } = loadExample(FILE).nodes.find((node) => node.name === TRIGGER)!.parameters;
		trigger = await TriggerHarness.start({
			node: 'bitrix24PaySystemTrigger',
			authentication: authentication as 'webhook',
			parameters: setup,
			nodeName: TRIGGER,
			credentials: { bitrix24PaymentsWebhookApi: credentialData(emulator, 'webhook') },
			run: async (items) => {
				const run = await runWorkflow(
					FILE,
					withStripe({
						trigger: { node: TRIGGER, items: items.map((json) => ({ json })) },
						parameters: pointedAt(stripe, FILE, CREATE),
					}),
				);
				runs.push(run);
				return webhookAnswer(run);
			},
		});
		await trigger.activate();
		// The pay system a buyer of order 200 (an individual) is offered.
		const paySystem = [...emulator.state.paySystems.values()].find((ps) => ps.ACTION_FILE === setup.handlerCode && ps.PERSON_TYPE_ID === '1')!;
		return { trigger, paySystemId: Number(paySystem.ID) };
	}

	test("one session for the payment's amount in cents, the buyer sent to its page, Bitrix24 keeps its id", async () => {
		const { trigger, paySystemId } = await activate();

		const result = await emulator.buyer.pay(payments.UNPAID, { paySystemId, returnUrl: 'https://shop.example.test/thanks' });

		expect(trigger.started).toHaveLength(1);
		const [[item]] = trigger.started;
		expect(stripe.requests).toHaveLength(1);
		const [request] = stripe.requests;
		expect([request.method, request.path]).toEqual(['POST', '/v1/checkout/sessions']);
		expect(request.headers).toMatchObject({
			authorization: `Bearer ${STRIPE_KEY}`,
			'content-type': 'application/x-www-form-urlencoded',
			'idempotency-key': item.idempotencyKey,
		});
		// 100 USD: 10000 cents, the currency in lower case, the payment's account number as the product.
		expect(request.form).toEqual({
			mode: 'payment',
			line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '10000', product_data: { name: 'Order 356/2' } } }],
			client_reference_id: String(payments.UNPAID),
			metadata: { bitrix24_payment_id: String(payments.UNPAID) },
			success_url: 'https://shop.example.test/thanks',
			cancel_url: 'https://shop.example.test/thanks',
		});
		const [session] = stripe.sessions.values();
		expect(runs[0].nodes.map((node) => node.name)).toEqual([TRIGGER, CREATE, 'Answer Bitrix24: the payment page']);
		expect(trigger.received).toEqual([{ status: 200, body: { PAYMENT_URL: session.url, PAYMENT_ID: session.id }, started: [item] }]);
		expect(result).toMatchObject({ kind: 'url', paymentUrl: session.url, paymentId: session.id });
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ psInvoiceId: session.id, paid: 'N', paySystemId });
	});

	test("the loop closes: Stripe's confirmation of that session (stripe-confirmation) pays the payment through the Stripe pay system", async () => {
		const { paySystemId } = await activate();
		await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		const [session] = stripe.sessions.values();

		// The buyer paid on Stripe's page; Stripe says so.
		const run = await stripePosts(stripe, stripeEvent(stripe.pay(String(session.id))));

		expect(run.error).toBeUndefined();
		expect(stripe.requests.map((request) => [request.method, request.path, request.status])).toEqual([
			['POST', '/v1/checkout/sessions', 200],
			['GET', `/v1/checkout/sessions/${String(session.id)}`, 200],
		]);
		expect(emulator.methodCalls('sale.paysystem.pay.payment').map((call) => call.params)).toEqual([
			expect.objectContaining({ PAYMENT_ID: payments.UNPAID, PAY_SYSTEM_ID: paySystemId, PS_INVOICE_ID: session.id, PS_SUM: 100, PS_CURRENCY: 'USD' }),
		]);
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ paid: 'Y', paySystemId, psInvoiceId: session.id, psStatusCode: 'paid' });
	});

	test("Stripe refuses: the manager reads Stripe's message in PAYMENT_ERRORS, nothing is stored", async () => {
		const { trigger, paySystemId } = await activate();
		const message = "The Checkout Session's total amount due must add up to at least $0.50 usd";
		stripe.failWith(400, { error: { type: 'invalid_request_error', code: 'amount_too_small', message, param: 'line_items[0][price_data][unit_amount]' } });

		const result = await emulator.buyer.pay(payments.UNPAID, { paySystemId });

		expect(stripe.requests).toHaveLength(1);
		const errors = [`Stripe could not start the payment: ${message}`];
		expect(trigger.received.map((received) => [received.status, received.body])).toEqual([[200, { PAYMENT_ERRORS: errors }]]);
		expect(result).toMatchObject({ kind: 'errors', errors });
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBeNull();
		// The error output, as n8n's HTTP Request node makes it: the item it was given, and its NodeApiError (the
		// status's message, Stripe's own as the description).
		const [run] = runs;
		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => node.name)).toEqual([TRIGGER, CREATE, 'Answer Bitrix24: why not']);
		const created = run.node(CREATE);
		expect(created.items).toEqual([]);
		expect(created.errorItems).toHaveLength(1);
		expect(created.errorItems[0].json).toMatchObject({
			paymentId: payments.UNPAID,
			idempotencyKey: trigger.started[0][0].idempotencyKey,
			error: expect.objectContaining({ name: 'NodeApiError', message: 'Bad request - please check your parameters', description: message, httpCode: '400' }),
		});
	});
});

describe('stripe-confirmation: Stripe confirms a checkout, the session is read back from Stripe, the payment is paid through its pay system', () => {
	const TRIGGER = STRIPE_TRIGGER;
	const FILTER = 'Only when the money is in';
	const GET_MANY = 'The Bitrix24 payment of this checkout';
	const PAY = 'Mark it paid through the pay system';
	const SESSION = 'cs_test_a1B2c3D4';
	let stripe: FakeStripe;

	beforeEach(async () => {
		stripe = await startFakeStripe();
	});
	afterEach(async () => await stripe.stop());

	/**
	 * A Checkout Session of payment 1038 (100 USD) was opened: Stripe holds it, open and unpaid, and its id is the
	 * payment's psInvoiceId (what the checkout stores).
	 */
	function sessionOpened() {
		stripe.open({
			id: SESSION,
			amount_total: 10000,
			currency: 'usd',
			client_reference_id: String(payments.UNPAID),
			metadata: { bitrix24_payment_id: String(payments.UNPAID) },
		});
		emulator.state.payments.get(payments.UNPAID)!.psInvoiceId = SESSION;
	}

	/** The requests that read a session, as [path, status, the key it was read with]. */
	const reads = () =>
		stripe.requests.filter((request) => request.method === 'GET').map((request) => [request.path, request.status, request.headers.authorization]);

	test('checkout.session.completed, the session paid at Stripe: read back from Stripe, the payment of that session paid once through sale.paysystem.pay.payment with the PS_* fields', async () => {
		sessionOpened();
		const before = snapshot();

		const run = await stripePosts(stripe, stripeEvent(stripe.pay(SESSION)));

		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => [node.name, node.items.length])).toEqual([
			[TRIGGER, 1],
			[READ, 1],
			[FILTER, 1],
			[GET_MANY, 1],
			[PAY, 1],
		]);
		// One GET of the session the event names, with the account's secret key, no body.
		expect(reads()).toEqual([[`/v1/checkout/sessions/${SESSION}`, 200, `Bearer ${STRIPE_KEY}`]]);
		expect(stripe.requests[0].headers['content-length'] ?? '0').toBe('0');
		expect(run.node(READ).items[0].json).toEqual(stripe.session(SESSION));
		const listed = run.node(GET_MANY).requests;
		expect(listed.map((request) => request.method)).toEqual(['sale.payment.list']);
		expect(listed[0].params.filter).toEqual({ psInvoiceId: SESSION, paid: 'N' });
		const paid = emulator.methodCalls('sale.paysystem.pay.payment');
		expect(paid).toHaveLength(1);
		expect(paid[0].params).toEqual({
			PAYMENT_ID: payments.UNPAID,
			PAY_SYSTEM_ID: paySystems.BANK_TRANSFER,
			PS_INVOICE_ID: SESSION,
			PS_STATUS_CODE: 'paid',
			PS_STATUS_DESCRIPTION: 'Stripe Checkout',
			PS_SUM: 100,
			PS_CURRENCY: 'USD',
		});
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({
			paid: 'Y',
			psStatus: 'Y',
			psInvoiceId: SESSION,
			psStatusCode: 'paid',
			psStatusDescription: 'Stripe Checkout',
			psSum: 100,
			psCurrency: 'USD',
		});
		expect(changedPayments(before, emulator.state.payments)).toEqual([payments.UNPAID]);
	});

	test('the PS_* fields are Stripe\'s, not the event\'s: an event for the paid session claiming 1 JPY records 100 USD', async () => {
		sessionOpened();
		const session = stripe.pay(SESSION);

		const run = await stripePosts(stripe, stripeEvent({ ...session, amount_total: 1, currency: 'jpy' }));

		expect(run.error).toBeUndefined();
		expect(emulator.methodCalls('sale.paysystem.pay.payment').map((call) => call.params)).toEqual([
			expect.objectContaining({ PAYMENT_ID: payments.UNPAID, PS_INVOICE_ID: SESSION, PS_SUM: 100, PS_CURRENCY: 'USD' }),
		]);
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ paid: 'Y', psSum: 100, psCurrency: 'USD' });
	});

	test('a forged event claiming "paid" for a session Stripe says is unpaid (an unsigned event n8n 1.x takes): nothing is asked of the portal, nothing paid', async () => {
		sessionOpened();
		const before = snapshot();

		// Anyone who knows the webhook's URL and a session id (the buyer: it is in the payment page's address).
		const run = await stripePosts(stripe, stripeEvent({ ...stripe.session(SESSION), status: 'complete', payment_status: 'paid' }));

		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => [node.name, node.items.length])).toEqual([
			[TRIGGER, 1],
			[READ, 1],
			[FILTER, 0],
		]);
		expect(reads()).toEqual([[`/v1/checkout/sessions/${SESSION}`, 200, `Bearer ${STRIPE_KEY}`]]);
		expect(run.node(READ).items[0].json).toMatchObject({ id: SESSION, status: 'open', payment_status: 'unpaid' });
		expect(emulator.restCalls()).toEqual([]);
		expect(changedPayments(before, emulator.state.payments)).toEqual([]);
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ paid: 'N', psInvoiceId: SESSION });
	});

	test('an event for a session Stripe does not know: the run fails at the read (Stripe\'s 404), nothing is asked of the portal', async () => {
		sessionOpened();
		const before = snapshot();
		const unknown = 'cs_test_no_such_session';

		const run = await stripePosts(stripe, stripeEvent({ ...stripe.session(SESSION), id: unknown, status: 'complete', payment_status: 'paid' }));

		expect(run.nodes.map((node) => node.name)).toEqual([TRIGGER, READ]);
		// n8n's message for a 404, Stripe's own as the description: what the user reads in the failed execution.
		const failure = {
			name: 'NodeApiError',
			httpCode: '404',
			message: 'The resource you are requesting could not be found',
			description: `No such checkout.session: '${unknown}'`,
		};
		expect(run.error).toMatchObject(failure);
		expect(run.node(READ)).toMatchObject({ items: [], error: failure });
		expect(reads()).toEqual([[`/v1/checkout/sessions/${unknown}`, 404, `Bearer ${STRIPE_KEY}`]]);
		expect(emulator.restCalls()).toEqual([]);
		expect(changedPayments(before, emulator.state.payments)).toEqual([]);
	});

	test('a delayed payment method: completed but unpaid asks nothing of the portal; checkout.session.async_payment_succeeded starts nothing as saved, and pays once Events is "*" (as the README says)', async () => {
		sessionOpened();
		const before = snapshot();
		// The buyer chose a bank debit: the checkout is complete, the money not in yet.
		const completed = Object.assign(stripe.session(SESSION), { status: 'complete' });

		const run = await stripePosts(stripe, stripeEvent({ ...completed }));

		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => [node.name, node.items.length])).toEqual([
			[TRIGGER, 1],
			[READ, 1],
			[FILTER, 0],
		]);
		expect(emulator.restCalls()).toEqual([]);
		expect(changedPayments(before, emulator.state.payments)).toEqual([]);

		// Days later the money is in: Stripe says so with checkout.session.async_payment_succeeded.
		const succeeded = stripeEvent(stripe.pay(SESSION), 'checkout.session.async_payment_succeeded');
		// The example listens to checkout.session.completed only: this event starts no run.
		expect(await deliverWebhook(CONFIRMATION, TRIGGER, { body: succeeded })).toEqual({});
		expect(emulator.restCalls()).toEqual([]);
		// With Events set to all events, it is read back from Stripe and paid.
		const everyEvent = loadExample(CONFIRMATION);
		everyEvent.nodes.find((node) => node.name === TRIGGER)!.parameters.events = ['*'];
		const later = await stripePosts(stripe, succeeded, everyEvent);

		expect(later.error).toBeUndefined();
		expect(later.nodes.map((node) => [node.name, node.items.length])).toEqual([
			[TRIGGER, 1],
			[READ, 1],
			[FILTER, 1],
			[GET_MANY, 1],
			[PAY, 1],
		]);
		expect(emulator.methodCalls('sale.paysystem.pay.payment')).toHaveLength(1);
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ paid: 'Y', psInvoiceId: SESSION, psStatusCode: 'paid' });
	});

	test('the same event twice (Stripe delivers again): paid once; the second run finds no unpaid payment of the session', async () => {
		sessionOpened();
		const event = stripeEvent(stripe.pay(SESSION));

		await stripePosts(stripe, event);
		const again = await stripePosts(stripe, event);

		expect(again.error).toBeUndefined();
		expect(again.nodes.map((node) => [node.name, node.items.length])).toEqual([
			[TRIGGER, 1],
			[READ, 1],
			[FILTER, 1],
			[GET_MANY, 0],
		]);
		expect(reads()).toHaveLength(2);
		expect(emulator.methodCalls('sale.paysystem.pay.payment')).toHaveLength(1);
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ paid: 'Y', psInvoiceId: SESSION });
	});
});
