/**
 * Bitrix24 Payments Polling Trigger on n8n-core's real PollContext, against the emulator's offline event queue and
 * its order payments: what a look binds, reads, reserves and clears; one run per change to paid, also across
 * downtime, crashes and restarts; the license fallback; two workflows on one app; the inbound-webhook mode by date;
 * "Fetch Test Event"; and the errors a user can act on.
 */
import { Workflow } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { createNodeTypes } from '../helpers/engine';
import { freshPollingTriggerType } from '../helpers/package';
import { PollHarness } from '../helpers/poll';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;
/** A moment `hours` ago: the dates people give when they mark a payment paid. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

function oauthTrigger(events: string[], o: { token?: OAuthTokenData; workflowId?: string } = {}): PollHarness {
	return new PollHarness({
		authentication: 'oAuth2',
		events,
		workflowId: o.workflowId,
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2', o.token ?? emulator.issueToken()) },
	});
}

function webhookTrigger(events: string[]): PollHarness {
	return new PollHarness({ authentication: 'webhook', events, credentials: { bitrix24PaymentsWebhookApi: credentialData(emulator, 'webhook') } });
}

/** The payment ids and events of the runs, one array per run. */
function told(runs: Array<Array<Record<string, unknown>>>): Array<[unknown, unknown]> {
	return runs.map((items) => {
		expect(items).toHaveLength(1);
		return [items[0].paymentId, items[0].event];
	});
}

function calls(method: string) {
	return emulator.restCalls().filter((call) => call.restMethod === method.toLowerCase());
}

/** The methods of the batch commands and plain calls a look made, in order. */
function methodsSent(): string[] {
	return emulator.restCalls().flatMap((call) => (call.restMethod === 'batch' ? (call.commands ?? []).map((c) => `batch:${c.method}`) : [String(call.restMethod)]));
}

