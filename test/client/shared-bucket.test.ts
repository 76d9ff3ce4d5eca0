/**
 * Several n8n processes calling one portal, each with its own copy of the portal's request bucket, as n8n's queue
 * mode workers have: the portal's refusals are the only signal they share, and each takes its share from them.
 * Checked on the real engine against one emulator bucket: no item fails, nothing is paid twice, and the copies take
 * their share from the refusals (without sharing, four copies at the full rate would see about three in four requests
 * refused). How close together they keep to the portal's rate is a timing figure, measured by `npm run bench` on a
 * Standard bucket (bench/results.md), not asserted here. (A sped-up bucket, 20/s with a burst of 10, so that a run
 * takes seconds.)
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { Bitrix24Emulator } from '../emulator/server';
import { credentialData, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';
import { credentialTypes, freshNodeType } from '../helpers/package';

const BUCKET = { rate: 20, burst: 10 };
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start({ bucket: BUCKET });
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** One process: its own copy of the node, `ids.length` items of Mark as Paid, one request per item. */
async function oneProcess(ids: number[]): Promise<INodeExecutionData[]> {
	const { items } = await runNode({
		nodeType: freshNodeType(),
		credentialTypes,
		credential: {
			type: 'bitrix24PaymentsWebhookApi',
			data: { ...credentialData(emulator, 'webhook'), rateLimit: 'custom', requestsPerSecond: BUCKET.rate, burst: BUCKET.burst },
		},
		parameters: { authentication: 'webhook', resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', requestOptions: { batch: false } },
		items: itemsOf(...ids.map((id) => ({ id }))),
		continueOnFail: true,
	});
	return items;
}

test.each([2, 4])('%i processes sharing the bucket, 60 items each: none fails, none paid twice, at most 30%% of requests refused', async (processes) => {
	const ids = emulator.seedOrderPayments(processes * 60, { orderId: 200 });
	const outputs = await Promise.all(Array.from({ length: processes }, async (_, p) => await oneProcess(ids.slice(p * 60, (p + 1) * 60))));

	const failed = outputs.flat().filter((item) => item.json.success !== true);
	expect(failed).toEqual([]);
	const runs = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
	expect(runs).toHaveLength(ids.length);
	expect(new Set(runs.map((call) => call.params.id)).size).toBe(ids.length);
	for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');

	expect(emulator.refusedByBucket / emulator.restCalls().length).toBeLessThanOrEqual(0.3);
}, 60_000);
