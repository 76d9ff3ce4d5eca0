/**
 * Batch Requests on the real engine: the items of one node run reach the portal as `batch` calls of up to 50
 * commands, and each item keeps the fate it would have alone (output, error, Continue On Fail, pairing), with
 * the same safety: nothing refused is lost, nothing that may have run is sent twice.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { Fault } from '../emulator/server';
import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, orders, paySystems } = SEED_IDS;
const PAY = 'crm.item.payment.pay';
let emulator: Bitrix24Emulator;

// A new portal (port) per test: the node remembers each portal's bucket and operating times for the process.
beforeEach(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterEach(async () => await emulator.stop());

const pay = (extra: INodeParameters = {}): INodeParameters => ({ resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', ...extra });

/** CRM payments of deal 10, unpaid. */
function crmPayments(count: number): number[] {
	return emulator.seedOrderPayments(count, { orderId: orders.MAIN });
}

/** How many times the portal ran `method` for each id, plain or inside a batch. */
function runsPerId(method: string, key = 'id'): Map<number, number> {
	const runs = new Map<number, number>();
	for (const call of emulator.methodCalls(method)) {
		if (call.ran) runs.set(Number(call.params[key]), (runs.get(Number(call.params[key])) ?? 0) + 1);
	}
	return runs;
}

/** The HTTP requests of the run: method and, for batches, how many commands each carried. */
function requests() {
	return emulator.restCalls().map((call) => (call.restMethod === 'batch' ? `batch(${call.commands?.length ?? 0})` : call.restMethod));
}

describe.each(AUTHS)('with %s credentials', (auth: Auth) => {
	test('200 items with 5 unknown ids among them: 4 batch requests, each item its own output or error, in input order', async () => {
		const ids = crmPayments(195);
		const input = [...ids];
		const bad = [3, 50, 99, 150, 199];
		for (const index of bad) input.splice(index, 0, 90000 + index);
		expect(input).toHaveLength(200);

		const result = await runNode({ emulator, auth, parameters: pay(), items: itemsOf(...input.map((id) => ({ id }))), continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['batch(50)', 'batch(50)', 'batch(50)', 'batch(50)']);
		expect(result.items).toHaveLength(200);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (bad.includes(index)) {
				// The same message as the call alone would give (see the errors tests).
				expect(item.json).toEqual({ error: `Bitrix24 could not mark the payment as paid: payment ${input[index]} was not found` });
			} else expect(item.json).toEqual({ success: true, paymentId: input[index] });
		});
		for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');
		expect([...runsPerId(PAY).values()].every((count) => count === 1)).toBe(true);
	});

	test('an unknown id without Continue On Fail fails the node with that item\'s error and its Bitrix24 code', async () => {
		const result = await runNode({ emulator, auth, parameters: pay(), items: itemsOf({ id: payments.UNPAID }, { id: 9999 }) });

		expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: payment 9999 was not found');
		expect(result.error?.description).toMatch('Check the Payment ID');
		expect(result.error?.description).toMatch('error 0: "Payment has not been found" (a command of a batch request)');
		expect(requests()).toEqual(['batch(2)']);
	});
});

