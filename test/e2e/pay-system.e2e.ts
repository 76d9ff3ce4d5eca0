/**
 * `npm run test:e2e`, part 5: the Stripe Checkout examples in a real, running n8n of each line, as a shop runs them:
 * `stripe-checkout` (Bitrix24 Pay System Trigger -> n8n's HTTP Request to Stripe's Checkout Sessions -> the answer)
 * makes the workflow a Bitrix24 pay system, and `stripe-confirmation` (n8n's Stripe Trigger -> the session read back
 * from Stripe -> Filter on its payment status -> Get Many by the session id -> Pay Payment) closes the loop when Stripe
 * says the money is in. Both are imported with their
 * credentials and activated through n8n's REST API; the emulator plays the portal and its buyer,
 * `helpers/fake-stripe.ts` plays Stripe (n8n reaches it as https://api.stripe.com, `stripe-redirect.ts`). Checked:
 * what activation made (the handler calling n8n's production URL, the pay system, Stripe's webhook endpoint); a buyer's checkout makes one Checkout Session
 * and sends the buyer to its page; Stripe's signed confirmation pays the payment once, also when delivered twice;
 * a forged "paid" event pays nothing with no Signature Secret in the credential (n8n 1.x runs it and Stripe's own
 * answer stops it; n8n 2.x refuses it, its signature checked with the endpoint's secret); Stripe's own refusal reaches the manager; deactivation switches the pay system
 * off and removes the endpoint; no secret in n8n's log or in the runs it keeps.
 */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { CheckoutResult } from '../emulator/server';
import type { PaySystem } from '../emulator/state';
import type { StripeEvent } from '../helpers/fake-stripe';
import { FakeStripe } from '../helpers/fake-stripe';
import { exampleWorkflow } from './examples';
import { N8n, N8N_LINES, sleep, until } from './n8n';
import { stripeRedirectEnv } from './stripe-redirect';

const { payments, orders, personTypes } = SEED_IDS;
const HOOK = { id: 'e2eStripeHook01', name: 'Bitrix24 webhook' };
const STRIPE = { id: 'e2eStripeKey001', name: 'Stripe' };
const CHECKOUT_FLOW = 'e2eStripeCheck01';
const CONFIRM_FLOW = 'e2eStripeConfirm';
/** The examples' own webhook ids: n8n's production URLs are made of them. */
const CHECKOUT_WEBHOOK = '5b1d3c2a-7e4f-4a6b-9c8d-1e2f3a4b5c6d';
const CONFIRM_WEBHOOK = '6c2e4d3b-8f5a-4b7c-8d9e-2f3a4b5c6d7e';
const HANDLER_CODE = 'n8n_stripe_checkout';
const RETURN_URL = 'https://shop.example.test/thanks';

/** An example as a user imports it: our nodes on the webhook credential, n8n's Stripe nodes on the Stripe one. */
function workflow(file: string, id: string) {
	const imported = exampleWorkflow(file, id, { bitrix24PaymentsWebhookApi: HOOK });
	for (const node of imported.nodes) if (node.credentials?.stripeApi) node.credentials = { stripeApi: STRIPE };
	return imported;
}

