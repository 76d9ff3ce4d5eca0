/**
 * Bitrix24 Pay System Trigger on n8n-core's real hook and webhook contexts, against the emulator playing the portal's
 * side of a REST pay system in checkout mode (a buyer starting to pay makes it post the checkout to the handler's
 * URL and read the answer): activation and deactivation, one run per checkout with the payment read from the
 * portal, forged checkouts refused, the answer rules, and the loop closed with Get Many and Pay Payment.
 */
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { PaySystem } from '../emulator/state';
import { credentialData } from '../helpers/bitrix24';
import { loadOptionsContext, runNode } from '../helpers/engine';
import { paySystemTriggerType } from '../helpers/package';
import { TriggerHarness } from '../helpers/trigger';

const { payments, personTypes } = SEED_IDS;
const CODE = 'n8n_checkout';
const SETUP = { paySystemName: 'Card (n8n)', handlerCode: CODE, personTypeIds: [personTypes.INDIVIDUAL, personTypes.COMPANY] };

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

/** A fake payment service's answer: a checkout page and its id for the payment. */
const serviceAnswer = (item: IDataObject) => ({
	PAYMENT_URL: `https://pay.example.test/c/${String(item.paymentId)}`,
	PAYMENT_ID: `cs_${String(item.paymentId)}_${String(item.idempotencyKey).slice(-6)}`,
});

async function payTrigger(
	o: { run?: (items: IDataObject[]) => Promise<IDataObject>; auth?: 'webhook' | 'oAuth2'; setup?: IDataObject } = {},
): Promise<TriggerHarness> {
	const auth = o.auth ?? 'webhook';
	harness = await TriggerHarness.start({
		node: 'bitrix24PaySystemTrigger',
		authentication: auth,
		parameters: o.setup ?? SETUP,
		credentials: { [auth === 'webhook' ? 'bitrix24PaymentsWebhookApi' : 'bitrix24PaymentsOAuth2Api']: credentialData(emulator, auth) },
		run: o.run ?? (async ([item]) => serviceAnswer(item)),
	});
	return harness;
}

const ours = (code = CODE): PaySystem[] => [...emulator.state.paySystems.values()].filter((ps) => ps.ACTION_FILE === code);
const handlersOf = (code = CODE) => [...emulator.state.paySystemHandlers.values()].filter((h) => h.CODE === code);
const keyOf = (ps: PaySystem) => emulator.state.paySystemSettings.get(`${ps.ID}:${ps.PERSON_TYPE_ID}`)?.N8N_CHECKOUT_KEY?.VALUE;

/** The pay system of ours a buyer of order 200 (person type 1) chooses. */
const forIndividuals = () => ours().find((ps) => ps.PERSON_TYPE_ID === String(personTypes.INDIVIDUAL))!;