describe("Order Payment > Update with Pay System left empty: each payment keeps its own, read in the same kind of batch", () => {
	const comment = (extra: INodeParameters = {}): INodeParameters => ({
		resource: 'orderPayment',
		operation: 'update',
		paymentId: '={{ $json.id }}',
		updateFields: { comments: 'Checked by n8n' },
		...extra,
	});

	test.each(AUTHS)('%s: 60 payments on two pay systems: 2 batch requests of reads, 2 of updates; none moved to another pay system', async (auth: Auth) => {
		const onCash = emulator.seedOrderPayments(30, { paySystemId: paySystems.CASH });
		const onBank = emulator.seedOrderPayments(30, { paySystemId: paySystems.BANK_TRANSFER });
		const ids = onCash.flatMap((id, index) => [id, onBank[index]]);

		const result = await runNode({ emulator, auth, parameters: comment(), items: itemsOf(...ids.map((id) => ({ id }))) });

		expect(result.error).toBeUndefined();
		// Not one extra request per item: one batch request per 50 reads.
		expect(requests().sort()).toEqual(['batch(10)', 'batch(10)', 'batch(50)', 'batch(50)']);
		expect(emulator.methodCalls('sale.payment.get')).toHaveLength(60);
		for (const id of onCash) expect(emulator.state.payments.get(id)).toMatchObject({ paySystemId: paySystems.CASH, comments: 'Checked by n8n' });
		for (const id of onBank) expect(emulator.state.payments.get(id)).toMatchObject({ paySystemId: paySystems.BANK_TRANSFER, comments: 'Checked by n8n' });
		expect(result.items.map((item) => [item.json.id, item.json.paySystemId])).toEqual(
			ids.map((id) => [id, onCash.includes(id) ? paySystems.CASH : paySystems.BANK_TRANSFER]),
		);
	});

	test('a Pay System given moves the payment and reads nothing; an unknown payment fails on the read, its update is never sent', async () => {
		const [id] = emulator.seedOrderPayments(1, { paySystemId: paySystems.CASH });

		const moved = await runNode({ emulator, auth: 'webhook', parameters: comment({ paySystemId: paySystems.BANK_TRANSFER }), items: itemsOf({ id }) });
		expect(moved.error).toBeUndefined();
		expect(emulator.methodCalls('sale.payment.get')).toEqual([]);
		expect(emulator.state.payments.get(id)!.paySystemId).toBe(paySystems.BANK_TRANSFER);

		const unknown = await runNode({ emulator, auth: 'webhook', parameters: comment(), items: itemsOf({ id: 99999 }) });
		expect(unknown.error?.message).toBe('Bitrix24 could not get the order payment: order payment 99999 was not found');
		expect(emulator.methodCalls('sale.payment.update').filter((call) => Number(call.params.id) === 99999)).toEqual([]);
	});
});

test('120 items: batches of 50, 50 and 20, all paid once, inside the Standard burst', async () => {
	const ids = crmPayments(120);
	const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))) });

	expect(result.error).toBeUndefined();
	expect(requests()).toEqual(['batch(50)', 'batch(50)', 'batch(20)']);
	expect(result.items.map((item) => item.json.paymentId)).toEqual(ids);
	expect(runsPerId(PAY).size).toBe(120);
	expect(emulator.refusedByBucket).toBe(0);
});

test('Batch Requests off: one plain request per item, as before', async () => {
	const ids = crmPayments(3);
	const result = await runNode({ emulator, parameters: pay({ requestOptions: { batch: false } }), items: itemsOf(...ids.map((id) => ({ id }))) });

	expect(result.error).toBeUndefined();
	expect(requests()).toEqual([PAY, PAY, PAY]);
	expect(emulator.restCalls().map((call) => call.body.id)).toEqual(ids);
});

test('a lone item goes as a plain call, not a batch of one', async () => {
	const result = await runNode({ emulator, parameters: pay(), items: itemsOf({ id: payments.UNPAID }) });

	expect(result.error).toBeUndefined();
	expect(requests()).toEqual([PAY]);
});

