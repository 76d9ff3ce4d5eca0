/**
 * `npm run test:e2e`: the built package in a real n8n (1.123.x, installed once into a cache folder by
 * `install-n8n.ts`), loaded as a custom extension. Credentials and the example workflows are imported with
 * n8n's CLI and run with `n8n execute` against the emulator; the run output and the portal's state are checked.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: runs the n8n CLI as a child process and writes its import files, never shipped */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { ensureN8n, n8nEnvironment } from './install-n8n';
import { packedExtension } from './pack';

const run = promisify(execFile);
/** n8n encrypts the imported credentials with it; a new one per run, like the throwaway user folder. */
const encryptionKey = randomBytes(24).toString('hex');
const ROOT = join(__dirname, '..', '..');
const { payments, paySystems, orders } = SEED_IDS;

interface NodeRun {
	executionStatus: string;
	data?: { main: Array<Array<{ json: IDataObject; binary?: Record<string, IDataObject> }>> };
	error?: IDataObject;
}
interface Execution {
	status: string;
	finished: boolean;
	data: { resultData: { runData: Record<string, NodeRun[]>; error?: IDataObject } };
}

let n8nBin: string;
let home: string;
/** The package as npm would ship it (`npm pack`), unpacked outside the project: n8n resolves its n8n-workflow. */
let extension: string;
let emulator: Bitrix24Emulator;

async function n8n(...args: string[]): Promise<string> {
	const { stdout, failed } = await n8nRun(args);
	if (failed) throw new Error(`n8n ${args.join(' ')} failed:\n${failed}`);
	return stdout;
}

async function n8nRun(args: string[]): Promise<{ stdout: string; failed?: string }> {
	const env = n8nEnvironment({ home, encryptionKey, extension });
	try {
		const { stdout } = await run(process.execPath, [n8nBin, ...args], { env, maxBuffer: 64 * 2 ** 20 });
		return { stdout };
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		return { stdout: `${stdout}\n${stderr}`, failed: `${stderr}\n${stdout.slice(0, 4000)}` };
	}
}

function write(name: string, value: unknown): string {
	const file = join(home, name);
	writeFileSync(file, JSON.stringify(value, null, 2));
	return file;
}

/** An example workflow as a user imports it, with this package loaded as a custom extension. */
function example(file: string, id: string, auth: 'webhook' | 'oAuth2' = 'webhook'): IDataObject {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as IDataObject & { nodes: IDataObject[] };
	for (const node of workflow.nodes) {
		if (node.type !== 'n8n-nodes-bitrix24-payments.bitrix24Payments') continue;
		node.type = 'CUSTOM.bitrix24Payments';
		if (auth === 'oAuth2') {
			node.parameters = { ...(node.parameters as IDataObject), authentication: 'oAuth2' };
			node.credentials = { bitrix24OAuth2Api: { id: 'e2eOAuth2Cred01', name: 'Bitrix24 app' } };
		} else {
			node.credentials = { bitrix24WebhookApi: { id: 'e2eWebhookCred1', name: 'Bitrix24 webhook' } };
		}
	}
	return { ...workflow, id, name: `${file} (${auth})`, active: false };
}

async function importCredentials(oauthToken: IDataObject) {
	await n8n(
		'import:credentials',
		`--input=${write('credentials.json', [
			{
				id: 'e2eWebhookCred1',
				name: 'Bitrix24 webhook',
				type: 'bitrix24WebhookApi',
				data: { webhookUrl: emulator.webhookUrl(), rateLimit: 'standard' },
			},
			{
				id: 'e2eOAuth2Cred01',
				name: 'Bitrix24 app',
				type: 'bitrix24OAuth2Api',
				data: { ...credentialData(emulator, 'oAuth2', oauthToken), rateLimit: 'standard' },
			},
		])}`,
	);
}