describe('activation makes the workflow a pay system', () => {
	test('the handler points at the production URL; a pay system per person type, active, of the ORDER registry, with the key', async () => {
		const trigger = await payTrigger();
		await trigger.activate();

		const [handler] = handlersOf();
		expect(handlersOf()).toHaveLength(1);
		expect(handler).toMatchObject({ NAME: 'Card (n8n)', CODE });
		expect(handler.SETTINGS).toMatchObject({
			CHECKOUT_DATA: { ACTION_URI: trigger.webhookUrl(), FIELDS: { N8N_CHECKOUT_KEY: { CODE: 'N8N_CHECKOUT_KEY' } } },
			CODES: { N8N_CHECKOUT_KEY: expect.objectContaining({ NAME: 'n8n checkout key' }) },
		});
		expect(ours().map((ps) => [ps.NAME, ps.PERSON_TYPE_ID, ps.ACTIVE, ps.ENTITY_REGISTRY_TYPE])).toEqual([
			['Card (n8n)', '1', 'Y', 'ORDER'],
			['Card (n8n)', '2', 'Y', 'ORDER'],
		]);
		const keys = ours().map(keyOf);
		expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
		expect(keys[1]).toBe(keys[0]);
		// The key is not the credential's secret.
		expect(String(keys[0])).not.toContain(DEFAULT_WEBHOOK_SECRET);
	});

	test('again after a restart, and after changes in Bitrix24: nothing made twice, the handler and key repaired, the pay systems on', async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const ids = ours().map((ps) => ps.ID);
		const key = keyOf(ours()[0]);

		// Meanwhile in Bitrix24: someone switched one pay system off, changed its key and the handler's address.
		ours()[0].ACTIVE = 'N';
		emulator.state.paySystemSettings.set(`${ids[0]}:1`, { N8N_CHECKOUT_KEY: { TYPE: 'VALUE', VALUE: 'changed' } });
		(handlersOf()[0].SETTINGS.CHECKOUT_DATA as IDataObject).ACTION_URI = 'https://old.example.test/';

		trigger.restart();
		await trigger.activate();
		expect(handlersOf()).toHaveLength(1);
		expect(ours().map((ps) => ps.ID)).toEqual(ids);
		expect(ours().map((ps) => ps.ACTIVE)).toEqual(['Y', 'Y']);
		expect(ours().map(keyOf)).toEqual([key, key]);
		expect((handlersOf()[0].SETTINGS.CHECKOUT_DATA as IDataObject).ACTION_URI).toBe(trigger.webhookUrl());
		expect(emulator.methodCalls('sale.paysystem.add')).toHaveLength(2); // the first activation's only
		expect(emulator.methodCalls('sale.paysystem.handler.add')).toHaveLength(1);
	});

	test('a pay system someone deleted in Bitrix24 is made again at the next activation', async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const [gone, kept] = ours();
		await fetch(`${emulator.webhookUrl()}sale.paysystem.delete`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ ID: gone.ID }),
		});
		expect(ours().map((ps) => ps.ID)).toEqual([kept.ID]);

		await trigger.activate();
		expect(ours().map((ps) => [ps.PERSON_TYPE_ID, ps.ACTIVE])).toEqual([
			['2', 'Y'],
			['1', 'Y'],
		]);
		expect(keyOf(ours()[1])).toBe(keyOf(kept));
	});

	test('deactivation switches the pay systems off and deletes nothing; activating again switches the same ones on', async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const ids = ours().map((ps) => ps.ID);
		await trigger.deactivate();
		expect(ours().map((ps) => [ps.ID, ps.ACTIVE])).toEqual(ids.map((id) => [id, 'N']));
		expect(handlersOf()).toHaveLength(1);
		expect(emulator.methodCalls('sale.paysystem.delete')).toHaveLength(0);
		expect(emulator.methodCalls('sale.paysystem.handler.delete')).toHaveLength(0);

		await trigger.activate();
		expect(ours().map((ps) => [ps.ID, ps.ACTIVE])).toEqual(ids.map((id) => [id, 'Y']));
	});

	test('a person type no longer chosen: its pay system is switched off', async () => {
		await (await payTrigger()).activate();
		await harness!.stop();
		const trigger = await payTrigger({ setup: { ...SETUP, personTypeIds: [personTypes.COMPANY] } });
		await trigger.activate();
		expect(ours().map((ps) => [ps.PERSON_TYPE_ID, ps.ACTIVE])).toEqual([
			['1', 'N'],
			['2', 'Y'],
		]);
	});

	test('bad parameters fail before any request', async () => {
		const trigger = await payTrigger({ setup: { ...SETUP, handlerCode: 'has spaces' } });
		await expect(trigger.activate()).rejects.toThrow('Handler Code must be 1 to 40 letters, digits, dots, dashes or underscores');
		await trigger.stop();
		const noTypes = await payTrigger({ setup: { ...SETUP, personTypeIds: [] } });
		await expect(noTypes.activate()).rejects.toThrow('Choose at least one person type');
		expect(emulator.restCalls()).toHaveLength(0);
	});

	test('OAuth2 too; listening for a test event sets up a test pay system of its own, and stopping switches it off', async () => {
		const trigger = await payTrigger({ auth: 'oAuth2' });
		await trigger.activate();
		await trigger.activate(true);
		expect(handlersOf(`${CODE}_test`)).toHaveLength(1);
		expect((handlersOf(`${CODE}_test`)[0].SETTINGS.CHECKOUT_DATA as IDataObject).ACTION_URI).toBe(trigger.webhookUrl(true));
		expect(ours(`${CODE}_test`).map((ps) => [ps.NAME, ps.ACTIVE])).toEqual([
			['Card (n8n) (n8n test)', 'Y'],
			['Card (n8n) (n8n test)', 'Y'],
		]);
		await trigger.deactivate(true);
		expect(ours(`${CODE}_test`).map((ps) => ps.ACTIVE)).toEqual(['N', 'N']);
		// The production pay systems are untouched.
		expect(ours().map((ps) => ps.ACTIVE)).toEqual(['Y', 'Y']);
		expect((handlersOf()[0].SETTINGS.CHECKOUT_DATA as IDataObject).ACTION_URI).toBe(trigger.webhookUrl());
	});
});

