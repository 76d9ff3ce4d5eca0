/**
 * `npm run test:e2e`, part 1: the example workflows in a real n8n of each line users run, 1.x (Node.js 20) and
 * 2.x (Node.js 24), with this package installed into n8n's user folder as a community package. Credentials and
 * workflows are imported with n8n's CLI and run with `n8n execute` against the emulator; the run's output, the
 * requests and the portal's state are checked. Also: n8n 2.x's SSRF protection, on and allow-listed.
 *
 * Beside ours, n8n has another Bitrix24 community package (neighbour.ts) that registers the credential type names
 * other Bitrix24 packages use: every run here is made with both installed, and the other package's node runs too.
 */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { exampleWorkflow } from './examples';
import { N8n, N8N_LINES } from './n8n';
import { neighbourCredentials, neighbourPackage, neighbourWorkflow } from './neighbour';

const { payments, paySystems, orders } = SEED_IDS;

interface NodeRun {
	executionStatus: string;
	executionTime: number;
	data?: { main: Array<Array<{ json: IDataObject; binary?: Record<string, IDataObject> }>> };
	error?: IDataObject;
}
interface Execution {
	status: string;
	finished: boolean;
	data: { resultData: { runData: Record<string, NodeRun[]>; error?: IDataObject } };
}