describe('limits and lost answers', () => {
	const inject = (kind: Fault['kind'], method: string, extra: Partial<Fault> = {}) => emulator.injectFault({ kind, method, ...extra });

	test('the batch refused by the bucket (503 QUERY_LIMIT_EXCEEDED): sent again whole after the pause, each payment paid once', async () => {
		const ids = crmPayments(10);
		inject('queryLimit', 'batch');

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))) });

		expect(result.error).toBeUndefined();
		expect(emulator.restCalls().map((call) => [call.restMethod, call.status, call.commands?.length ?? 0])).toEqual([
			['batch', 503, 0],
			['batch', 200, 10],
		]);
		expect(result.items.map((item) => item.json.success)).toEqual(ids.map(() => true));
		expect([...runsPerId(PAY).values()]).toEqual(ids.map(() => 1));
	});

	test('the batch refused by its own operating-time limit (429): sent again whole, nothing ran twice', async () => {
		const ids = crmPayments(4);
		inject('operationTimeLimit', 'batch');

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))) });

		expect(result.error).toBeUndefined();
		expect(emulator.restCalls().map((call) => [call.restMethod, call.status])).toEqual([
			['batch', 429],
			['batch', 200],
		]);
		expect([...runsPerId(PAY).values()]).toEqual([1, 1, 1, 1]);
	});

	test('a command refused inside the batch with OPERATION_TIME_LIMIT: that command alone is sent again, it never ran', async () => {
		const ids = crmPayments(3);
		// The commands that ran report when the method's window frees up (here in 2 s): the refused one waits for it.
		emulator.options.operating = { limit: 480, window: 2 };
		inject('operationTimeLimit', PAY);

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))) });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual(ids.map((paymentId) => ({ success: true, paymentId })));
		expect(requests()).toEqual(['batch(3)', PAY]);
		expect(emulator.methodCalls(PAY).map((call) => [Number(call.params.id), call.ran, call.error])).toEqual([
			[ids[0], false, 'OPERATION_TIME_LIMIT'],
			[ids[1], true, undefined],
			[ids[2], true, undefined],
			[ids[0], true, undefined],
		]);
	});

	test('a batch of writes whose answer is lost after the portal ran it: nothing is sent again; one batched read shows them paid', async () => {
		const ids = crmPayments(5);
		inject('reset', 'batch', { afterRun: true });

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['batch(5)', 'batch(5)']);
		expect(emulator.methodCalls('crm.item.payment.get')).toHaveLength(5);
		expect(result.items.map((item) => item.json)).toEqual(ids.map((id) => ({ success: true, paymentId: id, confirmedByReadBack: true })));
		// The portal did run them, exactly once.
		for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');
		expect([...runsPerId(PAY).values()]).toEqual([1, 1, 1, 1, 1]);
	});

	test.each([
		['an internal server error (500)', 'serverError' as const],
		['an empty answer', 'emptyBody' as const],
		["a proxy's 502 page", 'badGateway' as const],
	])('a batch of writes answered with %s: not sent again, settled by one batched read', async (_name, kind) => {
		const ids = crmPayments(3);
		inject(kind, 'batch', { afterRun: true });

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });

		expect(requests()).toEqual(['batch(3)', 'batch(3)']);
		expect(result.items.every((item) => item.json.confirmedByReadBack === true)).toBe(true);
		expect([...runsPerId(PAY).values()]).toEqual([1, 1, 1]);
	});

	test('a batch of reads whose answer is lost: sent again, every item answered', async () => {
		inject('reset', 'batch', { afterRun: true });
		const ids = [payments.UNPAID, payments.UNPAID_2, payments.PAID];

		const result = await runNode({
			emulator,
			parameters: { resource: 'payment', operation: 'get', paymentId: '={{ $json.id }}' },
			items: itemsOf(...ids.map((id) => ({ id }))),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual(ids);
		expect(emulator.restCalls().map((call) => [call.restMethod, call.status])).toEqual([
			['batch', 0],
			['batch', 200],
		]);
	});

	test('an internal error of one write command inside the batch: that item is read back (it ran: success, confirmed), the others succeed', async () => {
		const ids = crmPayments(3);
		inject('serverError', PAY, { afterRun: true });

		const result = await runNode({ emulator, parameters: pay(), items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });

		expect(result.items.map((item) => item.json)).toEqual([
			{ success: true, paymentId: ids[0], confirmedByReadBack: true },
			{ success: true, paymentId: ids[1] },
			{ success: true, paymentId: ids[2] },
		]);
		expect(requests()).toEqual(['batch(3)', 'crm.item.payment.get']);
		expect([...runsPerId(PAY).values()]).toEqual([1, 1, 1]);
	});


	test("the operating times of a batch's commands feed the waits: a command over its budget waits for the reset the portal reported", async () => {
		// Each crm.item.payment.get costs 1 s of portal time; 2 s are allowed per 3 s window.
		emulator.options.methodCost = { 'crm.item.payment.get': 1 };
		emulator.options.operating = { limit: 2, window: 3 };
		const get = { resource: 'payment', operation: 'get', paymentId: '={{ $json.id }}' };
		const warmUp = await runNode({ emulator, parameters: get, items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }) });
		expect(warmUp.error).toBeUndefined();
		const started = Date.now();

		const result = await runNode({ emulator, parameters: get, items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }) });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// Both commands of the second batch were refused, waited for the reset together and went out together.
		expect(requests()).toEqual(['batch(2)', 'batch(2)', 'batch(2)']);
		expect(emulator.methodCalls('crm.item.payment.get').map((call) => call.error ?? 'ok')).toEqual([
			'ok',
			'ok',
			'OPERATION_TIME_LIMIT',
			'OPERATION_TIME_LIMIT',
			'ok',
			'ok',
		]);
		expect(Date.now() - started).toBeGreaterThan(1500);
	}, 20_000);
});

