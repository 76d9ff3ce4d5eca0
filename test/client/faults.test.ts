/**
 * What the node does when the portal or the network fails, per kind of failure: what it repeats (limit refusals
 * always, other failures only for reads or when nothing was sent), what it never repeats (a write that may have
 * happened), and what the user reads.
 */
import type { Fault } from '../emulator/server';
import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

const PAY = 'crm.item.payment.pay';
const GET = 'crm.item.payment.get';
const pay = { resource: 'payment', operation: 'pay', paymentId: payments.UNPAID };
const get = { resource: 'payment', operation: 'get', paymentId: payments.UNPAID };

function inject(kind: Fault['kind'], method: string, extra: Partial<Fault> = {}) {
	emulator.injectFault({ kind, method, ...extra });
}

/** What reached the portal for `method`: the fault each call met ('' for none), and whether the method ran. */
function calls(method: string) {
	return emulator.restCalls(method).map((call) => ({ fault: call.fault ?? '', ran: call.ran === true }));
}

function expectNoSecret(result: { run: unknown }) {
	expect(JSON.stringify(result.run)).not.toContain(DEFAULT_WEBHOOK_SECRET);
}

describe.each(AUTHS)('with %s credentials: refused before running, so repeated even for writes', (auth: Auth) => {
	test.each([
		['QUERY_LIMIT_EXCEEDED (503)', 'queryLimit' as const],
		["a proxy's 502 page", 'badGateway' as const],
	])('%s on a read is repeated', async (_name, kind) => {
		inject(kind, GET);
		const result = await runNode({ emulator, auth, parameters: get });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe(payments.UNPAID);
		expect(calls(GET)).toEqual([
			{ fault: kind, ran: false },
			{ fault: '', ran: true },
		]);
	});

	test('QUERY_LIMIT_EXCEEDED on Mark as Paid: sent again, paid once', async () => {
		inject('queryLimit', PAY, { times: 2 });
		const result = await runNode({ emulator, auth, parameters: pay });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ success: true, paymentId: payments.UNPAID });
		expect(calls(PAY)).toEqual([
			{ fault: 'queryLimit', ran: false },
			{ fault: 'queryLimit', ran: false },
			{ fault: '', ran: true },
		]);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
	});
});

describe('limits that do not lift', () => {
	test('QUERY_LIMIT_EXCEEDED every time: sent again past Max Retries (a refusal changes nothing) until Max Wait, then fails with what was tried and how to wait longer', async () => {
		inject('queryLimit', PAY, { times: 10 });
		const result = await runNode({ emulator, parameters: { ...pay, requestOptions: { maxRetries: 2, maxWait: 2 } } });

		expect(result.error?.message).toBe("Bitrix24 could not mark the payment as paid: too many requests: the portal's request limit was reached");
		expect(result.error?.description).toMatch('refused the request before running it, so nothing changed');
		expect(result.error?.description).toMatch(/Tried 4 times in [\d.]+ s\. To wait longer, raise Max Wait under Request Options/);
		// 0.5 s + 1 s + the 0.5 s left of the 2 s: four calls, one more than Max Retries allows other failures.
		expect(calls(PAY)).toHaveLength(4);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	});

	test('Max Wait bounds the total wait, whatever Max Retries allows', async () => {
		inject('queryLimit', PAY, { times: 20 });
		const started = Date.now();
		const result = await runNode({ emulator, parameters: { ...pay, requestOptions: { maxRetries: 20, maxWait: 2 } } });

		expect(result.error?.description).toMatch('raise Max Wait under Request Options');
		expect(Date.now() - started).toBeLessThan(4000);
		// 0.5 s + 1 s + the 0.5 s left of the 2 s: four calls.
		expect(calls(PAY)).toHaveLength(4);
	});

	test('OVERLOAD_LIMIT (REST blocked by Bitrix24 support) fails at once', async () => {
		inject('overload', GET);
		const result = await runNode({ emulator, parameters: get });

		expect(result.error?.message).toBe('Bitrix24 could not get the payment: Bitrix24 has blocked the REST API of this portal');
		expect(result.error?.description).toMatch('contact them');
		expect(calls(GET)).toHaveLength(1);
	});

	test('OPERATION_TIME_LIMIT before the portal said when the method frees up: refused before running, so retried after a pause', async () => {
		// A portal the node has never heard from (the node remembers reset times per portal for the process).
		const fresh = await Bitrix24Emulator.start();
		fresh.injectFault({ kind: 'operationTimeLimit', method: PAY });
		const result = await runNode({ emulator: fresh, parameters: pay });
		await fresh.stop();

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ success: true, paymentId: payments.UNPAID });
		expect(fresh.restCalls(PAY).map((call) => [call.status, call.ran === true])).toEqual([
			[429, false],
			[200, true],
		]);
		expect(fresh.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
	});

	test('OPERATION_TIME_LIMIT with no reset time, every time: fails after Max Retries, saying how long it tried and that nothing changed', async () => {
		const fresh = await Bitrix24Emulator.start();
		fresh.injectFault({ kind: 'operationTimeLimit', method: PAY, times: 10 });
		const result = await runNode({ emulator: fresh, parameters: { ...pay, requestOptions: { maxRetries: 2 } } });
		await fresh.stop();

		expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: crm.item.payment.pay used up its time budget on the portal');
		expect(result.error?.description).toMatch('nothing changed');
		expect(result.error?.description).toMatch(
			/Tried 3 times in [\d.]+ s\. Bitrix24 did not say when crm\.item\.payment\.pay frees up \(at most 10 minutes from its first call\)\. To wait longer, raise Max Retries or Max Wait/,
		);
		expect(fresh.restCalls(PAY)).toHaveLength(3);
		expect(fresh.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	});
});

