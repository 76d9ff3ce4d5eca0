/**
 * `npm run test:e2e`, part 3: Bitrix24 Payments Polling Trigger in a real, running n8n of each line, polling every
 * minute as users set it. Two active workflows share one timeline: one reads the app's offline event queue
 * (OAuth2), one lists the payments paid by date (inbound webhook); each posts one chat message per run. Checked:
 * activation binds offline; payments paid start one run each; n8n stopped while more are paid (one of them unpaid
 * and paid again, a paid one saved again) and started again: exactly one run per change, nothing repeated by the
 * next look; the binding stays while n8n is stopped; "Fetch Test Event" on the active workflow reads the portal at
 * once (it does not wait for a call); deactivation unbinds; no secret in n8n's log.
 */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import type { Stage } from './stage';
import { pollingToChat, startStage, stopStage } from './stage';
import { N8n, N8N_LINES, sleep, until } from './n8n';

const { payments } = SEED_IDS;
const APP = { id: 'e2ePollApp00001', name: 'Bitrix24 app' };
const HOOK = { id: 'e2ePollHook0001', name: 'Bitrix24 webhook' };
const QUEUE_FLOW = 'e2ePollQueue001';
const DATE_FLOW = 'e2ePollDate0001';
/** A minute for the next look, and the time its runs take. */
const NEXT_LOOK_MS = 75_000;

/** Polling trigger -> one chat message per run: "<prefix> <payment id> <event>". */
function workflow(id: string, prefix: string, authentication: 'oAuth2' | 'webhook', chatUrl: string) {
	const credential = authentication === 'oAuth2' ? APP : HOOK;
	return pollingToChat({ id, name: `Polling ${prefix}`, authentication, credential, chatUrl, text: `'${prefix} ' + $json.paymentId + ' ' + $json.event` });
}

