/**
 * Bitrix24 Payments Trigger on n8n-core's real webhook and hook contexts, against the emulator posting its events
 * over HTTP: subscribing and unsubscribing (OAuth2), outgoing webhooks, "Payment Paid" once per change to paid
 * (also over a restart and for two events at once), and nothing but the portal trusted.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { builtModule, freshModule } from '../helpers/package';
import { TriggerHarness } from '../helpers/trigger';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;
let harness: TriggerHarness | undefined;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());
afterEach(async () => {
	await harness?.stop();
	harness = undefined;
});

/** A REST call as another app or a user in the portal would make it (not through the trigger). */
async function portal(method: string, params: object): Promise<unknown> {
	const response = await fetch(`${emulator.webhookUrl()}${method}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(params),
	});
	const body = (await response.json()) as { result?: unknown; error?: string };
	if (body.error) throw new Error(`${method}: ${body.error}`);
	return body.result;
}

/** Waits until the portal has posted every queued event and the trigger has answered each. */
async function settled() {
	await emulator.deliveriesSettled();
}

async function oauthTrigger(events: string[], token?: OAuthTokenData): Promise<TriggerHarness> {
	harness = await TriggerHarness.start({
		authentication: 'oAuth2',
		events,
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2', token) },
	});
	return harness;
}

async function webhookTrigger(events: string[], applicationToken: string): Promise<TriggerHarness> {
	harness = await TriggerHarness.start({
		authentication: 'webhook',
		events,
		credentials: {
			bitrix24PaymentsWebhookApi: { ...credentialData(emulator, 'webhook'), applicationToken } as ICredentialDataDecryptedObject,
		},
	});
	return harness;
}

const bindings = async (token: OAuthTokenData) =>
	(await (
		await fetch(`${emulator.baseUrl}/rest/event.get`, { method: 'POST', headers: { Authorization: `Bearer ${token.access_token}` } })
	).json()) as { result: Array<{ event: string; handler: string }> };

describe('OAuth2: the trigger subscribes itself', () => {
	test('activation binds the production URL to the event it needs, once; deactivation removes exactly that', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid', 'ONPAYMENTENTITYSAVED'], token);
		// Another handler of the same app, which the trigger must leave alone.
		await fetch(`${emulator.baseUrl}/rest/event.bind`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ event: 'ONPAYMENTDELETED', handler: 'https://other.example.com/hook' }),
		});

		expect(await trigger.isSubscribed()).toBe(false);
		await trigger.activate();
		expect(await trigger.isSubscribed()).toBe(true);
		// Activating again (n8n restarted) finds the binding and binds nothing.
		await trigger.activate();
		expect(emulator.methodCalls('event.bind').filter((call) => call.error === undefined)).toHaveLength(2);
		expect((await bindings(token)).result.map((b) => [b.event, b.handler])).toEqual([
			['ONPAYMENTDELETED', 'https://other.example.com/hook'],
			['ONPAYMENTENTITYSAVED', trigger.webhookUrl()],
		]);

		await trigger.deactivate();
		expect(await trigger.isSubscribed()).toBe(false);
		expect((await bindings(token)).result.map((b) => b.handler)).toEqual(['https://other.example.com/hook']);
	});

	test('Payment Deleted binds OnPaymentDeleted too; "Listen for test event" binds and unbinds the test URL', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid', 'ONPAYMENTDELETED'], token);

		await trigger.activate(true);
		expect((await bindings(token)).result.map((b) => [b.event, b.handler])).toEqual([
			['ONPAYMENTENTITYSAVED', trigger.webhookUrl(true)],
			['ONPAYMENTDELETED', trigger.webhookUrl(true)],
		]);
		await trigger.deactivate(true);
		expect((await bindings(token)).result).toEqual([]);
	});

	test('an app without the sale permission: activation fails saying which permission to add', async () => {
		const token = emulator.issueToken({ scopes: ['crm'] });
		const trigger = await oauthTrigger(['paymentPaid'], token);

		await expect(trigger.activate()).rejects.toMatchObject({
			message: 'Bitrix24 could not subscribe the trigger to the payment events: the portal does not offer the payment events to this app',
			description: expect.stringContaining('Add the Online Store (sale) permission to the Bitrix24 app'),
		});
	});

	test("n8n's webhook URL on localhost, which the portal cannot call: activation fails saying to set WEBHOOK_URL", async () => {
		harness = await TriggerHarness.start({
			authentication: 'oAuth2',
			events: ['paymentPaid'],
			credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
			webhookBaseUrl: 'http://localhost:5678/webhook',
		});

		await expect(harness.activate()).rejects.toMatchObject({
			message: "Bitrix24 could not subscribe the trigger to the payment events: the portal refused the trigger's address",
			description: expect.stringContaining("set n8n's WEBHOOK_URL to an address the portal can reach"),
		});
	});

	test('event.bind with an inbound webhook (not an app) is refused by the portal; the error says to use OAuth2', async () => {
		const { bitrix24ApiError } = builtModule<typeof import('../../nodes/client/errors')>('nodes/client/errors');
		const response = await fetch(`${emulator.webhookUrl()}event.bind`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ event: 'ONPAYMENTENTITYSAVED', handler: 'https://n8n.example.com/webhook/x/webhook' }),
		});
		const body = (await response.json()) as { error: string; error_description: string };
		const node = { id: '1', name: 'Trigger', type: 'bitrix24PaymentsTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		const error = bitrix24ApiError(node, { status: response.status, code: body.error, description: body.error_description }, {
			method: 'event.bind',
			ids: {},
			itemIndex: 0,
			connection: { authentication: 'webhook', secrets: [] },
		});

		expect(body.error).toBe('WRONG_AUTH_TYPE');
		expect(error.message).toBe('Bitrix24 could not subscribe the trigger to the payment events: Bitrix24 lets only an app (OAuth2) subscribe to events');
		expect(error.description).toMatch('Choose OAuth2 under Authentication of the trigger');
	});

	test('a paid payment starts the workflow once, with the payment read from the portal; later saves do not', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid'], token);
		await trigger.activate();

		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await settled();
		await portal('sale.payment.update', { id: payments.UNPAID, fields: { paySystemId: 2, comments: 'later save' } });
		await settled();

		expect(trigger.started).toHaveLength(1);
		const [[item]] = trigger.started;
		expect(item).toMatchObject({ event: 'ONPAYMENTENTITYSAVED', paymentId: payments.UNPAID, domain: new URL(emulator.baseUrl).host });
		expect(typeof item.ts).toBe('number');
		expect(item.payment).toMatchObject({ id: payments.UNPAID, paid: 'Y' });
		// Read with the credential's token, not the one the event carried.
		const reads = emulator.methodCalls('sale.payment.get');
		expect(reads).toHaveLength(2);
		// The tokens that came with the events reach no output.
		const posted = emulator.deliveries().map((delivery) => delivery.body).join('&');
		const tokens = [...posted.matchAll(/auth%5B(?:access|refresh)_token%5D=([^&]+)/g)].map((match) => match[1]);
		for (const secret of tokens) expect(JSON.stringify(trigger.received)).not.toContain(secret);
		expect(JSON.stringify(trigger.received)).not.toContain(emulator.oauthApp.applicationToken);
	});

	test('unpaid, then paid again: starts again; saves while unpaid start nothing', async () => {
		const trigger = await oauthTrigger(['paymentPaid'], emulator.issueToken());
		await trigger.activate();

		for (const method of ['crm.item.payment.pay', 'crm.item.payment.unpay', 'crm.item.payment.pay']) {
			await portal(method, { id: payments.UNPAID });
			await settled();
		}
		await portal('crm.item.payment.update', { id: payments.UNPAID_2, fields: { paySystemId: 1 } });
		await settled();

		expect(trigger.started.map((items) => items.map((item) => [item.paymentId, (item.payment as { paid: string }).paid]))).toEqual([
			[[payments.UNPAID, 'Y']],
			[[payments.UNPAID, 'Y']],
		]);
		expect(trigger.received.every((received) => received.status === 200)).toBe(true);
	});

	test('three payments paid in one batch request: three runs, one per payment', async () => {
		const trigger = await oauthTrigger(['paymentPaid'], emulator.issueToken());
		await trigger.activate();
		const [a, b, c] = emulator.seedOrderPayments(3, { orderId: SEED_IDS.orders.MAIN });

		await portal('batch', { halt: 0, cmd: { a: `crm.item.payment.pay?id=${a}`, b: `crm.item.payment.pay?id=${b}`, c: `crm.item.payment.pay?id=${c}` } });
		await settled();

		expect(trigger.started.map(([item]) => item.paymentId).sort()).toEqual([a, b, c]);
	});

	test('what it knows survives a restart: a paid payment saved again after the restart starts nothing', async () => {
		const trigger = await oauthTrigger(['paymentPaid'], emulator.issueToken());
		await trigger.activate();
		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await settled();
		// Saved: the one change to paid of that payment (the payment and the instant it was paid).
		const saved = JSON.parse(trigger.savedStaticData) as { 'node:Bitrix24 Payments Trigger': { paidChanges: { told: object } } };
		expect(Object.keys(saved['node:Bitrix24 Payments Trigger'].paidChanges.told)).toEqual([expect.stringMatching(new RegExp(`^${payments.UNPAID}@\\d+$`))]);

		trigger.restart();
		await portal('sale.payment.update', { id: payments.UNPAID, fields: { paySystemId: 2, comments: 'after restart' } });
		await settled();
		expect(trigger.started).toHaveLength(1);

		await portal('crm.item.payment.unpay', { id: payments.UNPAID });
		await settled();
		trigger.restart();
		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await settled();
		expect(trigger.started).toHaveLength(2);
	});

	test('two payments paid together, saved by n8n in either order: after a restart it still knows both', () => {
		type PaidChangesClass = new (trigger: string, staticData: object) => { tell(payment: object): boolean };
		// A fresh copy of the built module, as after a restart.
		const load = () => freshModule<{ PaidChanges: PaidChangesClass }>('nodes/paymentEvents/paidChanges').PaidChanges;
		const datePaid = new Date().toISOString();
		const paid = (id: number) => ({ id, paid: 'Y', datePaid });
		for (const lastSaved of ['first', 'second'] as const) {
			const PaidChanges = load();
			// Each request works on its own copy of the static data, loaded before either was saved.
			const first = {};
			const second = {};
			expect(new PaidChanges('workflow 1', first).tell(paid(1052))).toBe(true);
			expect(new PaidChanges('workflow 1', second).tell(paid(1053))).toBe(true);
			// n8n saves each copy whole; the one saved last is what a restart finds.
			const saved = JSON.parse(JSON.stringify(lastSaved === 'first' ? first : second)) as object;

			const afterRestart = load();
			expect([new afterRestart('workflow 1', saved).tell(paid(1052)), new afterRestart('workflow 1', saved).tell(paid(1053))]).toEqual([false, false]);
		}
	});

	test('two events of one payment arriving together start the workflow once', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid'], token);
		// The payment is paid; two saves of it are queued at the same time (the portal sends no order guarantee).
		emulator.state.payments.get(payments.UNPAID)!.paid = 'Y';
		const event = {
			event: 'ONPAYMENTENTITYSAVED',
			'data[FIELDS][ID]': String(payments.UNPAID),
			ts: String(Math.floor(Date.now() / 1000)),
			'auth[domain]': new URL(emulator.baseUrl).host,
			'auth[member_id]': token.member_id,
		};

		const statuses = await Promise.all([emulator.sendEvent(trigger.webhookUrl(), event), emulator.sendEvent(trigger.webhookUrl(), event)]);

		expect(statuses).toEqual([200, 200]);
		expect(trigger.started).toHaveLength(1);
		expect(emulator.methodCalls('sale.payment.get')).toHaveLength(2);
	});

	test('an event from another portal (another member_id) gets 401 and starts nothing, reads nothing', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid'], token);

		const status = await emulator.sendEvent(trigger.webhookUrl(), {
			event: 'ONPAYMENTENTITYSAVED',
			'data[FIELDS][ID]': String(payments.PAID),
			'auth[member_id]': 'a-foreign-portal',
			'auth[application_token]': emulator.oauthApp.applicationToken,
		});
		const missing = await emulator.sendEvent(trigger.webhookUrl(), { event: 'ONPAYMENTENTITYSAVED', 'data[FIELDS][ID]': String(payments.PAID) });

		expect([status, missing]).toEqual([401, 401]);
		expect(trigger.started).toEqual([]);
		expect(emulator.methodCalls('sale.payment.get')).toEqual([]);
	});

	test('a forged body that says "paid" cannot make an unpaid payment paid: the portal is asked', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['paymentPaid'], token);

		const status = await emulator.sendEvent(trigger.webhookUrl(), {
			event: 'ONPAYMENTENTITYSAVED',
			'data[FIELDS][ID]': String(payments.UNPAID),
			'data[FIELDS][PAID]': 'Y',
			'auth[member_id]': token.member_id,
		});

		expect(status).toBe(200);
		expect(trigger.started).toEqual([]);
		expect(emulator.methodCalls('sale.payment.get')).toHaveLength(1);
	});

	test('an event without a payment id is answered 400; the read of a payment deleted meanwhile says so', async () => {
		const token = emulator.issueToken();
		const trigger = await oauthTrigger(['ONPAYMENTENTITYSAVED'], token);
		const base = { event: 'ONPAYMENTENTITYSAVED', 'auth[member_id]': token.member_id };

		expect(await emulator.sendEvent(trigger.webhookUrl(), { ...base, 'data[FIELDS][ID]': 'abc' })).toBe(400);
		expect(await emulator.sendEvent(trigger.webhookUrl(), { ...base, 'data[FIELDS][ID]': '99999' })).toBe(200);

		expect(trigger.started).toHaveLength(1);
		const [[item]] = trigger.started;
		expect(item).toMatchObject({ event: 'ONPAYMENTENTITYSAVED', paymentId: 99999 });
		expect(item.payment).toBeUndefined();
		expect(item.error).toMatch(/^Bitrix24 could not get the order payment: order payment 99999 was not found/);
	});

	test('Payment Saved starts on every save, Payment Deleted on a delete (without a payment to read)', async () => {
		const trigger = await oauthTrigger(['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED'], emulator.issueToken());
		await trigger.activate();

		await portal('crm.item.payment.update', { id: payments.UNPAID_2, fields: { paySystemId: 1 } });
		await settled();
		await portal('crm.item.payment.delete', { id: payments.UNPAID_2 });
		await settled();

		expect(trigger.started.map(([item]) => [item.event, item.paymentId, 'payment' in item])).toEqual([
			['ONPAYMENTENTITYSAVED', payments.UNPAID_2, true],
			['ONPAYMENTDELETED', payments.UNPAID_2, false],
		]);
		expect(emulator.methodCalls('sale.payment.get')).toHaveLength(1);
	});
});

describe('Outgoing webhook: set up in Bitrix24, checked by its application token', () => {
	/** The trigger, and an outgoing webhook made in Bitrix24 for its URL whose token is in the credential. */
	async function configured(events: string[]) {
		const trigger = await webhookTrigger(events, '');
		const hook = emulator.addOutgoingWebhook({ handler: trigger.webhookUrl(), events: ['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED'] });
		// As the user does: the token copied from the outgoing webhook's page into the inbound webhook's credential.
		await trigger.setCredentials('bitrix24PaymentsWebhookApi', { ...credentialData(emulator, 'webhook'), applicationToken: hook.applicationToken });
		return { trigger, hook };
	}

	test('activation and deactivation call nothing; a paid payment starts the workflow, read with the inbound webhook', async () => {
		const { trigger } = await configured(['paymentPaid']);
		await trigger.activate();
		await trigger.deactivate();
		expect(emulator.restCalls()).toEqual([]);

		await portal('crm.item.payment.pay', { id: payments.UNPAID });
		await settled();

		expect(trigger.started).toHaveLength(1);
		expect(trigger.started[0][0]).toMatchObject({ event: 'ONPAYMENTENTITYSAVED', paymentId: payments.UNPAID, payment: { paid: 'Y' } });
		const [read] = emulator.restCalls('sale.payment.get');
		expect(read.auth).toBe('webhook');
		// The delivery carried the webhook's token, which reaches no output.
		expect(emulator.deliveries()[0].body).toContain('auth%5Bapplication_token%5D=');
		expect(JSON.stringify(trigger.received)).not.toContain(emulator.deliveries()[0].body.match(/application_token%5D=([^&]+)/)![1]);
	});

	test.each([
		['a wrong application token', { 'auth[application_token]': 'not-the-token-of-this-webhook' }],
		['no application token', {}],
		['the token in another field', { 'auth[access_token]': 'x' }],
	])('%s: 401, nothing started, nothing read', async (_name, auth) => {
		const { trigger } = await configured(['paymentPaid']);
		emulator.state.payments.get(payments.UNPAID)!.paid = 'Y';

		const status = await emulator.sendEvent(trigger.webhookUrl(), { event: 'ONPAYMENTENTITYSAVED', 'data[FIELDS][ID]': String(payments.UNPAID), ...auth });

		expect(status).toBe(401);
		expect(trigger.started).toEqual([]);
		expect(emulator.restCalls()).toEqual([]);
	});

	test('activating without an application token fails, saying where Bitrix24 shows it; nothing is sent', async () => {
		const trigger = await webhookTrigger(['paymentPaid'], '');

		await expect(trigger.activate()).rejects.toThrow('The "Bitrix24 Payments Webhook API" credential has no Outgoing Webhook Application Token');
		await expect(trigger.activate()).rejects.toMatchObject({
			description: expect.stringContaining('Developer resources > Other > Outgoing webhook, "Application token"'),
		});
		expect(emulator.restCalls()).toEqual([]);
	});

	test('an event the trigger was not set for (OnPaymentDeleted with Payment Paid only) is answered and starts nothing', async () => {
		const { trigger } = await configured(['paymentPaid']);

		await portal('crm.item.payment.delete', { id: payments.UNPAID_2 });
		await settled();

		expect(emulator.deliveries().map((d) => [d.event, d.status])).toEqual([['ONPAYMENTDELETED', 200]]);
		expect(trigger.started).toEqual([]);
	});
});
