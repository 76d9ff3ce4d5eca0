/**
 * The main job: `npm run demo`. Runs the built node on n8n's real engine, against the bundled Bitrix24
 * emulator, or against a real portal when BITRIX24_WEBHOOK_URL is set (then only the payment named by
 * BITRIX24_PAYMENT_ID is touched, and put back as it was).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a command-line program: reads its environment, prints its report */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads these when its services start, so before it is loaded.
process.env.N8N_RUNNERS_ENABLED = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-demo-'));
process.env.N8N_ENCRYPTION_KEY ??= 'demo-encryption-key';
process.env.N8N_LOG_LEVEL ??= 'silent';

type Helpers = typeof import('../helpers/bitrix24');
type Emulator = import('../emulator/server').Bitrix24Emulator;
type Parameters = import('n8n-workflow').INodeParameters;

let failures = 0;

function show(title: string, result: Awaited<ReturnType<Helpers['run']>>, expectError = false) {
	console.log(`\n== ${title}`);
	for (const item of result.items) console.log(`   output: ${JSON.stringify(item.json)}`);
	if (result.error) {
		console.log(`   error: ${result.error.message}\n   ${result.error.description ?? ''}`);
	}
	if (Boolean(result.error || result.items.some((item) => item.json.error)) !== expectError) failures++;
}

async function onEmulator(helpers: Helpers) {
	const { Bitrix24Emulator, SEED_IDS } = await import('../emulator/server');
	const { payments, paySystems } = SEED_IDS;
	const emulator: Emulator = await Bitrix24Emulator.start();
	console.log(`Bitrix24 emulator at ${emulator.baseUrl} (set BITRIX24_WEBHOOK_URL to use a real portal)`);
	const run = (parameters: Parameters, ids: unknown[], continueOnFail = false) =>
		helpers.run(emulator, { parameters, items: helpers.itemsOf(...ids.map((id) => ({ id }))), continueOnFail });
	try {
		show(
			'Pay System > Pay Payment: payment 1038 paid through pay system 2, as a payment service reports it',
			await run(
				{
					resource: 'paySystem',
					operation: 'payPayment',
					paymentId: '={{ $json.id }}',
					paySystemId: paySystems.BANK_TRANSFER,
					additionalFields: { psInvoiceId: 'txn-2024-0001', psSum: 100, psCurrency: 'USD', psStatusCode: 'approved' },
				},
				[payments.UNPAID],
			),
		);
		show(
			'CRM Payment > Mark as Paid: two items, one request each',
			await run({ resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' }, [payments.UNPAID_2, payments.FLAKY]),
		);
		show(
			'Order Payment > Update: a comment and the pay system status on payment 144',
			await run(
				{
					resource: 'orderPayment',
					operation: 'update',
					paymentId: '={{ $json.id }}',
					paySystemId: paySystems.CASH,
					updateFields: { comments: 'Paid through n8n', psStatus: 'Y', payVoucherDate: '2024-04-10T10:00:00' },
				},
				[payments.SALE_DOC],
			),
		);
		show(
			'CRM Payment > Mark as Paid with Continue On Fail: a missing payment and a bad id fail alone',
			await run({ resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' }, [9999, 'abc'], true),
			true,
		);
		console.log('\n== The portal afterwards');
		for (const id of [payments.UNPAID, payments.UNPAID_2, payments.FLAKY, payments.SALE_DOC]) {
			const p = emulator.state.payments.get(id)!;
			console.log(`   payment ${id}: paid=${p.paid} psStatus=${p.psStatus} psInvoiceId=${p.psInvoiceId} comments=${JSON.stringify(p.comments)}`);
		}
		console.log(`   requests received: ${emulator.restCalls().length}`);
	} finally {
		await emulator.stop();
	}
}

async function onPortal(helpers: Helpers, webhookUrl: string) {
	const { testCredential } = await import('../helpers/credential-test');
	const check = await testCredential(helpers.webhookCredentialType, { webhookUrl });
	console.log(`Credential test: ${check.status}: ${check.message}`);
	if (check.status !== 'OK') {
		failures++;
		return;
	}
	const paymentId = process.env.BITRIX24_PAYMENT_ID;
	if (!paymentId) {
		console.log('Set BITRIX24_PAYMENT_ID to the ID of a CRM payment to mark it paid and put it back.');
		return;
	}
	// A stand-in for the emulator: only `webhookUrl()` is used with these credentials.
	const portal = { webhookUrl: () => webhookUrl } as unknown as Emulator;
	const run = (operation: string) =>
		helpers.run(portal, { parameters: { resource: 'payment', operation, paymentId }, credentials: { webhookUrl } });
	show(`CRM Payment > Mark as Paid: payment ${paymentId}`, await run('pay'));
	show(`CRM Payment > Mark as Unpaid: payment ${paymentId} put back`, await run('unpay'));
}

async function main() {
	const helpers: Helpers = await import('../helpers/bitrix24');
	const webhookUrl = process.env.BITRIX24_WEBHOOK_URL;
	if (webhookUrl) await onPortal(helpers, webhookUrl);
	else await onEmulator(helpers);
	console.log(failures ? `\nDemo finished with ${failures} unexpected result(s).` : '\nDemo finished: every step did what it should.');
	process.exit(failures ? 1 : 0);
}

void main();
