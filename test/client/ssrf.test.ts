/**
 * n8n 2.x's SSRF protection on, the portal on a private address (the emulator on 127.0.0.1): n8n refuses the
 * request before sending it. The item says so and how to allow the portal, is not sent again, and never claims
 * a change may have happened. With the portal's address allowed, the same runs work (ssrf-allowed.test.ts).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: sets n8n's environment for this file */
import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

// Read by n8n-core when it first builds its HTTP services, which happens in this file's first run.
process.env.N8N_SSRF_PROTECTION_ENABLED = 'true';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

const pay = { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' };
const get = { resource: 'payment', operation: 'get', paymentId: '={{ $json.id }}' };

describe.each(AUTHS)('with %s credentials', (auth: Auth) => {
	test.each([
		['Mark as Paid (a write), two items in one batch', pay, [payments.UNPAID, payments.UNPAID_2]],
		['Mark as Paid (a write), one item', pay, [payments.UNPAID]],
		['Get (a read, which the node repeats after network errors)', get, [payments.UNPAID]],
	])('%s: blocked by n8n, explained, not retried, nothing reaches the portal', async (_name, parameters, ids) => {
		const started = Date.now();
		const result = await runNode({ emulator, auth, parameters, items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });
		const seconds = (Date.now() - started) / 1000;

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(ids.length);
		for (const item of result.items) {
			const error = String(item.json.error);
			expect(error).toMatch(/^Bitrix24 could not .+: n8n blocked this request before sending it; allow the portal's address with N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES$/);
			expect(error).not.toMatch(/may or may not|check the payment in Bitrix24|no answer/i);
		}
		expect(emulator.requests).toHaveLength(0);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		// No retries: the node's pauses before a repeat add up to 15.5 s over its 5 default retries.
		expect(seconds).toBeLessThan(5);
	});

	test('without Continue On Fail the run stops with the fix in the description', async () => {
		const result = await runNode({ emulator, auth, parameters: pay, items: itemsOf({ id: payments.UNPAID }) });

		expect(result.error?.message).toMatch(/^Bitrix24 could not mark the payment as paid: n8n blocked this request before sending it/);
		expect(result.error?.description).toMatch(
			/SSRF protection .* does not let requests go to 127\.0\.0\.1, a private or restricted address, so nothing was sent to Bitrix24 and nothing changed\. If this is your portal, set N8N_SSRF_ALLOWED_IP_RANGES=127\.0\.0\.1\/32 in n8n's environment/,
		);
		expect(result.error?.description).not.toMatch(/may or may not/);
		expect(emulator.requests).toHaveLength(0);
	});
});