/** The JSON an export command prints, after whatever n8n 2.x logs first on the same output. */
function printedJson(stdout: string): unknown {
	return JSON.parse(stdout.slice(stdout.search(/^[[{]/m)));
}

const WEBHOOK = { id: 'e2eWebhookCred1', name: 'Bitrix24 webhook' };
const OAUTH2 = { id: 'e2eOAuth2Cred01', name: 'Bitrix24 app' };
const CREDENTIALS = { bitrix24PaymentsWebhookApi: WEBHOOK, bitrix24PaymentsOAuth2Api: OAUTH2 };

describe.each(N8N_LINES)('n8n %s', (version) => {
	let n8n: N8n;
	let emulator: Bitrix24Emulator;
	let token: IDataObject;

	async function importCredentials(oauthToken: IDataObject) {
		await n8n.command(
			'import:credentials',
			`--input=${n8n.file('credentials.json', [
				{ ...WEBHOOK, type: 'bitrix24PaymentsWebhookApi', data: { webhookUrl: emulator.webhookUrl(), rateLimit: 'standard' } },
				{ ...OAUTH2, type: 'bitrix24PaymentsOAuth2Api', data: { ...credentialData(emulator, 'oAuth2', oauthToken), rateLimit: 'standard' } },
				...neighbourCredentials(emulator, oauthToken as unknown as OAuthTokenData),
			])}`,
		);
	}

	/** `n8n execute --rawOutput`: the whole run as JSON, after whatever n8n logged before it. */
	async function execute(id: string, options: { expectFailure?: boolean; env?: NodeJS.ProcessEnv } = {}) {
		const { stdout, failed } = await n8n.cli(['execute', `--id=${id}`, '--rawOutput'], options.env);
		if (failed && !options.expectFailure) throw new Error(`n8n execute --id=${id} failed:\n${failed}`);
		// Printed pretty, so the run is the text from a line "{" to the next line "}".
		const printed = /^\{$[\s\S]*?^\}$/m.exec(stdout);
		expect(printed).not.toBeNull();
		return { execution: JSON.parse(printed![0]) as Execution, stdout };
	}

	function output(execution: Execution, node: string) {
		const [nodeRun] = execution.data.resultData.runData[node];
		expect(nodeRun.error).toBeUndefined();
		expect(nodeRun.executionStatus).toBe('success');
		return nodeRun.data!.main[0];
	}

	/** The secrets the credentials hold never reach the run's output or n8n's log. */
	function expectNoSecrets(stdout: string) {
		expect(stdout).not.toContain(DEFAULT_WEBHOOK_SECRET);
		expect(stdout).not.toContain(String(token.access_token));
		expect(stdout).not.toContain(String(token.refresh_token));
		expect(stdout).not.toContain(emulator.oauthApp.clientSecret);
		for (const issued of emulator.state.tokens.keys()) expect(stdout).not.toContain(issued);
	}

	beforeAll(async () => {
		n8n = await N8n.create(version, [neighbourPackage()]);
		emulator = await Bitrix24Emulator.start();
		token = { ...emulator.issueToken({ expired: true }) };
		await importCredentials(token);
		const workflows = [
			exampleWorkflow('mark-payments-paid.workflow.json', 'e2eMarkPaidHook', CREDENTIALS),
			exampleWorkflow('mark-payments-paid.workflow.json', 'e2eMarkPaidOAuth', CREDENTIALS, true),
			exampleWorkflow('payment-links-for-a-deal.workflow.json', 'e2ePaymentLinks', CREDENTIALS),
			exampleWorkflow('confirm-order-payments.workflow.json', 'e2eConfirmPaid1', CREDENTIALS),
			exampleWorkflow('bill-a-deal.workflow.json', 'e2eBillADeal0001', CREDENTIALS),
			neighbourWorkflow('e2eOtherPkgHook1', 'webhook', payments.UNPAID),
			neighbourWorkflow('e2eOtherPkgOAuth', 'oAuth2', payments.UNPAID_2),
		];
		workflows.forEach((workflow, index) => n8n.file(`workflows/${index}.json`, workflow));
		await n8n.command('import:workflow', '--separate', `--input=${n8n.home}/workflows`);
	}, 30 * 60_000);

	afterAll(async () => {
		await emulator?.stop();
		await n8n?.dispose();
	}, 60_000);

	test('the package loads from n8n\'s nodes folder beside another Bitrix24 package: n8n knows the credential types of both', async () => {
		const credentials = printedJson(await n8n.command('export:credentials', '--all', '--pretty', '--decrypted')) as IDataObject[];
		expect(credentials.map((c) => c.type).sort()).toEqual(['bitrix24OAuth2Api', 'bitrix24PaymentsOAuth2Api', 'bitrix24PaymentsWebhookApi', 'bitrix24WebhookApi']);
	}, 120_000);

	test.each([
		['webhook', 'e2eOtherPkgHook1', payments.UNPAID, `/rest/1/${DEFAULT_WEBHOOK_SECRET}/crm.item.payment.get.json`, 'webhook'],
		['OAuth2 app', 'e2eOtherPkgOAuth', payments.UNPAID_2, '/rest/crm.item.payment.get.json', 'oauth'],
	])('the other package\'s node works beside ours with its own %s credential (%s)', async (_kind, id, paymentId, path, auth) => {
		emulator.reset();
		token = { ...emulator.issueToken() };
		await importCredentials(token);
		const { execution } = await execute(id);

		expect(execution.status).toBe('success');
		expect(output(execution, 'Read with the other package').map((item) => item.json.id)).toEqual([paymentId]);
		expect(emulator.restCalls().map((call) => [call.path, call.auth])).toEqual([[path, auth]]);
	}, 120_000);

	test('mark-payments-paid with the webhook: both payments paid in one batch, recorded, pay systems kept', async () => {
		emulator.reset();
		const paySystemsBefore = [payments.UNPAID, payments.UNPAID_2].map((id) => emulator.state.payments.get(id)!.paySystemId);
		const { execution, stdout } = await execute('e2eMarkPaidHook');

		expect(execution.status).toBe('success');
		expect(output(execution, 'Mark as Paid').map((item) => item.json)).toEqual([
			{ success: true, paymentId: payments.UNPAID },
			{ success: true, paymentId: payments.UNPAID_2 },
		]);
		expect(output(execution, 'Record the payment').map((item) => item.json.id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// Every request on the webhook's path as batches; each payment paid by exactly one command.
		for (const call of emulator.restCalls()) expect([call.restMethod, call.path]).toEqual(['batch', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/batch`]);
		expect(emulator.methodCalls('crm.item.payment.pay').map((call) => [call.params.id, call.ran])).toEqual([
			[String(payments.UNPAID), true],
			[String(payments.UNPAID_2), true],
		]);
		[payments.UNPAID, payments.UNPAID_2].forEach((id, index) => {
			expect(emulator.state.payments.get(id)).toMatchObject({ paid: 'Y', comments: 'Paid through n8n', psStatus: 'Y', paySystemId: paySystemsBefore[index] });
		});
		expectNoSecrets(stdout);
	}, 120_000);

	test('mark-payments-paid with OAuth2 and an expired token: refreshed once, each payment paid once', async () => {
		emulator.reset();
		token = { ...emulator.issueToken({ expired: true }) };
		await importCredentials(token);
		const { execution, stdout } = await execute('e2eMarkPaidOAuth');

		expect(execution.status).toBe('success');
		expect(output(execution, 'Mark as Paid').map((item) => item.json)).toEqual([
			{ success: true, paymentId: payments.UNPAID },
			{ success: true, paymentId: payments.UNPAID_2 },
		]);
		// One refresh for both items: Bitrix24 rotates the refresh token, so a second refresh with the same one fails.
		expect(emulator.tokenRequests().map((call) => [call.params.grant_type, call.params.refresh_token])).toEqual([
			['refresh_token', token.refresh_token],
		]);
		const ran = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
		expect(ran.map((call) => Number(call.params.id)).sort()).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// The expired token was refused before anything ran. n8n 2.x refreshes on the 401 and repeats the batch; n8n 1.x
		// needs it sent once more with status errors on before it refreshes (see refresh.ts).
		const pays = emulator.restCalls('batch').filter((call) => call.status === 401 || call.commands?.some((command) => command.method === 'crm.item.payment.pay'));
		expect(pays.map((call) => [call.status, call.auth, call.path])).toEqual([
			...(n8n.major === 1 ? [[401, 'oauth', '/rest/batch']] : []),
			[401, 'oauth', '/rest/batch'],
			[200, 'oauth', '/rest/batch'],
		]);
		// n8n saved the new token: a second run needs no refresh.
		const saved = printedJson(await n8n.command('export:credentials', `--id=${OAUTH2.id}`, '--decrypted')) as Array<{ data: { oauthTokenData: IDataObject } }>;
		expect(saved[0].data.oauthTokenData.access_token).not.toBe(token.access_token);
		expectNoSecrets(stdout);
	}, 120_000);

	test('payment-links-for-a-deal: a link and a QR image for each unpaid payment of deal 10', async () => {
		emulator.reset();
		const { execution, stdout } = await execute('e2ePaymentLinks');

		expect(execution.status).toBe('success');
		const unpaid = [...emulator.state.payments.values()]
			.filter((payment) => payment.orderId === orders.MAIN && payment.paid === 'N')
			.map((payment) => payment.id);
		expect(unpaid.length).toBeGreaterThan(0);
		const links = output(execution, 'Payment link and QR code');
		expect(links.map((item) => item.json.paymentId)).toEqual(unpaid);
		for (const item of links) {
			expect(String(item.json.url)).toMatch(/^https?:\/\//);
			expect(item.binary?.qr?.mimeType).toBe('image/png');
		}
		expect(emulator.methodCalls('salescenter.payment.getpublicurl')).toHaveLength(unpaid.length);
		expectNoSecrets(stdout);
	}, 120_000);

	test('confirm-order-payments: unpaid bank transfers paid through their pay system and read back as paid', async () => {
		emulator.reset();
		const { execution, stdout } = await execute('e2eConfirmPaid1');

		expect(execution.status).toBe('success');
		const listed = output(execution, 'Unpaid bank transfers').map((item) => item.json.id as number);
		expect(listed.length).toBeGreaterThan(0);
		expect(output(execution, 'Pay and confirm').map((item) => item.json)).toEqual(
			listed.map((id) => ({ success: true, paymentId: id, paySystemId: paySystems.BANK_TRANSFER, paid: true })),
		);
		for (const id of listed) expect(emulator.state.payments.get(id)).toMatchObject({ paid: 'Y', psStatusCode: 'PAID' });
		expect(emulator.methodCalls('sale.paysystem.pay.payment')).toHaveLength(listed.length);
		expect(emulator.methodCalls('sale.payment.get')).toHaveLength(listed.length);
		expectNoSecrets(stdout);
	}, 120_000);

	test('bill-a-deal (OAuth2): a new payment of deal 10 covering two product rows, due in a week, with its link', async () => {
		emulator.reset();
		token = { ...emulator.issueToken() };
		await importCredentials(token);
		const before = new Set(emulator.state.payments.keys());
		const { execution, stdout } = await execute('e2eBillADeal0001');

		expect(execution.status).toBe('success');
		const [created] = output(execution, 'New payment for the deal');
		const id = created.json.id as number;
		expect(before.has(id)).toBe(false);
		expect(emulator.state.payments.get(id)).toMatchObject({ orderId: orders.MAIN, paySystemId: paySystems.BANK_TRANSFER, paid: 'N', sum: 55 });
		expect([...emulator.state.payableItems.values()].filter((line) => line.paymentId === id).map((line) => [line.entityId, line.quantity])).toEqual([
			[501, 2],
			[502, 1],
		]);
		// Sent with the workflow's offset (n8n's default zone, New York), kept by the portal as that instant.
		const sent = String((emulator.methodCalls('sale.payment.update')[0].params.fields as IDataObject).datePayBefore);
		expect(sent).toMatch(/T18:00:00-0[45]:00$/);
		expect(Date.parse(emulator.state.payments.get(id)!.datePayBefore!)).toBe(Date.parse(sent));
		expect(output(execution, 'Payment link').map((item) => [item.json.paymentId, item.binary?.qr?.mimeType])).toEqual([[id, 'image/png']]);
		expect(emulator.restCalls().map((call) => [call.restMethod, call.auth])).toEqual([
			['crm.item.payment.add', 'oauth'],
			['batch', 'oauth'],
			['sale.payment.update', 'oauth'],
			['salescenter.payment.getpublicurl', 'oauth'],
		]);
		expectNoSecrets(stdout);
	}, 120_000);

	test('OAuth2 with a revoked refresh token: the run fails asking to reconnect the credential, nothing is paid', async () => {
		emulator.reset();
		token = { ...emulator.issueToken({ expired: true }), refresh_token: 'revoked-refresh-token' };
		await importCredentials(token);
		const { execution, stdout } = await execute('e2eMarkPaidOAuth', { expectFailure: true });

		expect(execution.status).toBe('error');
		const error = execution.data.resultData.error!;
		// n8n 2.x says it itself, and the node passes it on; on n8n 1.x the node explains the token server's refusal.
		if (n8n.major === 1) {
			expect(error.message).toMatch(/OAuth server refused to refresh the access token/);
			expect(error.description).toMatch(/reconnect the "Bitrix24 Payments OAuth2 API" credential/);
		} else {
			expect(error.message).toBe('The credential "Bitrix24 app" needs to be reconnected.');
		}
		expect(emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran)).toHaveLength(0);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		expectNoSecrets(stdout);
	}, 120_000);

	describe('SSRF protection on (N8N_SSRF_PROTECTION_ENABLED=true), the portal on 127.0.0.1', () => {
		const ssrf = { N8N_SSRF_PROTECTION_ENABLED: 'true' };

		beforeAll(async () => {
			emulator.reset();
			token = { ...emulator.issueToken() };
			await importCredentials(token);
		}, 120_000);
		beforeEach(() => emulator.reset());

		if (version.startsWith('2.')) {
			test.each([
				['webhook', 'e2eMarkPaidHook'],
				['OAuth2', 'e2eMarkPaidOAuth'],
			])('with the %s credential: n8n blocks the request, the error says so and how to allow the portal; nothing sent, nothing repeated', async (_auth, id) => {
				const { execution, stdout } = await execute(id, { expectFailure: true, env: ssrf });

				expect(execution.status).toBe('error');
				const error = execution.data.resultData.error!;
				expect(error.message).toBe(
					"Bitrix24 could not mark the payment as paid: n8n blocked this request before sending it; allow the portal's address with N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES",
				);
				expect(error.description).toMatch(/nothing was sent to Bitrix24 and nothing changed\. If this is your portal, set N8N_SSRF_ALLOWED_IP_RANGES=127\.0\.0\.1\/32/);
				expect(stdout).not.toMatch(/may or may not|no answer from the portal/);
				expect(emulator.requests).toHaveLength(0);
				// Not repeated: the node's pauses before a repeat would add up to 15.5 s.
				expect(execution.data.resultData.runData['Mark as Paid'][0].executionTime).toBeLessThan(3000);
				expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
				expectNoSecrets(stdout);
			}, 120_000);

			test('the portal allow-listed (N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32): the workflow runs and both payments are paid', async () => {
				const { execution } = await execute('e2eMarkPaidHook', { env: { ...ssrf, N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32' } });

				expect(execution.status).toBe('success');
				expect(output(execution, 'Mark as Paid')).toHaveLength(2);
				expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
				expect(emulator.state.payments.get(payments.UNPAID_2)!.paid).toBe('Y');
			}, 120_000);
		} else {
			test('n8n 1.x has no SSRF protection: the setting changes nothing, the workflow runs', async () => {
				const { execution } = await execute('e2eMarkPaidHook', { env: ssrf });

				expect(execution.status).toBe('success');
				expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
			}, 120_000);
		}
	});
});