test('Person Types lists the person types of orders from the portal, as the editor loads them', async () => {
	const context = loadOptionsContext(
		paySystemTriggerType,
		{ authentication: 'webhook', ...SETUP },
		{ type: 'bitrix24PaymentsWebhookApi', data: credentialData(emulator, 'webhook') },
		'personTypeIds',
	);
	const options = await paySystemTriggerType.methods!.loadOptions!.getPersonTypes.call(context);
	// Only the order registry's (1, 2): the old CRM invoices' person types cannot have an order pay system.
	expect(options.map((option) => option.value)).toEqual([personTypes.INDIVIDUAL, personTypes.COMPANY]);
	expect(options.map((option) => option.name)).toEqual([expect.stringMatching(/ \(1\)$/), expect.stringMatching(/ \(2\)$/)]);
	expect(emulator.methodCalls('sale.persontype.list')).toHaveLength(1);
});

describe('a checkout starts one run', () => {
	test('with the payment as the portal has it; the answer gives the buyer the page, and Bitrix24 keeps the id', async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const paySystemId = Number(forIndividuals().ID);

		const result = await emulator.buyer.pay(payments.UNPAID, { paySystemId, returnUrl: 'https://shop.example.test/thanks' });

		expect(trigger.started).toHaveLength(1);
		const [[item]] = trigger.started;
		expect(item).toEqual({
			event: 'checkout',
			paymentId: payments.UNPAID,
			orderId: 200,
			paySystemId,
			sum: 100,
			currency: 'USD',
			returnUrl: 'https://shop.example.test/thanks',
			fields: {},
			payment: expect.objectContaining({ id: payments.UNPAID, orderId: 200, paid: 'N', sum: 100, currency: 'USD', paySystemId }),
			idempotencyKey: expect.stringMatching(/^bitrix24-[0-9a-f]{40}$/),
		});
		expect(Object.keys(item.payment as IDataObject).slice(0, 3)).toEqual(['id', 'orderId', 'accountNumber']);
		expect(result).toMatchObject({ kind: 'url', paymentUrl: `https://pay.example.test/c/${payments.UNPAID}` });
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBe(serviceAnswer(item).PAYMENT_ID);
		// Nothing of the key or the credential in the item.
		expect(JSON.stringify(item)).not.toContain(String(keyOf(forIndividuals())));
		expect(JSON.stringify(item)).not.toContain(DEFAULT_WEBHOOK_SECRET);
	});

	test('with an OAuth2 credential the same: the key comes from the app, the payment is read with its token', async () => {
		const trigger = await payTrigger({ auth: 'oAuth2' });
		await trigger.activate();
		const result = await emulator.buyer.pay(payments.UNPAID, { paySystemId: Number(forIndividuals().ID) });
		expect(result).toMatchObject({ kind: 'url' });
		expect(trigger.started.map(([item]) => item.paymentId)).toEqual([payments.UNPAID]);
		expect(emulator.restCalls('sale.payment.get').map((call) => [call.path, call.auth])).toEqual([['/rest/sale.payment.get', 'oauth']]);
		expect(String(keyOf(forIndividuals()))).not.toContain(emulator.oauthApp.clientSecret);
	});

	test("a second try carries the service's id from the first; the idempotency key stays the same", async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const paySystemId = Number(forIndividuals().ID);
		await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		const [[first], [second]] = trigger.started;
		expect(first.externalPaymentId).toBeUndefined();
		expect(second.externalPaymentId).toBe(serviceAnswer(first).PAYMENT_ID);
		expect(second.idempotencyKey).toBe(first.idempotencyKey);
	});
});

