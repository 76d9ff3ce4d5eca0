/**
 * n8n 2.x's SSRF protection on, with the portal's address allowed (N8N_SSRF_ALLOWED_IP_RANGES): the node works as
 * without it. Its own file: n8n reads these settings once per process (per test file here).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: sets n8n's environment for this file */
import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

process.env.N8N_SSRF_PROTECTION_ENABLED = 'true';
process.env.N8N_SSRF_ALLOWED_IP_RANGES = '127.0.0.1/32';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

test.each(AUTHS)('with %s credentials: Mark as Paid reaches the portal and pays both payments', async (auth: Auth) => {
	const result = await runNode({
		emulator,
		auth,
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
		items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }),
	});

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json)).toEqual([
		{ success: true, paymentId: payments.UNPAID },
		{ success: true, paymentId: payments.UNPAID_2 },
	]);
	expect(emulator.methodCalls('crm.item.payment.pay').map((call) => call.params.id)).toEqual([String(payments.UNPAID), String(payments.UNPAID_2)]);
	expect(emulator.state.payments.get(payments.UNPAID_2)!.paid).toBe('Y');
});
