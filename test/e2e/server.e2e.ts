/**
 * `npm run test:e2e`, part 2: a real, running n8n (`n8n start`) of each line, 1.x (Node.js 20) and 2.x (Node.js 24),
 * with this package installed into its user folder as a community package, driven through the REST API the editor
 * uses. The credential test as the editor runs it. The trigger: the example workflow "When a payment is paid: tell
 * the team" is activated, the emulator posts its events to n8n's production URL over HTTP, and the workflow's last
 * node posts to a local "team chat". Checked: subscription on activation and removal on deactivation, one message
 * per payment paid (also after n8n restarts), nothing for a forged event, and no secret in n8n's log. What the editor
 * and n8n's AI workflow builders read: the output schemas n8n serves for the schema preview, and (2.x) the MCP
 * server's node search.
 */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import type { Stage } from './stage';
import { startStage, stopStage } from './stage';
import { committedText, SCHEMA_FOLDERS } from '../package/schemas/generate';
import { exampleWorkflow } from './examples';
import { N8n, N8N_LINES, sleep, until } from './n8n';

const WORKFLOW_ID = 'e2eTriggerFlow01';
const APP = { id: 'e2eTriggerApp01', name: 'Bitrix24 app' };
const { payments } = SEED_IDS;

describe.each(N8N_LINES)('n8n %s', (version) => {
	let n8n: N8n;
	let emulator: Bitrix24Emulator;
	let chat: Stage['chat'];
	let token: OAuthTokenData;
	let paidTogether: number[] = [];

	async function handlers(): Promise<string[]> {
		const response = await fetch(`${emulator.baseUrl}/rest/event.get`, { method: 'POST', headers: { Authorization: `Bearer ${token.access_token}` } });
		const { result } = (await response.json()) as { result: Array<{ event: string; handler: string }> };
		return result.map((binding) => `${binding.event} ${binding.handler}`);
	}

	const productionUrl = () => `${n8n.baseUrl}/webhook/7a0b2c4e-5d6f-4a1b-8c9d-0e1f2a3b4c5d/webhook`;

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

	let stage: Stage | undefined;

	beforeAll(async () => {
		stage = await startStage(version, ({ emulator: portal, chat: team, token: app }) => {
			// The example as a user imports it, the chat at our receiver.
			const workflow = exampleWorkflow('payment-paid-notify.workflow.json', WORKFLOW_ID, { bitrix24PaymentsOAuth2Api: APP });
			for (const node of workflow.nodes) {
				if (node.name === 'Post to the team chat') node.parameters = { ...(node.parameters as IDataObject), url: team.url };
			}
			return { credentials: [{ ...APP, type: 'bitrix24PaymentsOAuth2Api', data: credentialData(portal, 'oAuth2', app) }], workflows: [workflow] };
		});
		({ n8n, emulator, chat, token } = stage);
	}, 30 * 60_000);

	afterAll(async () => await stopStage(stage), 60_000);

	describe('the credential test, as the editor runs it (POST /rest/credentials/test)', () => {
		/** As the credential modal does: save the credential, then test it by its id with the data as entered. */
		async function testCredential(webhookUrl: string) {
			const credential = { name: 'Bitrix24 webhook', type: 'bitrix24PaymentsWebhookApi', data: { webhookUrl, rateLimit: 'standard' } };
			const { id } = await n8n.rest('POST', '/credentials', credential);
			return await n8n.rest('POST', '/credentials/test', { credentials: { id, ...credential } });
		}

		test('a working webhook URL, pasted with a method name on the end: OK, after one call of "scope"', async () => {
			// No emulator.reset() here: it would revoke the token the trigger's credential holds.
			const before = emulator.restCalls().length;
			const result = await testCredential(`${emulator.webhookUrl()}profile.json`);

			expect(result).toMatchObject({ status: 'OK' });
			expect(emulator.restCalls().slice(before).map((call) => [call.restMethod, call.path])).toEqual([['scope', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/scope`]]);
		}, 60_000);

		test.each([
			['a wrong secret', () => emulator.webhookUrl(1, 'wrongsecretZ9Q8'), /^Bitrix24 at 127\.0\.0\.1:\d+ rejected this webhook: the user ID or secret in the URL is wrong/],
			['a typo in the portal name', () => 'https://yourcompnay.invalid/rest/1/wrongsecretZ9Q8/', /^No server named yourcompnay\.invalid was found/],
			['a wrong port', () => 'http://127.0.0.1:9/rest/1/wrongsecretZ9Q8/', /^127\.0\.0\.1:9 refused the connection/],
			['no https://', () => 'yourcompany.bitrix24.com/rest/1/wrongsecretZ9Q8/', /^This is not a Bitrix24 inbound webhook URL/],
		])('%s: the package\'s message naming the host and the fix, without the secret', async (_name, url, message) => {
			const result = await testCredential(url());

			expect(result.status).toBe('Error');
			expect(result.message).toMatch(message);
			expect(JSON.stringify(result)).not.toContain('wrongsecretZ9Q8');
		}, 60_000);
	});

	test('activation subscribes the production URL with event.bind', async () => {
		const { versionId } = await n8n.rest('GET', `/workflows/${WORKFLOW_ID}`);
		await n8n.rest('POST', `/workflows/${WORKFLOW_ID}/activate`, { versionId });

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
		await n8n.stop();
		await n8n.start();
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
		await n8n.rest('POST', `/workflows/${WORKFLOW_ID}/deactivate`, {});

		await until('the binding to go', async () => (await handlers()).length === 0, 60_000);
		expect(await handlers()).toEqual([]);
		for (const secret of [DEFAULT_WEBHOOK_SECRET, token.access_token, token.refresh_token, emulator.oauthApp.clientSecret, emulator.oauthApp.applicationToken]) {
			expect(n8n.log).not.toContain(secret);
		}
		for (const delivered of emulator.state.tokens.keys()) expect(n8n.log).not.toContain(delivered);
	}, 120_000);

	describe('what the editor and n8n\'s AI workflow builders read', () => {
		test.each([
			['bitrix24Payments/1.0.0/orderPayment/update.json', `${SCHEMA_FOLDERS.bitrix24Payments}/v1.0.0/orderPayment/update.json`],
			['bitrix24Payments/1.0.0/payment/pay.json', `${SCHEMA_FOLDERS.bitrix24Payments}/v1.0.0/payment/pay.json`],
			['bitrix24PaymentsTrigger/1.0.0.json', `${SCHEMA_FOLDERS.bitrix24PaymentsTrigger}/v1.0.0.json`],
			['bitrix24PaymentsPollingTrigger/1.0.0.json', `${SCHEMA_FOLDERS.bitrix24PaymentsPollingTrigger}/v1.0.0.json`],
			['bitrix24PaymentsTool/1.0.0/payment/pay.json', `${SCHEMA_FOLDERS.bitrix24Payments}/v1.0.0/payment/pay.json`],
		])('the schema preview (GET /schemas/%s) answers with the package\'s schema', async (path, file) => {
			// As the editor asks for it: /schemas/<node type>/<version as x.y.z>[/<resource>/<operation>].json, no cookie.
			const response = await fetch(`${n8n.baseUrl}/schemas/n8n-nodes-bitrix24-payments.${path}`);

			expect(response.status).toBe(200);
			expect(await response.json()).toEqual(JSON.parse(committedText(file)!));
		}, 60_000);

		let apiKey: unknown;

		/** A tool of n8n's MCP server (n8n 2.x), called as an AI client calls it, with the owner's MCP API key. */
		async function mcpTool(name: string, args: object): Promise<string> {
			if (!apiKey) {
				await n8n.rest('PATCH', '/mcp/settings', { mcpAccessEnabled: true });
				// Shown whole only when it is made: later reads give it redacted.
				({ apiKey } = await n8n.rest('GET', '/mcp/api-key'));
			}
			const response = await fetch(`${n8n.baseUrl}/mcp-server/http`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${String(apiKey)}`, Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' },
				body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
			});
			expect(response.status).toBe(200);
			// One server-sent event: "event: message", then "data: <the JSON-RPC answer>".
			const data = /^data: (.*)$/m.exec(await response.text());
			const answer = JSON.parse(data![1]) as { result: { content: Array<{ text: string }>; isError?: boolean } };
			expect(answer.result.isError).toBeFalsy();
			return answer.result.content[0].text;
		}

		/** The node ids a search_nodes answer lists, in order (its results, then what it names as related). */
		const listed = (text: string) => [...text.matchAll(/^- (\S+)/gm)].map((match) => match[1]);

		if (version.startsWith('2.')) {
			test('n8n\'s MCP node search (search_nodes) lists Bitrix24 Payments first for "mark bitrix24 payment paid", with its builder hint', async () => {
				const text = await mcpTool('search_nodes', { queries: ['mark bitrix24 payment paid'] });

				expect(listed(text)[0]).toBe('n8n-nodes-bitrix24-payments.bitrix24Payments');
				expect(text).toContain('@builderHint Changes and reads payments in Bitrix24');
				expect(text).toMatch(/- payment:\n\s+Payments of deals and invoices\n\s+@builderHint .*Mark as Paid \(pay\)/);
			}, 60_000);

			test('for "bitrix24 payment paid trigger" our nodes come first, the trigger among them, and both triggers are named with what each is for', async () => {
				const text = await mcpTool('search_nodes', { queries: ['bitrix24 payment paid trigger'] });
				const ids = listed(text);

				expect(ids.slice(0, 3).every((id) => id.startsWith('n8n-nodes-bitrix24-payments.'))).toBe(true);
				expect(ids).toContain('n8n-nodes-bitrix24-payments.bitrix24PaymentsTrigger');
				expect(text).toContain('- n8n-nodes-bitrix24-payments.bitrix24PaymentsTrigger [TRIGGER]');
				expect(text).toMatch(/n8n-nodes-bitrix24-payments\.bitrix24PaymentsPollingTrigger: "Starts a workflow for each payment paid, by looking at Bitrix24 on a schedule/);
			}, 60_000);

			test('get_node_types gives the parameter hints: the Payment ID is the payment\'s own, not the order\'s or the deal\'s', async () => {
				const text = await mcpTool('get_node_types', {
					nodeIds: [{ nodeId: 'n8n-nodes-bitrix24-payments.bitrix24Payments', resource: 'payment', operation: 'pay' }],
				});

				expect(text).toMatch(/@builderHint A numeric Bitrix24 ID \(for example 1038\).* not the order ID, the deal ID or the account number/);
				expect(text).toMatch(/paymentId: string/);
			}, 60_000);
		}
	});
});