describe('OAuth2: the offline event queue', () => {
	test('activation binds Payment Paid offline under the node\'s own source key, once; a look then tells each payment paid once', async () => {
		const trigger = oauthTrigger(['paymentPaid'], { workflowId: 'wf1' });
		await trigger.activate();
		const bindings = calls('event.bind');
		expect(bindings.map((call) => [call.params.event, call.params.event_type, call.params.auth_connector])).toEqual([
			['ONPAYMENTENTITYSAVED', 'offline', 'n8n_wf1_node-wf1'],
		]);
		// Activated again (n8n restarted): nothing bound twice.
		emulator.requests = [];
		await trigger.restart();
		expect(calls('event.bind')).toHaveLength(0);

		emulator.person.pay(payments.UNPAID);
		emulator.person.pay(payments.UNPAID_2);
		const look = await trigger.look();
		expect(told(look.runs)).toEqual([
			[payments.UNPAID, 'ONPAYMENTENTITYSAVED'],
			[payments.UNPAID_2, 'ONPAYMENTENTITYSAVED'],
		]);
		const [run] = look.runs;
		expect(run[0]).toMatchObject({ paymentId: payments.UNPAID, domain: new URL(emulator.baseUrl).host, payment: { id: payments.UNPAID, paid: 'Y' } });
		expect(typeof run[0].ts).toBe('number');

		// Saved again while paid (a comment): no change to paid. The records are cleared at the next look.
		emulator.person.edit(payments.UNPAID, { comments: 'later' });
		expect((await trigger.look()).runs).toEqual([]);
		expect((await trigger.look()).runs).toEqual([]);
		expect(emulator.offlineRecords()).toEqual([]);
	});

	test('paid, unpaid and paid again between two looks is one new change; unpaid alone is none', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID, { datePaid: hoursAgo(3) });
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		emulator.person.unpay(payments.UNPAID);
		expect((await trigger.look()).runs).toEqual([]);
		emulator.person.pay(payments.UNPAID, { datePaid: hoursAgo(2) });
		emulator.person.unpay(payments.UNPAID);
		const lastPaid = hoursAgo(1);
		emulator.person.pay(payments.UNPAID, { datePaid: lastPaid });
		const look = await trigger.look();
		expect(told(look.runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		expect(Date.parse(String((look.runs[0][0].payment as { datePaid: string }).datePaid))).toBe(Math.floor(lastPaid.getTime() / 1000) * 1000);
	});

	test('n8n down while payments are paid (one unpaid and paid again): after the restart exactly one run per change, nothing repeated', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID);
		expect((await trigger.look()).runs).toHaveLength(1);
		// n8n stops: nothing is unbound, the portal keeps queuing.
		emulator.person.edit(payments.UNPAID, { comments: 'saved while n8n was down' });
		emulator.person.pay(payments.UNPAID_2, { datePaid: hoursAgo(2) });
		emulator.person.unpay(payments.UNPAID_2);
		emulator.person.pay(payments.UNPAID_2, { datePaid: hoursAgo(1) });
		const first = await trigger.restart();
		expect(told([...first.runs])).toEqual([[payments.UNPAID_2, 'ONPAYMENTENTITYSAVED']]);
		expect((await trigger.look()).runs).toEqual([]);
		await trigger.restart();
		expect((await trigger.look()).runs).toEqual([]);
	});

	test('a crash between reading the queue and starting the runs: the reservation is read again, nothing lost, nothing doubled', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID);
		emulator.person.pay(payments.UNPAID_2);
		await trigger.crashDuringLook();
		// The records were reserved, not cleared: the portal still holds them.
		expect(emulator.offlineRecords().map((record) => record.processId !== '')).toEqual([true, true]);
		const afterRestart = await trigger.restart();
		expect(told(afterRestart.runs).map(([id]) => id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
		await trigger.look();
		await trigger.restart();
		expect((await trigger.look()).runs).toEqual([]);
		expect(trigger.runs).toHaveLength(2);
		expect(emulator.offlineRecords()).toEqual([]);
	});

	test('a queue of 120 changed payments is read in one look: 120 runs, one queue read, the payments in 3 batch requests', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		const ids = emulator.seedChangedPayments(120);
		emulator.requests = [];
		const look = await trigger.look();
		expect(look.runs.map((items) => items[0].paymentId)).toEqual(ids);
		const sent = methodsSent();
		expect(sent.filter((method) => method === 'event.offline.get')).toHaveLength(1);
		expect(calls('batch')).toHaveLength(3);
		expect(sent.filter((method) => method === 'batch:sale.payment.get')).toHaveLength(120);
	});

	test('without reservations (cloud plans lacking the extended queue): free records are listed, cleared by id once their runs started; a crash loses nothing', async () => {
		emulator.options.plan = 'cloudBasic';
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID);
		const look = await trigger.look();
		expect(told(look.runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		// Read only: nothing reserved (the plan refuses clear=0) and nothing deleted yet.
		expect(calls('event.offline.get').every((call) => call.params.clear === undefined)).toBe(true);
		expect(emulator.offlineRecords().map((record) => record.processId)).toEqual(['']);
		// The next look clears it by id, as the free records' own process id ('').
		emulator.requests = [];
		const [record] = emulator.offlineRecords();
		expect((await trigger.look()).runs).toEqual([]);
		expect(calls('event.offline.clear').map((call) => [call.params.process_id, call.params.id])).toEqual([['', [String(record.id)]]]);
		expect(emulator.offlineRecords()).toEqual([]);

		// A crash after reading, before any run started: read again, told once.
		emulator.person.pay(payments.UNPAID_2);
		await trigger.crashDuringLook();
		expect(emulator.offlineRecords()).toHaveLength(1);
		expect(told((await trigger.restart()).runs)).toEqual([[payments.UNPAID_2, 'ONPAYMENTENTITYSAVED']]);
		await trigger.look();
		expect(emulator.offlineRecords()).toEqual([]);
		expect(trigger.runs).toHaveLength(2);
	});

	test('a crash while the runs start (after the first of three): the other two start after the restart, none twice, with reservations and without', async () => {
		for (const plan of ['cloudExtended', 'cloudBasic'] as const) {
			emulator.reset();
			emulator.options.plan = plan;
			const trigger = oauthTrigger(['paymentPaid'], { workflowId: `wf-${plan}` });
			await trigger.activate();
			const three = emulator.seedOrderPayments(3);
			for (const id of three) emulator.person.pay(id);
			await trigger.crashDuringLook({ afterRuns: 1 });
			expect(trigger.runs.map(([item]) => item.paymentId)).toEqual([three[0]]);
			const afterRestart = await trigger.restart();
			expect(afterRestart.runs.map(([item]) => item.paymentId)).toEqual(three.slice(1));
			await trigger.look();
			expect((await trigger.look()).runs).toEqual([]);
			expect(trigger.runs.map(([item]) => item.paymentId)).toEqual(three);
			expect(emulator.offlineRecords()).toEqual([]);
		}
	});

	test('Payment Saved and Payment Deleted: one run per event, the deleted one without a payment', async () => {
		const trigger = oauthTrigger(['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED']);
		await trigger.activate();
		expect(calls('event.bind').map((call) => call.params.event)).toEqual(['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED']);
		emulator.person.edit(payments.UNPAID, { comments: 'edited' });
		emulator.person.delete(payments.UNPAID_2);
		const look = await trigger.look();
		expect(told(look.runs)).toEqual([
			[payments.UNPAID, 'ONPAYMENTENTITYSAVED'],
			[payments.UNPAID_2, 'ONPAYMENTDELETED'],
		]);
		expect(look.runs[1][0]).not.toHaveProperty('payment');
	});

	test('switched off, then on again: what was paid meanwhile does not start it (it was off); what is paid after does', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		await trigger.deactivate();
		emulator.person.pay(payments.UNPAID);
		const activation = await trigger.activate('activate');
		expect(activation.runs).toEqual([]);
		expect((await trigger.look()).runs).toEqual([]);
		emulator.person.pay(payments.UNPAID_2);
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID_2, 'ONPAYMENTENTITYSAVED']]);
	});

	test('deactivation unbinds exactly its own bindings (another workflow\'s stay, nothing queues while off); stopping n8n unbinds nothing', async () => {
		const first = oauthTrigger(['paymentPaid', 'ONPAYMENTDELETED'], { workflowId: 'wf1' });
		const second = oauthTrigger(['paymentPaid'], { workflowId: 'wf2' });
		await first.activate();
		await second.activate();
		emulator.requests = [];
		await second.restart();
		expect(calls('event.unbind')).toEqual([]);

		await first.deactivate();
		expect(calls('event.unbind').map((call) => [call.params.event, call.params.event_type, call.params.auth_connector]).sort()).toEqual([
			['ONPAYMENTDELETED', 'offline', 'n8n_wf1_node-wf1'],
			['ONPAYMENTENTITYSAVED', 'offline', 'n8n_wf1_node-wf1'],
		]);
		emulator.person.pay(payments.UNPAID);
		expect(emulator.offlineRecords({ connectorId: 'n8n_wf1_node-wf1' })).toEqual([]);
		expect(emulator.offlineRecords({ connectorId: 'n8n_wf2_node-wf2' })).toHaveLength(1);
		expect(told((await second.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
	});

	test('n8n sees the webhook step only on an active workflow, so "Fetch Test Event" polls instead of waiting for a call', () => {
		const nodeType = freshPollingTriggerType();
		const [webhook] = nodeType.description.webhooks!;
		const methodOf = (active: boolean) => {
			const workflow = new Workflow({
				id: 'wf',
				nodes: [{ id: 'n', name: 'Polling', type: 'bitrix24PaymentsPollingTrigger', typeVersion: 1, position: [0, 0], parameters: {} }],
				connections: {},
				active,
				nodeTypes: createNodeTypes([nodeType]),
			});
			// As n8n's webhook service reads it (mode "internal", "GET" when unset); "" gives no webhook at all.
			return workflow.expression.getSimpleParameterValue(workflow.getNode('Polling')!, webhook.httpMethod, 'internal', {}, undefined, 'GET');
		};
		expect(methodOf(true)).toBe('POST');
		expect(methodOf(false)).toBe('');
	});

	test('two workflows polling with the same app each get every event', async () => {
		const first = oauthTrigger(['paymentPaid'], { workflowId: 'wf1' });
		const second = oauthTrigger(['paymentPaid'], { workflowId: 'wf2' });
		await first.activate();
		await second.activate();
		emulator.person.pay(payments.UNPAID);
		expect(told((await first.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		expect(told((await second.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
	});

	test('a payment the app itself marks paid through the portal starts a run too', async () => {
		const token = emulator.issueToken();
		const trigger = oauthTrigger(['paymentPaid'], { token });
		await trigger.activate();
		await fetch(`${emulator.baseUrl}/rest/crm.item.payment.pay`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.access_token}` },
			body: JSON.stringify({ id: payments.UNPAID }),
		});
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
	});

	test('"Fetch Test Event" shows the newest queued payment and moves nothing', async () => {
		const trigger = oauthTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID);
		emulator.person.pay(payments.UNPAID_2);
		const [item] = await trigger.fetchTestEvent();
		expect(item).toMatchObject({ event: 'ONPAYMENTENTITYSAVED', paymentId: payments.UNPAID_2, payment: { paid: 'Y' } });
		expect(emulator.offlineRecords().every((record) => record.processId === '')).toBe(true);
		expect(told((await trigger.look()).runs).map(([id]) => id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
	});

	test('the app\'s user is not an administrator: activation fails, saying so and how to fix it', async () => {
		const token = emulator.issueToken({ userId: SEED_IDS.users.READ_ONLY });
		const trigger = oauthTrigger(['paymentPaid'], { token });
		await expect(trigger.activate()).rejects.toMatchObject({
			message: expect.stringMatching(/^Bitrix24 could not .*: the app's user is not a Bitrix24 administrator$/),
			description: expect.stringContaining('Connect my account'),
		});
	});

	test('the app has no sale permission: activation fails naming it', async () => {
		const token = emulator.issueToken({ scopes: ['crm'] });
		const trigger = oauthTrigger(['paymentPaid'], { token });
		await expect(trigger.activate()).rejects.toMatchObject({
			message: 'Bitrix24 could not subscribe the trigger to the payment events: the portal does not offer the payment events to this app',
		});
	});

	test('a credential that stopped working: the look fails saying to reconnect it (n8n records it and runs the error workflow)', async () => {
		const token = emulator.issueToken();
		const trigger = oauthTrigger(['paymentPaid'], { token });
		await trigger.activate();
		// The app was uninstalled: its tokens and refresh tokens are gone.
		emulator.state.tokens.clear();
		emulator.state.refreshTokens.clear();
		const look = await trigger.look();
		// n8n's own verdict on a refresh it could not do, as the action node passes it on.
		expect(look.error?.message).toBe('The credential "bitrix24PaymentsOAuth2Api" needs to be reconnected.');
		expect(JSON.stringify(look.error)).not.toContain(token.access_token);
	});
});

describe('OAuth2 on each kind of plan: what the queue may use', () => {
	/** Every parameter set the node sent, plain calls and batch commands alike. */
	const everyParams = () => emulator.restCalls().flatMap((call) => [call.params, ...(call.commands ?? []).map((command) => command.params)]);

	test('a cloud plan without source keys: no call carries auth_connector, the app\'s one queue is read, nothing refused', async () => {
		emulator.options.plan = 'cloudBasic';
		const trigger = oauthTrigger(['paymentPaid'], { workflowId: 'wf1' });
		await trigger.activate();
		expect(calls('event.bind').map((call) => [call.params.event, call.params.event_type])).toEqual([['ONPAYMENTENTITYSAVED', 'offline']]);
		emulator.person.pay(payments.UNPAID);
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		await trigger.restart();
		expect(calls('event.bind')).toHaveLength(1);
		expect(everyParams().filter((params) => 'auth_connector' in params)).toEqual([]);
		expect(emulator.restCalls().filter((call) => call.status !== 200)).toEqual([]);
	});

	test('a cloud plan without source keys: a second polling workflow on the same app is refused at activation, saying why; the first keeps every event', async () => {
		emulator.options.plan = 'cloudBasic';
		const token = emulator.issueToken();
		const first = oauthTrigger(['paymentPaid'], { token, workflowId: 'wf1' });
		const second = oauthTrigger(['paymentPaid'], { token, workflowId: 'wf2' });
		await first.activate();
		const binds = calls('event.bind').length;
		await expect(second.activate()).rejects.toMatchObject({
			message: "This Bitrix24 app's offline event queue already has a reader",
			description: expect.stringMatching(/an app has one offline event queue .*two readers would each get only part of the payments\. Use one polling trigger per app/),
		});
		expect(calls('event.bind')).toHaveLength(binds);
		emulator.person.pay(payments.UNPAID);
		emulator.person.pay(payments.UNPAID_2);
		expect(told((await first.look()).runs).map(([id]) => id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// The refused one unbinds nothing of the first's; once the first is deactivated the second may read the queue.
		await second.deactivate();
		expect(calls('event.unbind')).toHaveLength(0);
		await first.deactivate();
		await second.activate();
		const [later] = emulator.seedOrderPayments(1);
		emulator.person.pay(later);
		expect(told((await second.look()).runs)).toEqual([[later, 'ONPAYMENTENTITYSAVED']]);
	});

	test('self-hosted (feature.get answers "en_selfhosted"): source keys and reservations are used; a crash in a look loses and doubles nothing', async () => {
		emulator.options.plan = 'selfHosted';
		const trigger = oauthTrigger(['paymentPaid'], { workflowId: 'wf1' });
		await trigger.activate();
		expect(calls('feature.get').map((call) => call.response)).toEqual([
			{ result: { value: 'en_selfhosted' }, time: expect.anything() },
			{ result: { value: 'en_selfhosted' }, time: expect.anything() },
		]);
		expect(calls('event.bind').map((call) => call.params.auth_connector)).toEqual(['n8n_wf1_node-wf1']);
		emulator.person.pay(payments.UNPAID);
		await trigger.crashDuringLook();
		expect(calls('event.offline.get').at(-1)!.params.clear).toBe(0);
		expect(emulator.offlineRecords().map((record) => record.processId !== '')).toEqual([true]);
		expect(told((await trigger.restart()).runs)).toEqual([[payments.UNPAID, 'ONPAYMENTENTITYSAVED']]);
		expect(calls('event.offline.list').map((call) => call.params.filter)).toContainEqual({ '>PROCESS_ID': '' });
		await trigger.look();
		expect(emulator.offlineRecords()).toEqual([]);
		expect(trigger.runs).toHaveLength(1);
	});
});

describe('Inbound webhook: paid payments by date', () => {
	test('a crash while the runs start (after the first of three): the other two start after the restart, none twice', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		await trigger.activate();
		const three = emulator.seedOrderPayments(3);
		for (const id of three) emulator.person.pay(id);
		await trigger.crashDuringLook({ afterRuns: 1 });
		expect(trigger.runs.map(([item]) => item.paymentId)).toEqual([three[0]]);
		expect((await trigger.restart()).runs.map(([item]) => item.paymentId)).toEqual(three.slice(1));
		expect((await trigger.look()).runs).toEqual([]);
		expect(trigger.runs.map(([item]) => item.paymentId)).toEqual(three);
	});

	test('a payment paid just before the workflow is switched on (within the overlap a look reads again) never starts a run', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		emulator.person.pay(payments.UNPAID, { datePaid: new Date(Date.now() - 2 * 60_000) });
		await trigger.activate();
		expect((await trigger.look()).runs).toEqual([]);
		emulator.person.pay(payments.UNPAID_2);
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID_2, 'paymentPaid']]);
		// Switched off and on again: what was paid meanwhile, a minute before, does not fire either.
		await trigger.deactivate();
		const [meanwhile] = emulator.seedOrderPayments(1);
		emulator.person.pay(meanwhile, { datePaid: new Date(Date.now() - 60_000) });
		await trigger.activate();
		expect((await trigger.look()).runs).toEqual([]);
	});

	test('the first look starts from now; each later look tells the payments paid since, once each', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		await trigger.activate();
		// Paid long before (seed 1040): never told.
		expect(trigger.runs).toEqual([]);
		emulator.person.pay(payments.UNPAID);
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'paymentPaid']]);
		expect((await trigger.look()).runs).toEqual([]);
		emulator.person.pay(payments.UNPAID_2);
		const look = await trigger.look();
		expect(told(look.runs)).toEqual([[payments.UNPAID_2, 'paymentPaid']]);
		expect(look.runs[0][0]).toMatchObject({ event: 'paymentPaid', payment: { id: payments.UNPAID_2, paid: 'Y' } });
		const listed = calls('sale.payment.list').at(-1)!;
		expect(listed.params.filter).toMatchObject({ paid: 'Y' });
		expect(listed.params.order).toEqual({ datePaid: 'ASC', id: 'ASC' });
	});

	test('n8n down: what was paid meanwhile is told after the restart, once; a back-dated payment older than the overlap is not seen', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID);
		await trigger.look();
		emulator.person.pay(payments.UNPAID_2);
		const [backDated] = emulator.seedOrderPayments(1);
		emulator.person.pay(backDated, { datePaid: '2020-01-01T00:00:00+03:00' });
		const restarted = await trigger.restart();
		expect(told(restarted.runs)).toEqual([[payments.UNPAID_2, 'paymentPaid']]);
		expect((await trigger.look()).runs).toEqual([]);
	});

	test('120 payments paid since the last look: every page read (the first alone, the rest in one batch), 120 runs, and only what the cursor has not passed is remembered', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		await trigger.activate();
		const ids = emulator.seedOrderPayments(120);
		for (const id of ids) emulator.person.pay(id);
		emulator.requests = [];
		const look = await trigger.look();
		expect(look.runs.map((items) => items[0].paymentId)).toEqual(ids);
		expect(calls('sale.payment.list')).toHaveLength(1);
		expect(calls('batch')).toHaveLength(1);
		expect(calls('batch')[0].commands?.map((command) => command.method)).toEqual(['sale.payment.list', 'sale.payment.list']);
		// The cursor is now past them all: once the overlap has passed too, none is kept.
		const { paidChanges } = trigger.savedNodeData() as { paidChanges: { told: Record<string, number> } };
		expect(Object.keys(paidChanges.told)).toHaveLength(120);
		const saved = JSON.parse(trigger.savedStaticData) as Record<string, { cursor: number }>;
		saved['node:Bitrix24 Payments Polling Trigger'].cursor += 10 * 60_000;
		trigger.savedStaticData = JSON.stringify(saved);
		await trigger.restart();
		emulator.person.pay(payments.UNPAID, { datePaid: new Date(saved['node:Bitrix24 Payments Polling Trigger'].cursor) });
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'paymentPaid']]);
		const kept = (trigger.savedNodeData() as { paidChanges: { told: Record<string, number> } }).paidChanges.told;
		expect(Object.keys(kept)).toEqual([expect.stringMatching(new RegExp(`^${payments.UNPAID}@`))]);
	});

	test('Payment Saved with an inbound webhook is refused before any request, saying why', async () => {
		const trigger = webhookTrigger(['paymentPaid', 'ONPAYMENTENTITYSAVED']);
		await expect(trigger.activate()).rejects.toMatchObject({
			message: 'Payment Saved need a Bitrix24 app (OAuth2)',
			description: expect.stringContaining('An inbound webhook gets no events'),
		});
		expect(emulator.restCalls()).toEqual([]);
	});

	test('"Fetch Test Event" shows the payment paid last and moves no cursor', async () => {
		const trigger = webhookTrigger(['paymentPaid']);
		await trigger.activate();
		emulator.person.pay(payments.UNPAID, { datePaid: new Date(Date.now() - 1000) });
		const [item] = await trigger.fetchTestEvent();
		expect(item).toMatchObject({ event: 'paymentPaid', paymentId: payments.UNPAID });
		expect(told((await trigger.look()).runs)).toEqual([[payments.UNPAID, 'paymentPaid']]);
	});
});