describe('commands are encoded exactly', () => {
	const update = (comments: string, datePaid?: string): INodeParameters => ({
		resource: 'orderPayment',
		operation: 'update',
		paymentId: '={{ $json.id }}',
		paySystemId: { __rl: true, mode: 'id', value: String(paySystems.BANK_TRANSFER) },
		updateFields: { comments, ...(datePaid ? { datePaid, paid: 'Y' } : {}) },
	});

	test.each([
		['+ & % ? # = and spaces', 'a+b & c%20d?e#f=g h'],
		['non-ASCII text', 'Оплата заказа № 5 — 100 € ✓'],
		['brackets and a PHP-looking key', 'fields[paid]=N&id=1'],
		['an empty string', ''],
	])('%s reach the portal as typed', async (_name, text) => {
		const result = await runNode({
			emulator,
			parameters: update('={{ $json.text }}'),
			items: itemsOf({ id: payments.UNPAID, text }, { id: payments.UNPAID_2, text: `${text}!` }),
		});

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['batch(2)']);
		expect(emulator.state.payments.get(payments.UNPAID)!.comments).toBe(text);
		expect(emulator.state.payments.get(payments.UNPAID_2)!.comments).toBe(`${text}!`);
		expect(result.items.map((item) => item.json.comments)).toEqual([text, `${text}!`]);
		// Nothing else changed: the text did not leak into other fields.
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	});

	test('a date with +02:00 and nested fields[...] arrive as sent', async () => {
		const result = await runNode({
			emulator,
			parameters: update('paid', '2024-05-20T10:15:00+02:00'),
			items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }),
		});

		expect(result.error).toBeUndefined();
		const [command] = emulator.methodCalls('sale.payment.update');
		expect(command.via).toBe('batch');
		expect(command.params.fields).toEqual({ paySystemId: String(paySystems.BANK_TRANSFER), comments: 'paid', datePaid: '2024-05-20T10:15:00+02:00', paid: 'Y' });
		// The portal stores it in its own zone (+03:00): the same instant.
		expect(Date.parse(String(emulator.state.payments.get(payments.UNPAID)!.datePaid))).toBe(Date.parse('2024-05-20T10:15:00+02:00'));
	});

	test('text the portal would read as a $result[...] reference is not batched: sent as plain calls, stored as typed', async () => {
		const text = 'see $result[c0][payment][id]';
		const result = await runNode({
			emulator,
			parameters: update(text),
			items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }),
		});

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['sale.payment.update', 'sale.payment.update']);
		expect(emulator.state.payments.get(payments.UNPAID_2)!.comments).toBe(text);
	});

	test.each(['SEE $Result[c0][payment][id]', 'total $time[c0]', 'ref $results[c0]', 'ref $error_description[c0]', 'a,$result[c0],b'])(
		'text the portal rewrites whatever its case and name (%s) travels as plain calls, stored as typed',
		async (text) => {
			const result = await runNode({ emulator, parameters: update(text), items: itemsOf({ id: payments.UNPAID }, { id: payments.UNPAID_2 }) });

			expect(result.error).toBeUndefined();
			expect(requests()).toEqual(['sale.payment.update', 'sale.payment.update']);
			expect([payments.UNPAID, payments.UNPAID_2].map((id) => emulator.state.payments.get(id)!.comments)).toEqual([text, text]);
		},
	);

	test('text with a dollar the portal leaves alone stays in the batch', async () => {
		const texts = ['price $5 [net]', 'see $result alone'];
		const result = await runNode({ emulator, parameters: update('={{ $json.text }}'), items: itemsOf({ id: payments.UNPAID, text: texts[0] }, { id: payments.UNPAID_2, text: texts[1] }) });

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['batch(2)']);
		expect([payments.UNPAID, payments.UNPAID_2].map((id) => emulator.state.payments.get(id)!.comments)).toEqual(texts);
	});

	test('arrays (the Fields of a list) arrive as lists', async () => {
		emulator.seedOrderPayments(3);
		const result = await runNode({
			emulator,
			parameters: {
				resource: 'orderPayment',
				operation: 'getAll',
				returnAll: true,
				filters: { orderId: '={{ $json.order }}' },
				options: { select: ['id', 'sum', 'paid'] },
			},
			items: itemsOf({ order: orders.PLAIN }, { order: orders.MAIN }),
		});

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['batch(2)']);
		expect(emulator.methodCalls('sale.payment.list').map((call) => call.params.select)).toEqual([
			['id', 'sum', 'paid'],
			['id', 'sum', 'paid'],
		]);
		expect(result.items.every((item) => Object.keys(item.json).sort().join() === 'id,paid,sum')).toBe(true);
	});
});