describe.each(N8N_LINES)('n8n %s', (version) => {
	let n8n: N8n;
	let emulator: Bitrix24Emulator;
	let chat: Stage['chat'];
	let token: OAuthTokenData;
	const extra: number[] = [];

	/** The messages of one workflow, sorted (one run per change; runs of one look need not finish in order). */
	const told = (prefix: string) => chat.messages.filter((message) => message.startsWith(`${prefix} `)).sort();

	async function offlineBindings(): Promise<IDataObject[]> {
		const response = await fetch(`${emulator.baseUrl}/rest/event.get`, { method: 'POST', headers: { Authorization: `Bearer ${token.access_token}` } });
		const { result } = (await response.json()) as { result: IDataObject[] };
		return result.filter((binding) => Number(binding.offline) === 1);
	}

	async function activate(id: string) {
		const { versionId } = await n8n.rest('GET', `/workflows/${id}`);
		await n8n.rest('POST', `/workflows/${id}/activate`, { versionId });
	}

	let stage: Stage | undefined;

	beforeAll(async () => {
		stage = await startStage(version, ({ emulator: portal, chat: team, token: app }) => ({
			credentials: [
				{ ...APP, type: 'bitrix24PaymentsOAuth2Api', data: credentialData(portal, 'oAuth2', app) },
				{ ...HOOK, type: 'bitrix24PaymentsWebhookApi', data: credentialData(portal, 'webhook') },
			],
			workflows: [workflow(QUEUE_FLOW, 'queue', 'oAuth2', team.url), workflow(DATE_FLOW, 'date', 'webhook', team.url)],
		}));
		({ n8n, emulator, chat, token } = stage);
	}, 30 * 60_000);

	afterAll(async () => await stopStage(stage), 60_000);

	test('activation binds the Payment Paid event offline, under the node\'s own source key', async () => {
		await activate(QUEUE_FLOW);
		await activate(DATE_FLOW);
		// n8n 2.x publishes an activated workflow through a queue it polls (every 15 s by default): give it time.
		await until('the offline binding', async () => (await offlineBindings()).length > 0, 60_000);
		expect(await offlineBindings()).toEqual([{ event: 'ONPAYMENTENTITYSAVED', connector_id: `n8n_${QUEUE_FLOW}_${QUEUE_FLOW}-trigger`, offline: 1 }]);
	}, 120_000);

	test('a payment paid starts one run in each workflow at their next look', async () => {
		// The inbound-webhook workflow starts from its activation, which n8n 2.x may make up to 15 s after the request:
		// what is paid before does not count. Give it that time.
		await sleep(20_000);
		emulator.person.pay(payments.UNPAID);
		await until('both messages', () => chat.messages.length >= 2, NEXT_LOOK_MS);
		await sleep(3000);
		expect(told('queue')).toEqual([`queue ${payments.UNPAID} ONPAYMENTENTITYSAVED`]);
		expect(told('date')).toEqual([`date ${payments.UNPAID} paymentPaid`]);
	}, 180_000);

	test('n8n stopped while payments are paid (one unpaid and paid again, a paid one saved again): after the start one run per change, none repeated', async () => {
		await n8n.stop();
		extra.push(...emulator.seedOrderPayments(2, { orderId: 200 }));
		emulator.person.pay(extra[0]);
		emulator.person.pay(extra[1], { datePaid: new Date(Date.now() - 20_000) });
		emulator.person.unpay(extra[1]);
		emulator.person.pay(extra[1]);
		emulator.person.edit(payments.UNPAID, { comments: 'saved while n8n was down' });
		expect(await offlineBindings()).toHaveLength(1);
		await n8n.start();

		// The first look runs when n8n activates the workflows at its start.
		await until('four more messages', () => chat.messages.length >= 6, NEXT_LOOK_MS);
		// And the next look repeats nothing.
		await sleep(NEXT_LOOK_MS);
		expect(told('queue')).toEqual(
			[`queue ${payments.UNPAID} ONPAYMENTENTITYSAVED`, `queue ${extra[0]} ONPAYMENTENTITYSAVED`, `queue ${extra[1]} ONPAYMENTENTITYSAVED`].sort(),
		);
		expect(told('date')).toEqual([`date ${payments.UNPAID} paymentPaid`, `date ${extra[0]} paymentPaid`, `date ${extra[1]} paymentPaid`].sort());
		// What the queue workflow read is cleared (its last look's reservation at the latest with the next look).
		expect(emulator.offlineRecords().filter((record) => record.processId === '')).toEqual([]);
	}, 300_000);

	/** "Fetch Test Event" as the editor asks for it: a manual run up to the trigger; its finished execution. */
	async function fetchTestEvent(id: string): Promise<IDataObject> {
		const destinationNode = { nodeName: 'When a payment is paid', mode: 'inclusive' };
		const body = version.startsWith('2.') ? { destinationNode } : { workflowData: await n8n.rest('GET', `/workflows/${id}`), destinationNode };
		const started = await n8n.rest('POST', `/workflows/${id}/run`, body);
		expect(started).toHaveProperty('executionId');
		let execution: IDataObject = {};
		// n8n 1.x writes an execution's status and its data in two updates: wait for both.
		await until('the manual run', async () => {
			execution = await n8n.rest('GET', `/executions/${String(started.executionId)}`);
			return execution.status === 'error' || (execution.status === 'success' && String(execution.data).includes('"paymentId"'));
		}, 60_000);
		return execution;
	}

	test('"Fetch Test Event" on the active workflow reads the portal at once and moves nothing; deactivation unbinds the queue; no secret reaches n8n\'s log', async () => {
		const messages = chat.messages.length;
		for (const id of [QUEUE_FLOW, DATE_FLOW]) {
			const execution = await fetchTestEvent(id);
			expect(execution.status).toBe('success');
			// The queue is read empty by now, so both show the payment paid last, one of those paid while n8n was stopped
			// (flatted JSON, n8n's form of run data, keeps numbers as they are).
			const shown = /"paymentId":(\d+)/.exec(String(execution.data));
			expect(extra).toContain(Number(shown?.[1]));
		}
		expect(chat.messages.length).toBe(messages);
		expect(await offlineBindings()).toHaveLength(1);

		await n8n.rest('POST', `/workflows/${QUEUE_FLOW}/deactivate`, {});
		await n8n.rest('POST', `/workflows/${DATE_FLOW}/deactivate`, {});
		await until('the offline binding gone', async () => (await offlineBindings()).length === 0, 60_000);
		emulator.person.pay(payments.UNPAID_2);
		expect(emulator.offlineRecords().filter((record) => record.eventData.FIELDS.ID === payments.UNPAID_2)).toEqual([]);
		for (const secret of [DEFAULT_WEBHOOK_SECRET, token.access_token, token.refresh_token, emulator.oauthApp.clientSecret]) {
			expect(n8n.log).not.toContain(secret);
		}
	}, 180_000);
});
