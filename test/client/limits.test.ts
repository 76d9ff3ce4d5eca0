/**
 * The portal's request bucket and operating-time limit, met by many items at once on the real engine: every
 * payment paid exactly once, no item failed, and the waits the user allowed respected.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { Bitrix24Emulator as Emulator } from '../emulator/server';
import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import { credentialData, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

let emulator: Emulator;

// A new portal (port) per test: the node's limiter remembers each portal's bucket for the whole process.
beforeEach(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterEach(async () => await emulator.stop());

function withPlan(plan: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	return { ...credentialData(emulator, 'webhook'), ...plan };
}

/** CRM payments of deal 10, unpaid. */
function crmPayments(count: number): number[] {
	return emulator.seedOrderPayments(count, { orderId: SEED_IDS.orders.MAIN });
}

/** How many times the portal ran `method` for each id. */
function runsPerId(method: string): Map<number, number> {
	const runs = new Map<number, number>();
	for (const call of emulator.methodCalls(method)) {
		if (!call.ran) continue;
		const id = Number(call.params.id);
		runs.set(id, (runs.get(id) ?? 0) + 1);
	}
	return runs;
}

test('Batch Requests off: 300 items of Mark as Paid through a bucket of burst 10 at 20/s: all paid exactly once, none failed, at most 3 of 300 refused', async () => {
	emulator.options.bucket = { rate: 20, burst: 10 };
	const ids = crmPayments(300);

	const result = await runNode({
		emulator,
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', requestOptions: { batch: false } },
		items: itemsOf(...ids.map((id) => ({ id }))),
		credentials: withPlan({ rateLimit: 'custom', requestsPerSecond: 20, burst: 10 }),
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(300);
	expect(result.items.every((item, index) => item.json.success === true && item.json.paymentId === ids[index])).toBe(true);
	for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');
	const runs = runsPerId('crm.item.payment.pay');
	expect(runs.size).toBe(300);
	expect([...runs.values()].every((count) => count === 1)).toBe(true);
	// Paced to the credential's plan, the node leaves the portal nothing to refuse (the time is a figure for npm run bench).
	expect(emulator.refusedByBucket).toBeLessThanOrEqual(3);
}, 60_000);

test('Batch Requests off: another app filled the same bucket: the portal refuses, the node backs off and retries, nothing runs twice', async () => {
	emulator.options.bucket = { rate: 2, burst: 10 };
	const ids = crmPayments(12);
	// Another app's calls take the whole bucket just before the workflow starts.
	await Promise.all(Array.from({ length: 10 }, async () => await fetch(`${emulator.webhookUrl()}profile`, { method: 'POST' })));

	const result = await runNode({
		emulator,
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', requestOptions: { batch: false } },
		items: itemsOf(...ids.map((id) => ({ id }))),
		credentials: withPlan({ rateLimit: 'custom', requestsPerSecond: 2, burst: 10 }),
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(12);
	const refused = emulator.restCalls('crm.item.payment.pay').filter((call) => call.status === 503);
	expect(refused.length).toBeGreaterThan(0);
	const runs = runsPerId('crm.item.payment.pay');
	expect(runs.size).toBe(12);
	expect([...runs.values()].every((count) => count === 1)).toBe(true);
}, 60_000);

test('Batch Requests off: the Standard plan paces a burst of 60 items: 50 at once, then 2 per second, no refusal', async () => {
	const ids = crmPayments(60);
	const started = Date.now();

	const result = await runNode({
		emulator,
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', requestOptions: { batch: false } },
		items: itemsOf(...ids.map((id) => ({ id }))),
		credentials: withPlan({ rateLimit: 'standard' }),
	});
	const seconds = (Date.now() - started) / 1000;

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(60);
	expect(emulator.refusedByBucket).toBe(0);
	// 49 go at once (one place is kept free), the other 11 at 2 per second.
	expect(seconds).toBeGreaterThan(5);
	expect(seconds).toBeLessThan(12);
}, 30_000);

describe('operating-time limit (429 OPERATION_TIME_LIMIT)', () => {
	const get = (paymentId: number) => ({ resource: 'payment', operation: 'get', paymentId });

	test('waits until the reset time the portal reported, then succeeds', async () => {
		// Each crm.item.payment.get costs 1 s of portal time; 2 s are allowed per 3 s window.
		emulator.options.methodCost = { 'crm.item.payment.get': 1 };
		emulator.options.operating = { limit: 2, window: 3 };
		const warmUp = await runNode({
			emulator,
			parameters: { ...get(SEED_IDS.payments.UNPAID), requestOptions: { batch: false } },
			items: itemsOf({}, {}),
		});
		expect(warmUp.error).toBeUndefined();
		const started = Date.now();

		const result = await runNode({ emulator, parameters: get(SEED_IDS.payments.UNPAID) });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe(SEED_IDS.payments.UNPAID);
		const statuses = emulator.restCalls('crm.item.payment.get').map((call) => call.status);
		expect(statuses).toEqual([200, 200, 429, 200]);
		expect(Date.now() - started).toBeGreaterThan(1500);
	}, 20_000);

	test('a reset further away than Max Wait fails at once, saying when the method frees up', async () => {
		emulator.options.methodCost = { 'crm.item.payment.pay': 10 };
		emulator.options.operating = { limit: 10, window: 600 };
		const first = await runNode({ emulator, parameters: { resource: 'payment', operation: 'pay', paymentId: SEED_IDS.payments.UNPAID } });
		expect(first.error).toBeUndefined();

		const result = await runNode({
			emulator,
			parameters: { resource: 'payment', operation: 'pay', paymentId: SEED_IDS.payments.UNPAID_2, requestOptions: { maxWait: 30 } },
		});

		expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: crm.item.payment.pay used up its time budget on the portal');
		expect(result.error?.description).toMatch(/accepts crm\.item\.payment\.pay again at \d{4}-\d{2}-\d{2}T[\d:.]+Z \(in \d+(\.\d)? s\), later than the node may wait \(Max Wait under Request Options: 30 s\)/);
		expect(result.error?.description).toMatch('refused the request before running it, so nothing changed');
		expect(emulator.restCalls('crm.item.payment.pay').map((call) => call.status)).toEqual([200, 429]);
		expect(emulator.state.payments.get(SEED_IDS.payments.UNPAID_2)!.paid).toBe('N');
	});
});