describe('failures after which a write may have happened: reads are repeated, writes never', () => {
	test.each([
		['an internal server error (500)', 'serverError' as const],
		["a proxy's 502 page", 'badGateway' as const],
		['an empty answer', 'emptyBody' as const],
		['a connection reset', 'reset' as const],
	])('%s on Mark as Paid after the portal ran it: not sent again; the payment read back shows it paid, so the item succeeds', async (_name, kind) => {
		inject(kind, PAY, { afterRun: true });
		const result = await runNode({ emulator, parameters: pay });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ success: true, paymentId: payments.UNPAID, confirmedByReadBack: true });
		expect(calls(PAY)).toEqual([{ fault: kind, ran: true }]);
		expect(calls(GET)).toEqual([{ fault: '', ran: true }]);
		// It did happen here, exactly once.
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
		expectNoSecret(result);
	});

	test.each([
		['an internal server error (500)', 'serverError' as const, 'the portal failed with an internal error (HTTP 500)'],
		['a connection reset', 'reset' as const, 'no answer from the portal'],
	])('%s on Mark as Paid, and the read-back fails too: the item says it is unknown, nothing sent again', async (_name, kind, problem) => {
		inject(kind, PAY, { afterRun: true });
		inject('overload', GET);
		const result = await runNode({ emulator, parameters: pay });

		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe(`Bitrix24 could not mark the payment as paid: ${problem}; whether the change was applied is unknown`);
		expect(result.error?.description).toMatch('Check payment 1038 in Bitrix24 before running this item again.');
		expect(result.error?.description).toMatch('The node did not send it again: repeating a change could apply it twice.');
		expect(calls(PAY)).toEqual([{ fault: kind, ran: true }]);
		expectNoSecret(result);
	});

	test.each([
		['an internal server error (500)', 'serverError' as const],
		['an empty answer', 'emptyBody' as const],
		['a connection reset', 'reset' as const],
	])('%s on Get: sent again and answered', async (_name, kind) => {
		inject(kind, GET, { afterRun: true });
		const result = await runNode({ emulator, parameters: get });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.id).toBe(payments.UNPAID);
		expect(calls(GET)).toEqual([
			{ fault: kind, ran: true },
			{ fault: '', ran: true },
		]);
	});

	test('a slow answer beyond the Timeout: a read is sent again, a write is not (and not read back sooner than the portal could finish)', async () => {
		inject('slow', GET, { delayMs: 2500 });
		const read = await runNode({ emulator, parameters: { ...get, requestOptions: { timeout: 1 } } });
		expect(read.error).toBeUndefined();
		expect(calls(GET)).toHaveLength(2);

		inject('slow', PAY, { delayMs: 2500 });
		const write = await runNode({ emulator, parameters: { ...pay, requestOptions: { timeout: 1 } } });
		// The portal may run it for up to 60 s, more than Max Wait (60 s) leaves after the 1 s Timeout.
		expect(write.error?.message).toBe('Bitrix24 could not mark the payment as paid: no answer from the portal; whether the change was applied is unknown');
		expect(write.error?.description).toMatch('raise Max Wait (or the Timeout)');
		expect(calls(PAY)).toEqual([{ fault: 'slow', ran: true }]);
		expectNoSecret(write);
	});

	test('an HTML page with status 200 (a login or maintenance page) is not Bitrix24: fails at once with where to look', async () => {
		inject('htmlPage', GET);
		const result = await runNode({ emulator, parameters: get });

		expect(result.error?.message).toBe('Bitrix24 could not get the payment: the portal answered with an HTML page instead of Bitrix24 REST JSON (HTTP 200)');
		expect(result.error?.description).toMatch('a proxy, a login page or a maintenance page may be in the way');
		expect(calls(GET)).toHaveLength(1);
	});

	test.each(AUTHS)('a portal that moved (302) with %s credentials: not followed, the new address given without the secret', async (auth) => {
		inject('moved', PAY);
		const result = await runNode({ emulator, auth, parameters: pay });

		expect(result.error?.message).toBe(
			`Bitrix24 could not mark the payment as paid: the portal has moved (HTTP 302 to https://moved-portal.bitrix24.com/rest/${auth === 'webhook' ? '1/***/' : ''}crm.item.payment.pay)`,
		);
		expect(result.error?.description).toMatch('Update the portal address in the credential');
		expect(calls(PAY)).toEqual([{ fault: 'moved', ran: false }]);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		expectNoSecret(result);
	});

	test('Confirm Paid: a failure of the re-read never repeats the payment', async () => {
		inject('queryLimit', 'sale.payment.get', { times: 10 });
		const result = await runNode({
			emulator,
			parameters: {
				resource: 'paySystem',
				operation: 'payPayment',
				paymentId: payments.UNPAID,
				paySystemId: SEED_IDS.paySystems.BANK_TRANSFER,
				options: { confirmPaid: true },
				requestOptions: { maxRetries: 1, maxWait: 2 },
			},
		});

		expect(result.error?.message).toBe("Bitrix24 could not get the order payment: too many requests: the portal's request limit was reached");
		expect(emulator.restCalls('sale.paysystem.pay.payment')).toHaveLength(1);
		// Refusals wait out Max Wait (0.5 s + 1 s + 0.5 s), whatever Max Retries says.
		expect(emulator.restCalls('sale.payment.get')).toHaveLength(4);
	});
});
