/**
 * `npm run demo` as a user runs it (the script in a process of its own, after the build): it runs the example
 * workflows, shows their requests without a secret, fits a 100-column terminal and says when something did not
 * do what it should. Against "your portal" (the emulator standing in for it): only the named payment is
 * touched, and it is put back.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test-only: runs the demo script as a child process, as a user runs it, never shipped */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';

const ROOT = join(__dirname, '..', '..');
const { payments } = SEED_IDS;

interface Demo {
	code: number;
	stdout: string;
	lines: string[];
}

/** Runs the demo as `npm run demo` does after building (the build is npm test's first step). */
async function demo(env: Record<string, string> = {}): Promise<Demo> {
	const environment = { ...process.env, ...env };
	// What the user's shell has, not what this test process set for itself.
	delete environment.GENERIC_TIMEZONE;
	if (!env.BITRIX24_WEBHOOK_URL) delete environment.BITRIX24_WEBHOOK_URL;
	return await new Promise((resolve) => {
		execFile(
			process.execPath,
			[require.resolve('ts-node/dist/bin.js'), '--transpile-only', join('test', 'demo', 'run-demo.ts')],
			{ cwd: ROOT, env: environment, maxBuffer: 16 * 2 ** 20 },
			(error, stdout, stderr) => {
				const output = `${stdout}${stderr}`;
				resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: output, lines: output.trimEnd().split('\n') });
			},
		);
	});
}

/** Secrets and things that look like them: the webhook secret, the app's client secret, 32-hex tokens. */
function expectNoSecret(output: string, ...more: string[]) {
	for (const secret of [DEFAULT_WEBHOOK_SECRET, 'emulator-client-secret', ...more]) expect(output).not.toContain(secret);
	expect(output).not.toMatch(/[0-9a-f]{32}/);
}

function expectFits(lines: string[]) {
	expect(lines.filter((line) => line.length > 100)).toEqual([]);
	expect(lines.length).toBeLessThanOrEqual(150);
}

test('on the emulator: every example workflow runs and explains itself, with its requests, in 150 lines of 100 columns', async () => {
	const { code, stdout, lines } = await demo();

	expect([code, lines.at(-1)]).toEqual([0, 'Demo finished: every step did what it should.']);
	expectFits(lines);
	expectNoSecret(stdout);
	// Each workflow by name, each node in the order it ran.
	for (const name of ['mark payments paid', 'pay unpaid order payments', 'payment links and QR codes', 'bill a deal']) expect(stdout).toContain(name);
	expect(stdout.match(/^ {2}Did what it says\.$/gm)).toHaveLength(4);
	expect(stdout).toMatch(/> Mark as Paid: CRM Payment > Mark as Paid\n[^]*> Read the payment[^]*> Record the payment: Order Payment > Update/);
	// The requests: webhook batches with the secret blanked, their commands, the app's calls without a token.
	expect(stdout).toContain('POST /rest/1/***/batch -> 200, 2 commands:');
	expect(stdout).toContain(`crm.item.payment.pay  id=${payments.UNPAID}`);
	expect(stdout).toMatch(/sale\.payment\.update {2}id=1038 fields\{paySystemId=2 /);
	expect(stdout).toContain('POST /rest/crm.item.payment.add -> 200  entityTypeId=2 entityId=10');
	// What changed, batching and time zones, explained.
	expect(stdout).toMatch(/payment 1038: paid N -> Y, [^]*pay system 2 kept\n {4}payment 1039: paid N -> Y, [^]*pay system 1 kept/);
	expect(stdout).toContain('Batching: 6 Bitrix24 calls in 3 HTTP requests');
	expect(stdout).toMatch(/run in America\/New_York \(n8n's default/);
	expect(stdout).toMatch(/sent with its offset:\n {2}\d{4}-\d\d-\d\dT18:00:00-0[45]:00\./);
	expect(stdout).toContain('Stand-ins:');
	expect(stdout).toContain('Not run here:');
}, 180_000);

describe('against a portal (BITRIX24_WEBHOOK_URL)', () => {
	let emulator: Bitrix24Emulator;
	beforeAll(async () => {
		emulator = await Bitrix24Emulator.start();
	});
	afterAll(async () => await emulator.stop());
	beforeEach(() => emulator.reset());

	test('marks only the named payment paid, puts it back, shows each request with the secret blanked', async () => {
		const { code, stdout, lines } = await demo({ BITRIX24_WEBHOOK_URL: emulator.webhookUrl(), BITRIX24_PAYMENT_ID: String(payments.UNPAID) });

		expect([code, lines.at(-1)]).toEqual([0, 'Demo finished: every step did what it should.']);
		expectFits(lines);
		expectNoSecret(stdout);
		expect(stdout).toContain('Credential test: OK');
		expect(stdout).toContain(`POST /rest/1/***/crm.item.payment.pay  id=${payments.UNPAID}`);
		expect(stdout).toContain(`payment ${payments.UNPAID}: paid N -> Y -> N, as it was.`);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		const writes = emulator.methodCalls().filter((call) => !['scope', 'crm.item.payment.get'].includes(call.method));
		expect(writes.map((call) => [call.method, Number(call.params.id)])).toEqual([
			['crm.item.payment.pay', payments.UNPAID],
			['crm.item.payment.unpay', payments.UNPAID],
		]);
	}, 120_000);

	test('a payment that is paid already is read and left alone', async () => {
		const { code, stdout } = await demo({ BITRIX24_WEBHOOK_URL: emulator.webhookUrl(), BITRIX24_PAYMENT_ID: String(payments.PAID) });

		expect(code).toBe(0);
		expect(stdout).toContain('is paid already');
		expect(new Set(emulator.methodCalls().map((call) => call.method))).toEqual(new Set(['scope', 'crm.item.payment.get']));
	}, 120_000);

	test('a wrong webhook secret: the credential test says so, nothing else is sent, the exit code is 1', async () => {
		const { code, stdout, lines } = await demo({
			BITRIX24_WEBHOOK_URL: emulator.webhookUrl(1, 'wrongsecret42'),
			BITRIX24_PAYMENT_ID: String(payments.UNPAID),
		});

		expect(code).toBe(1);
		expect(lines.at(-1)).toBe('Demo finished with 1 problem(s).');
		expect(stdout).toMatch(/Bitrix24 at 127\.0\.0\.1:\d+ rejected this webhook: the user ID or secret/);
		expectNoSecret(stdout, 'wrongsecret42');
		expectFits(lines);
		expect(new Set(emulator.methodCalls().map((call) => call.method))).toEqual(new Set(['scope']));
	}, 120_000);
});