describe.each(N8N_LINES)('n8n %s', (version) => {
	let n8n: N8n;
	let emulator: Bitrix24Emulator;
	let stripe: FakeStripe;
	/** What the run made, for the later tests. */
	let sessionId = '';
	let completed: StripeEvent | undefined;
	let endpointSecret = '';
	const figures: string[] = [];

	const checkoutUrl = () => `${n8n.baseUrl}/webhook/${CHECKOUT_WEBHOOK}/checkout`;
	const confirmationUrl = () => `${n8n.baseUrl}/webhook/${CONFIRM_WEBHOOK}/webhook`;
	const ours = (): PaySystem[] => [...emulator.state.paySystems.values()].filter((ps) => ps.ACTION_FILE === HANDLER_CODE);
	const handlers = () => [...emulator.state.paySystemHandlers.values()].filter((handler) => handler.CODE === HANDLER_CODE);
	/** The pay system a buyer of order 200 (an individual) meets. */
	const forIndividuals = () => ours().find((ps) => ps.PERSON_TYPE_ID === String(personTypes.INDIVIDUAL))!;
	const checkoutKey = () => String(emulator.state.paySystemSettings.get(`${forIndividuals().ID}:${personTypes.INDIVIDUAL}`)?.N8N_CHECKOUT_KEY?.VALUE);
	const paid = () => emulator.methodCalls('sale.paysystem.pay.payment');

	/** The finished executions of a workflow, newest first (n8n saves one just after answering its webhook). */
	async function executions(workflowId: string): Promise<IDataObject[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const { results } = (await n8n.rest('GET', `/executions?filter=${filter}&limit=50`)) as { results?: IDataObject[] };
		return (results ?? [])
			.filter((execution) => execution.status !== 'running' && execution.status !== 'new')
			.sort((a, b) => Number(b.id) - Number(a.id));
	}

	async function runsOf(workflowId: string, count: number): Promise<IDataObject[]> {
		let found: IDataObject[] = [];
		await until(`${count} finished runs of ${workflowId}`, async () => (found = await executions(workflowId)).length >= count, 30_000);
		return found;
	}

	async function activate(id: string) {
		const { versionId } = await n8n.rest('GET', `/workflows/${id}`);
		await n8n.rest('POST', `/workflows/${id}/activate`, { versionId });
	}

	async function buyerPays(paymentId: number): Promise<{ result: CheckoutResult; ms: number }> {
		const started = Date.now();
		const result = await emulator.buyer.pay(paymentId, { paySystemId: Number(forIndividuals().ID), returnUrl: RETURN_URL });
		return { result, ms: Date.now() - started };
	}

	let began = 0;

	beforeAll(async () => {
		began = Date.now();
		stripe = await FakeStripe.start();
		emulator = await Bitrix24Emulator.start();
		n8n = await N8n.create(version);
		await n8n.command(
			'import:credentials',
			`--input=${n8n.file('credentials.json', [
				{ ...HOOK, type: 'bitrix24PaymentsWebhookApi', data: { webhookUrl: emulator.webhookUrl(), rateLimit: 'standard' } },
				{ ...STRIPE, type: 'stripeApi', data: { secretKey: stripe.secretKey, signatureSecret: '' } },
			])}`,
		);
		await n8n.command(
			'import:workflow',
			`--input=${n8n.file('workflows.json', [
				workflow('stripe-checkout.workflow.json', CHECKOUT_FLOW),
				workflow('stripe-confirmation.workflow.json', CONFIRM_FLOW),
			])}`,
		);
		// Debug: every webhook, activation and node run is logged, so the secrets check below has the most to look at.
		await n8n.start({ ...stripeRedirectEnv(stripe, n8n.home), N8N_LOG_LEVEL: 'debug' });
		await n8n.setupOwner();
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
		await stripe?.stop();
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- test output for people
		if (figures.length > 0) process.stdout.write(`\n  Stripe Checkout examples, n8n ${version}: ${[...figures, `${((Date.now() - began) / 1000).toFixed(1)} s in all`].join(', ')}\n`);
	}, 60_000);

	test('activated through n8n\'s API: the checkout workflow is a pay system calling n8n\'s production URL; the confirmation workflow has an endpoint at Stripe', async () => {
		await activate(CHECKOUT_FLOW);
		await activate(CONFIRM_FLOW);
		// n8n 2.x publishes an activated workflow through a queue it polls (every 15 s by default): give it time.
		await until('the pay system', () => ours().some((ps) => ps.ACTIVE === 'Y'), 60_000);
		await until('the Stripe webhook endpoint', () => stripe.endpoints.size > 0, 60_000);

		expect(handlers()).toHaveLength(1);
		expect(handlers()[0]).toMatchObject({ NAME: 'Card (Stripe)', SETTINGS: { CHECKOUT_DATA: { ACTION_URI: checkoutUrl() } } });
		expect(ours().map((ps) => [ps.NAME, ps.PERSON_TYPE_ID, ps.ACTIVE])).toEqual([['Card (Stripe)', String(personTypes.INDIVIDUAL), 'Y']]);
		expect(checkoutKey()).toMatch(/^[0-9a-f]{64}$/);

		const [endpoint] = stripe.endpoints.values();
		expect(stripe.endpoints.size).toBe(1);
		expect(endpoint).toMatchObject({
			url: confirmationUrl(),
			enabled_events: ['checkout.session.completed'],
			status: 'enabled',
		});
		expect(stripe.calls('POST', '/v1/webhook_endpoints').map((call) => [call.status, call.headers.authorization])).toEqual([[200, `Bearer ${stripe.secretKey}`]]);
		endpointSecret = endpoint.secret;
	}, 120_000);

	test('a buyer pays by card: one Checkout Session for the payment\'s sum in cents, the buyer goes to its page, Bitrix24 keeps its id', async () => {
		const payment = emulator.state.payments.get(payments.UNPAID)!;
		const { result, ms } = await buyerPays(payments.UNPAID);
		figures.push(`checkout answered in ${ms} ms`);

		const created = stripe.calls('POST', '/v1/checkout/sessions');
		expect(created).toHaveLength(1);
		const [call] = created;
		expect(call.status).toBe(200);
		expect(call.headers.authorization).toBe(`Bearer ${stripe.secretKey}`);
		expect(call.headers['idempotency-key']).toMatch(/^bitrix24-[0-9a-f]{40}$/);
		expect(call.form).toEqual({
			mode: 'payment',
			line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '10000', product_data: { name: `Order ${payment.accountNumber || orders.MAIN}` } } }],
			client_reference_id: String(payments.UNPAID),
			metadata: { bitrix24_payment_id: String(payments.UNPAID) },
			success_url: RETURN_URL,
			cancel_url: RETURN_URL,
		});
		sessionId = String(call.answer.id);
		const session = stripe.sessions.get(sessionId)!;
		expect(result).toMatchObject({ kind: 'url', paymentUrl: session.url, paymentId: sessionId });
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({ psInvoiceId: sessionId, paid: 'N' });

		// The buyer comes back and pays again: the same Idempotency-Key, so Stripe gives the same session.
		const again = await buyerPays(payments.UNPAID);
		expect(again.result).toMatchObject({ kind: 'url', paymentUrl: session.url, paymentId: sessionId });
		const retried = stripe.calls('POST', '/v1/checkout/sessions');
		expect(retried.map((request) => [request.status, request.headers['idempotency-key']])).toEqual([1, 2].map(() => [200, call.headers['idempotency-key']]));
		expect(stripe.sessions.size).toBe(1);
		expect((await runsOf(CHECKOUT_FLOW, 2)).map((execution) => execution.status)).toEqual(['success', 'success']);
	}, 120_000);

	test('Stripe confirms: the confirmation workflow pays the payment through the pay system once; the same event delivered again pays nothing', async () => {
		const started = Date.now();
		const { event, deliveries } = await stripe.complete(sessionId);
		completed = event;
		expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
		await until('the payment paid', () => emulator.state.payments.get(payments.UNPAID)!.paid === 'Y', 30_000);
		figures.push(`paid ${Date.now() - started} ms after Stripe's event`);
		expect((await runsOf(CONFIRM_FLOW, 1)).map((execution) => execution.status)).toEqual(['success']);

		// Stripe delivers at least once: the same event again (a new signature, as each attempt has).
		expect((await stripe.deliver(event)).map((delivery) => delivery.status)).toEqual([200]);
		expect((await runsOf(CONFIRM_FLOW, 2)).map((execution) => execution.status)).toEqual(['success', 'success']);

		// Each run read the session from Stripe with the account's key, and went on because Stripe says it is paid.
		expect(stripe.calls('GET', `/v1/checkout/sessions/${sessionId}`).map((call) => [call.status, call.answer.payment_status, call.headers.authorization])).toEqual(
			[1, 2].map(() => [200, 'paid', `Bearer ${stripe.secretKey}`]),
		);
		expect(paid().map((call) => [call.ran, call.error])).toEqual([[true, undefined]]);
		expect(paid()[0].params).toMatchObject({ PAYMENT_ID: payments.UNPAID, PAY_SYSTEM_ID: Number(forIndividuals().ID) });
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({
			paid: 'Y',
			psStatus: 'Y',
			psStatusCode: 'paid',
			psStatusDescription: 'Stripe Checkout',
			psInvoiceId: sessionId,
			psSum: 100,
			psCurrency: 'USD',
		});
	}, 120_000);

	test('a "paid" event Stripe did not send, with no Signature Secret in the credential, pays nothing (1.x: run, stopped by Stripe\'s answer; 2.x: refused); Stripe\'s own pays', async () => {
		// Another buyer's checkout: a real session, open and unpaid at Stripe.
		const { result } = await buyerPays(payments.UNPAID_2);
		expect(result.kind).toBe('url');
		const session = stripe.sessions.get(String(stripe.calls('POST', '/v1/checkout/sessions').at(-1)!.answer.id))!;
		const reads = (id: string) => stripe.calls('GET', `/v1/checkout/sessions/${id}`);
		const listed = () => emulator.methodCalls('sale.payment.list').length;
		// Anyone who knows the webhook's URL and the session's id (it is in the payment page's address) posts a "paid"
		// event for it, signed with a secret that is not the endpoint's. The credential is as imported: no Signature Secret.
		const forged: StripeEvent = { ...completed!, id: 'evt_forged', data: { object: { ...session, status: 'complete', payment_status: 'paid' } } };
		const wrongSecret = { secret: 'whsec_not_the_endpoints' };
		const runs = (await executions(CONFIRM_FLOW)).length;
		const listedBefore = listed();
		const deliveries = await stripe.deliver(forged, wrongSecret);
		if (n8n.major === 1) {
			// n8n 1.x's Stripe Trigger checks signatures only with the credential's Signature Secret: it takes the event
			// and the workflow runs. The session read from Stripe is unpaid, so the Filter stops the run before Bitrix24.
			expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
			expect((await runsOf(CONFIRM_FLOW, runs + 1))[0].status).toBe('success');
			expect(reads(String(session.id)).map((call) => [call.status, call.answer.payment_status])).toEqual([[200, 'unpaid']]);
		} else {
			// n8n 2.x checks the signature with the secret Stripe gave the endpoint it made: refused, no run.
			expect(deliveries.map((delivery) => delivery.status)).toEqual([401]);
			await sleep(2000);
			expect(await executions(CONFIRM_FLOW)).toHaveLength(runs);
			expect(reads(String(session.id))).toEqual([]);
		}
		expect(listed()).toBe(listedBefore);
		expect(paid()).toHaveLength(1);
		expect(emulator.state.payments.get(payments.UNPAID_2)).toMatchObject({ paid: 'N', psInvoiceId: session.id });

		// The buyer pays: Stripe's own event, signed with the endpoint's secret, goes through.
		expect((await stripe.complete(String(session.id))).deliveries.map((delivery) => delivery.status)).toEqual([200]);
		await until('the second payment paid', () => emulator.state.payments.get(payments.UNPAID_2)!.paid === 'Y', 30_000);
		expect(reads(String(session.id)).at(-1)).toMatchObject({ status: 200, answer: { payment_status: 'paid' } });
		expect(paid().map((call) => call.params.PAYMENT_ID)).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// This run, and on 1.x the forged event's before it: all successful.
		const added = n8n.major === 1 ? 2 : 1;
		expect((await runsOf(CONFIRM_FLOW, runs + added)).slice(0, added).map((execution) => execution.status)).toEqual(Array(added).fill('success'));
	}, 120_000);

	test('Stripe refuses the session (below its minimum amount): the manager reads Stripe\'s own message, nothing is stored', async () => {
		const [small] = emulator.seedOrderPayments(1, { orderId: orders.MAIN, sum: 0.3, currency: 'USD' });
		const runs = (await executions(CHECKOUT_FLOW)).length;
		const { result } = await buyerPays(small);

		const refused = stripe.calls('POST', '/v1/checkout/sessions').at(-1)!;
		expect(refused.status).toBe(400);
		expect(refused.form).toMatchObject({ line_items: [{ price_data: { currency: 'usd', unit_amount: '30' } }] });
		expect(result).toMatchObject({
			kind: 'errors',
			errors: ['Stripe could not start the payment: The Checkout Session\'s total amount due must add up to at least $0.50 usd'],
		});
		expect(emulator.state.payments.get(small)).toMatchObject({ paid: 'N', psInvoiceId: null });
		// The run itself succeeded: the error went to the node's error output, which answered.
		expect((await runsOf(CHECKOUT_FLOW, runs + 1))[0].status).toBe('success');
	}, 120_000);

	test('deactivation through n8n\'s API: the pay system is switched off, nothing deleted; the Stripe endpoint is removed', async () => {
		const before = ours().map((ps) => ps.ID);
		await n8n.rest('POST', `/workflows/${CHECKOUT_FLOW}/deactivate`, {});
		await n8n.rest('POST', `/workflows/${CONFIRM_FLOW}/deactivate`, {});
		await until('the pay system off', () => ours().every((ps) => ps.ACTIVE === 'N'), 60_000);
		await until('the Stripe endpoint gone', () => stripe.endpoints.size === 0, 60_000);

		expect(ours().map((ps) => [ps.ID, ps.ACTIVE])).toEqual(before.map((id) => [id, 'N']));
		expect(handlers()).toHaveLength(1);
		expect(emulator.methodCalls('sale.paysystem.delete')).toHaveLength(0);
		expect(emulator.methodCalls('sale.paysystem.handler.delete')).toHaveLength(0);
		expect(stripe.calls('DELETE', `/v1/webhook_endpoints/${String(stripe.calls('POST', '/v1/webhook_endpoints')[0].answer.id)}`)).toHaveLength(1);
	}, 120_000);

	test('no secret reaches n8n\'s log or the runs it keeps: the webhook\'s, Stripe\'s secret key and signing secret, the checkout key', async () => {
		const secrets = { webhook: DEFAULT_WEBHOOK_SECRET, stripeKey: stripe.secretKey, signingSecret: endpointSecret, checkoutKey: checkoutKey() };
		const runs: string[] = [];
		for (const id of [CHECKOUT_FLOW, CONFIRM_FLOW]) {
			for (const execution of await executions(id)) runs.push(JSON.stringify(await n8n.rest('GET', `/executions/${String(execution.id)}`)));
		}
		expect(runs.length).toBeGreaterThanOrEqual(7);
		const found = (text: string) => Object.entries(secrets).filter(([, secret]) => text.includes(secret)).map(([name]) => name);
		// n8n 1.x keeps the workflow's static data in each run's copy of the workflow, and its Stripe Trigger keeps the
		// endpoint's signing secret there: n8n's own, not this package's.
		const inRuns = found(runs.join('\n')).filter((name) => !(n8n.major === 1 && name === 'signingSecret'));
		expect({ log: found(n8n.log), runs: inRuns }).toEqual({ log: [], runs: [] });
	}, 60_000);
});