describe('Get Many over 10 000 order payments reads 50 pages per batch request', () => {
	let ids: number[];
	beforeEach(() => {
		emulator.options.bucket = null;
		ids = emulator.seedOrderPayments(10_000);
	});
	const getMany = (extra: INodeParameters): INodeParameters => ({
		resource: 'orderPayment',
		operation: 'getAll',
		filters: { orderId: orders.PLAIN },
		...extra,
	});

	test.each([
		// limit (or all), requests, items
		['Return All', { returnAll: true }, ['sale.payment.list', 'batch(50)', 'batch(50)', 'batch(50)', 'batch(49)'], 10_000],
		['Limit 49 (below a page)', { returnAll: false, limit: 49 }, ['sale.payment.list'], 49],
		['Limit 50 (a page)', { returnAll: false, limit: 50 }, ['sale.payment.list'], 50],
		['Limit 51 (above a page)', { returnAll: false, limit: 51 }, ['sale.payment.list', 'sale.payment.list'], 51],
		['Limit 120', { returnAll: false, limit: 120 }, ['sale.payment.list', 'batch(2)'], 120],
		['Limit 2 550 (51 pages)', { returnAll: false, limit: 2550 }, ['sale.payment.list', 'batch(50)'], 2550],
		['Limit 2 551 (52 pages)', { returnAll: false, limit: 2551 }, ['sale.payment.list', 'batch(50)', 'sale.payment.list'], 2551],
	])('%s: requests %j, every payment once, in order', async (_name, extra, expected, count) => {
		const result = await runNode({ emulator, parameters: getMany(extra) });

		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(expected);
		expect(result.items.map((item) => item.json.id)).toEqual(ids.slice(0, count));
		// Never more pages than needed: the pages read cover the items output by less than a page.
		expect(emulator.methodCalls('sale.payment.list').length).toBe(Math.ceil(count / 50));
	}, 60_000);

	test('Sort by amount, descending, across pages: in the order asked for, ties by id, every payment once', async () => {
		ids.forEach((id, index) => (emulator.state.payments.get(id)!.sum = index % 7));
		const result = await runNode({ emulator, parameters: getMany({ returnAll: true, options: { orderBy: 'sum', orderDirection: 'DESC', select: ['id', 'sum'] } }) });

		expect(result.error).toBeUndefined();
		const out = result.items.map((item) => [Number(item.json.sum), Number(item.json.id)]);
		const expected = ids.map((id, index) => [index % 7, id]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
		expect(out).toEqual(expected);
	}, 60_000);

	test('Batch Requests off: page after page, 200 requests', async () => {
		const result = await runNode({ emulator, parameters: getMany({ returnAll: true, requestOptions: { batch: false } }) });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(10_000);
		expect(emulator.restCalls('sale.payment.list')).toHaveLength(200);
		expect(emulator.restCalls('batch')).toHaveLength(0);
	}, 60_000);
});