/** `n8n execute --rawOutput`: the whole run as JSON, after whatever n8n logged before it. */
async function execute(id: string, expectFailure = false): Promise<{ execution: Execution; stdout: string }> {
	const { stdout, failed } = await n8nRun(['execute', `--id=${id}`, '--rawOutput']);
	if (failed && !expectFailure) throw new Error(`n8n execute --id=${id} failed:\n${failed}`);
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

let expiredToken: IDataObject;

beforeAll(async () => {
	n8nBin = ensureN8n().bin;
	home = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	extension = await packedExtension(home);
	emulator = await Bitrix24Emulator.start();
	expiredToken = { ...emulator.issueToken({ expired: true }) };
	await importCredentials(expiredToken);
	const dir = join(home, 'workflows');
	mkdirSync(dir);
	const workflows = [
		example('mark-payments-paid.workflow.json', 'e2eMarkPaidHook'),
		example('mark-payments-paid.workflow.json', 'e2eMarkPaidOAuth', 'oAuth2'),
		example('payment-links-for-a-deal.workflow.json', 'e2ePaymentLinks'),
		example('confirm-order-payments.workflow.json', 'e2eConfirmPaid1'),
	];
	workflows.forEach((workflow, index) => writeFileSync(join(dir, `${index}.json`), JSON.stringify(workflow)));
	await n8n('import:workflow', '--separate', `--input=${dir}`);
}, 15 * 60_000);

afterAll(async () => {
	await emulator?.stop();
	if (home) rmSync(home, { recursive: true, force: true });
});

/** The secrets the credentials hold never reach the run's output. */
function expectNoSecrets(stdout: string) {
	expect(stdout).not.toContain(DEFAULT_WEBHOOK_SECRET);
	expect(stdout).not.toContain(String(expiredToken.access_token));
	expect(stdout).not.toContain(String(expiredToken.refresh_token));
	expect(stdout).not.toContain(emulator.oauthApp.clientSecret);
	for (const token of emulator.state.tokens.keys()) expect(stdout).not.toContain(token);
}

test('the custom extension loads: n8n lists both credential types of the package', async () => {
	const credentials = JSON.parse(await n8n('export:credentials', '--all', '--pretty', '--decrypted')) as IDataObject[];
	expect(credentials.map((c) => c.type).sort()).toEqual(['bitrix24OAuth2Api', 'bitrix24WebhookApi']);
}, 120_000);

test('mark-payments-paid with the webhook: both payments paid, then recorded', async () => {
	emulator.reset();
	const { execution, stdout } = await execute('e2eMarkPaidHook');

	expect(execution.status).toBe('success');
	expect(output(execution, 'Mark as Paid').map((item) => item.json)).toEqual([
		{ success: true, paymentId: payments.UNPAID },
		{ success: true, paymentId: payments.UNPAID_2 },
	]);
	expect(output(execution, 'Record the payment').map((item) => item.json.id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
	// Both items in one batch request on the webhook's path, each payment paid by exactly one command.
	expect(emulator.restCalls().map((call) => [call.restMethod, call.path])).toEqual([
		['batch', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/batch`],
		['batch', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/batch`],
	]);
	expect(emulator.methodCalls('crm.item.payment.pay').map((call) => [call.params.id, call.ran])).toEqual([
		[String(payments.UNPAID), true],
		[String(payments.UNPAID_2), true],
	]);
	for (const id of [payments.UNPAID, payments.UNPAID_2]) {
		const payment = emulator.state.payments.get(id)!;
		expect(payment).toMatchObject({ paid: 'Y', comments: 'Paid through n8n', psStatus: 'Y' });
	}
	expectNoSecrets(stdout);
}, 120_000);

test('mark-payments-paid with OAuth2 and an expired token: n8n refreshes it, each payment is paid once', async () => {
	emulator.reset();
	expiredToken = { ...emulator.issueToken({ expired: true }) };
	await importCredentials(expiredToken);
	const { execution, stdout } = await execute('e2eMarkPaidOAuth');

	expect(execution.status).toBe('success');
	expect(output(execution, 'Mark as Paid').map((item) => item.json)).toEqual([
		{ success: true, paymentId: payments.UNPAID },
		{ success: true, paymentId: payments.UNPAID_2 },
	]);
	// One refresh for both items: Bitrix24 rotates the refresh token, so a second refresh with the same one fails.
	const refreshes = emulator.tokenRequests();
	expect(refreshes.map((call) => [call.params.grant_type, call.params.refresh_token])).toEqual([
		['refresh_token', expiredToken.refresh_token],
	]);
	// The expired token was refused before anything ran; each payment was paid by exactly one request.
	const ran = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
	expect(ran.map((call) => Number(call.params.id)).sort()).toEqual([payments.UNPAID, payments.UNPAID_2]);
	// n8n 1.x: the batch met the expired token (401, nothing ran); sent once more with status errors on, it made
	// n8n refresh the token (401 again) and n8n repeated it with the new one.
	const pays = emulator.restCalls('batch').filter((call) => call.status === 401 || call.commands?.some((command) => command.method === 'crm.item.payment.pay'));
	expect(pays.map((call) => [call.status, call.auth, call.path])).toEqual([
		[401, 'oauth', '/rest/batch'],
		[401, 'oauth', '/rest/batch'],
		[200, 'oauth', '/rest/batch'],
	]);
	expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
	// n8n saved the new token: a second run needs no refresh.
	const saved = JSON.parse(await n8n('export:credentials', '--id=e2eOAuth2Cred01', '--decrypted')) as Array<{
		data: { oauthTokenData: IDataObject };
	}>;
	expect(saved[0].data.oauthTokenData.access_token).not.toBe(expiredToken.access_token);
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

test('OAuth2 with a revoked refresh token: the run fails asking to reconnect the credential, nothing is paid', async () => {
	emulator.reset();
	expiredToken = { ...emulator.issueToken({ expired: true }), refresh_token: 'revoked-refresh-token' };
	await importCredentials(expiredToken);
	const { execution, stdout } = await execute('e2eMarkPaidOAuth', true);

	expect(execution.status).toBe('error');
	const error = execution.data.resultData.error!;
	expect(error.message).toMatch(/OAuth server refused to refresh the access token/);
	expect(error.description).toMatch(/reconnect the "Bitrix24 OAuth2 API" credential/);
	expect(emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran)).toHaveLength(0);
	expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	expectNoSecrets(stdout);
}, 120_000);