describe('nothing forged gets through', () => {
	/** Posts a checkout to the node as anyone could, with the portal's key unless told otherwise. */
	async function post(trigger: TriggerHarness, system: Record<string, string | number>, key?: string) {
		const body = new URLSearchParams();
		if (key !== undefined) body.set('N8N_CHECKOUT_KEY', key);
		for (const [name, value] of Object.entries(system)) body.set(`BX_SYSTEM_PARAMS[${name}]`, String(value));
		const response = await fetch(trigger.webhookUrl(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
		return { status: response.status, body: (await response.json()) as IDataObject };
	}

	test.each([
		['no key', undefined, {}, 401, { error: 'This checkout does not come from a Bitrix24 pay system of this workflow' }],
		['a wrong key', 'guess', {}, 401, { error: 'This checkout does not come from a Bitrix24 pay system of this workflow' }],
		['another sum', 'KEY', { SUM: 1 }, 200, { PAYMENT_ERRORS: ['Payment 1038 is 100 USD in Bitrix24, not 1 USD as asked. Open the payment again.'] }],
		['another currency', 'KEY', { CURRENCY: 'EUR' }, 200, { PAYMENT_ERRORS: ['Payment 1038 is 100 USD in Bitrix24, not 100 EUR as asked. Open the payment again.'] }],
		['a paid payment', 'KEY', { PAYMENT_ID: payments.PAID }, 200, { PAYMENT_ERRORS: [`Payment ${payments.PAID} is already paid.`] }],
		['a payment that does not exist', 'KEY', { PAYMENT_ID: 999999 }, 200, { PAYMENT_ERRORS: ['Payment 999999 does not exist in Bitrix24.'] }],
		['another pay system', 'KEY', { PAYSYSTEM_ID: SEED_IDS.paySystems.BANK_TRANSFER }, 200, { PAYMENT_ERRORS: [`Pay system ${SEED_IDS.paySystems.BANK_TRANSFER} is not run by this n8n workflow (handler ${CODE}).`] }],
	] as const)('%s: refused, nothing started', async (_name, key, change, status, body) => {
		const trigger = await payTrigger();
		await trigger.activate();
		const paySystemId = Number(forIndividuals().ID);
		// The payment uses our pay system, as after a buyer chose it.
		emulator.state.payments.get(payments.UNPAID)!.paySystemId = paySystemId;
		emulator.state.payments.get(payments.PAID)!.paySystemId = paySystemId;
		const system = { PAYMENT_ID: payments.UNPAID, PAYSYSTEM_ID: paySystemId, SUM: 100, CURRENCY: 'USD', RETURN_URL: 'https://x.test/', ...change };
		const answer = await post(trigger, system, key === 'KEY' ? String(keyOf(forIndividuals())) : key);
		expect(answer).toEqual({ status, body });
		expect(trigger.started).toHaveLength(0);
	});
});

describe('the answer', () => {
	test("the workflow's PAYMENT_ERRORS reach the manager; a failed run is Bitrix24's generic error; neither stores an id", async () => {
		const trigger = await payTrigger({ run: async () => ({ PAYMENT_ERRORS: ['Stripe: amount too small'] }) });
		await trigger.activate();
		const paySystemId = Number(forIndividuals().ID);
		expect(await emulator.buyer.pay(payments.UNPAID, { paySystemId })).toMatchObject({ kind: 'errors', errors: ['Stripe: amount too small'] });

		await harness!.stop();
		const failing = await payTrigger({
			run: async () => {
				throw new Error('Stripe is down');
			},
		});
		await failing.activate();
		expect(await emulator.buyer.pay(payments.UNPAID, { paySystemId })).toMatchObject({
			kind: 'errors',
			errors: ['Error registering order in payment system'],
		});
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBeNull();
	});

	test('a run slower than the portal waits: the buyer sees an error, nothing is stored, and the next try gets the same payment at the service', async () => {
		// A service that, as Stripe does with an Idempotency-Key, answers a repeated key with what it made the first time.
		const made = new Map<string, { PAYMENT_URL: string; PAYMENT_ID: string }>();
		let slow = true;
		const trigger = await payTrigger({
			run: async ([item]) => {
				const key = String(item.idempotencyKey);
				if (!made.has(key)) made.set(key, { PAYMENT_URL: `https://pay.example.test/s/${made.size + 1}`, PAYMENT_ID: `cs_${made.size + 1}` });
				if (slow) await sleep(600);
				return made.get(key)!;
			},
		});
		await trigger.activate();
		emulator.options.checkoutReadTimeoutMs = 300;
		const paySystemId = Number(forIndividuals().ID);

		const first = await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		expect(first.kind).toBe('errors');
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBeNull();

		slow = false;
		const second = await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		expect(second).toMatchObject({ kind: 'url', paymentUrl: 'https://pay.example.test/s/1' });
		expect(made.size).toBe(1);
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBe('cs_1');
	});

	test('lower-case keys work (the portal upper-cases them)', async () => {
		const trigger = await payTrigger({ run: async ([item]) => ({ payment_url: 'https://pay.example.test/x', payment_id: `cs_${String(item.paymentId)}` }) });
		await trigger.activate();
		const result = await emulator.buyer.pay(payments.UNPAID, { paySystemId: Number(forIndividuals().ID) });
		expect(result).toMatchObject({ kind: 'url', paymentUrl: 'https://pay.example.test/x' });
		expect(emulator.state.payments.get(payments.UNPAID)!.psInvoiceId).toBe(`cs_${payments.UNPAID}`);
	});
});

describe('the loop closes', () => {
	test("checkout, the service's confirmation found by psInvoiceId, Pay Payment: paid once, PS_* stored", async () => {
		const trigger = await payTrigger();
		await trigger.activate();
		const paySystemId = Number(forIndividuals().ID);
		await emulator.buyer.pay(payments.UNPAID, { paySystemId });
		const sessionId = serviceAnswer(trigger.started[0][0]).PAYMENT_ID;

		// The service's confirmation names its own id: Get Many finds the payment by it.
		const found = await runNode({
			emulator,
			auth: 'webhook',
			parameters: { resource: 'orderPayment', operation: 'getAll', returnAll: true, filters: { psInvoiceId: sessionId } },
		});
		expect(found.items.map((item) => [item.json.id, item.json.paySystemId])).toEqual([[payments.UNPAID, paySystemId]]);

		const paid = await runNode({
			emulator,
			auth: 'webhook',
			parameters: {
				resource: 'paySystem',
				operation: 'payPayment',
				paymentId: String(payments.UNPAID),
				paySystemId: { __rl: true, mode: 'id', value: String(paySystemId) },
				additionalFields: { psStatusCode: 'complete', psSum: 100, psCurrency: 'USD' },
			},
		});
		expect(paid.items).toHaveLength(1);
		const payment = emulator.state.payments.get(payments.UNPAID)!;
		expect(payment).toMatchObject({ paid: 'Y', psStatus: 'Y', psStatusCode: 'complete', psInvoiceId: sessionId });
		expect(emulator.methodCalls('sale.paysystem.pay.payment')).toHaveLength(1);
	});
});
