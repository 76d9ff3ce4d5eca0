/**
 * Odd values from expressions, in every kind of parameter: the node either does the right thing or fails the
 * item with its own clear error (NodeApiError / NodeOperationError), never with a crash, and never sends a
 * malformed id, amount or date to the portal.
 */
import type { INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import { itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems } = SEED_IDS;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

const ODD_VALUES: unknown[] = [
	'', ' ', '0', '-1', '1.5', 'abc', '1e3', ' 42 ', 'NaN', 'Infinity', '9'.repeat(30), '0x10', '١٢٣', '12abc',
	"1'; DROP TABLE b_sale_order_payment; --", '<script>alert(1)</script>', 'x'.repeat(5000), '2024-13-45',
	'2024-02-30T25:61:00', 'Y', 'maybe', null, true, false, {}, [], [1038], { id: 1038 }, 2 ** 53 + 1, -0, 1e308,
	-5, 0.1, 1038, '1038', 'Ｙ', '\u0000', '{{ $json }}',
	// Good values among them, so that the success path is taken too.
	2, '2', 501, 1, 'N', '2024-05-20T12:32:02+03:00', '2024-05-20', 250.5,
];

/** Random extra values: strings of mixed characters and numbers of every size. */
function generated(count: number, seed: number): unknown[] {
	const next = random(seed);
	const chars = '0123456789 .-+eE,abcYN:T/\\"\'{}[]';
	const values: unknown[] = [];
	for (let i = 0; i < count; i++) {
		if (next() < 0.5) {
			const length = Math.floor(next() * 12);
			values.push(Array.from({ length }, () => chars[Math.floor(next() * chars.length)]).join(''));
		} else {
			values.push((next() - 0.3) * 10 ** Math.floor(next() * 20));
		}
	}
	return values;
}

const VALUES = [...ODD_VALUES, ...generated(40, 20261123)];

const CRASH = /Cannot read propert|is not a function|is not defined|undefined is not|TypeError|RangeError|SyntaxError|\[object Object\]/;

interface Case {
	name: string;
	parameters: INodeParameters;
	/** Every request that reached the portal must pass this. */
	sentWell: (body: Record<string, unknown>) => boolean;
}

const positiveInteger = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
const isoWithOffset = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/.test(value);

const V = '={{ $json.v }}';
const update = (updateFields: INodeParameters): INodeParameters => ({
	resource: 'orderPayment',
	operation: 'update',
	paymentId: payments.SALE_DOC,
	paySystemId: paySystems.CASH,
	updateFields,
});
const payPayment = (paySystemId: unknown, additionalFields: INodeParameters = {}): INodeParameters => ({
	resource: 'paySystem',
	operation: 'payPayment',
	paymentId: payments.UNPAID,
	paySystemId: { __rl: true, mode: 'id', value: paySystemId } as INodeParameters['x'],
	additionalFields,
});
const getAll = (extra: INodeParameters): INodeParameters => ({ resource: 'orderPayment', operation: 'getAll', limit: 5, ...extra });
const addProduct = (rowId: unknown, quantity: unknown): INodeParameters => ({
	resource: 'paymentProduct',
	operation: 'create',
	paymentId: payments.UNPAID_2,
	rowId: rowId as string,
	quantity: quantity as string,
});
const fieldsOf = (body: Record<string, unknown>) => (body.fields ?? {}) as Record<string, unknown>;
const filterOf = (body: Record<string, unknown>) => (body.filter ?? {}) as Record<string, unknown>;

/** One parameter fuzzed at a time, the others valid, so that good values can succeed. */
const CASES: Case[] = [
	{ name: 'Mark as Paid: paymentId', parameters: { resource: 'payment', operation: 'pay', paymentId: V }, sentWell: (b) => positiveInteger(b.id) },
	{ name: 'Order Payment Update: sum', parameters: update({ sum: V }), sentWell: (b) => Number.isFinite(fieldsOf(b).sum) },
	{ name: 'Order Payment Update: datePaid', parameters: update({ datePaid: V }), sentWell: (b) => isoWithOffset(fieldsOf(b).datePaid) },
	{ name: 'Order Payment Update: paid', parameters: update({ paid: V }), sentWell: (b) => ['Y', 'N'].includes(fieldsOf(b).paid as string) },
	{ name: 'Order Payment Update: empPaidId', parameters: update({ empPaidId: V }), sentWell: (b) => positiveInteger(fieldsOf(b).empPaidId) },
	{ name: 'Pay Payment: paySystemId (picker)', parameters: payPayment(V), sentWell: (b) => positiveInteger(b.PAY_SYSTEM_ID) },
	{ name: 'Pay Payment: psSum', parameters: payPayment(String(paySystems.BANK_TRANSFER), { psSum: V }), sentWell: (b) => Number.isFinite(b.PS_SUM) },
	{ name: 'Order Payment Get Many: limit', parameters: getAll({ limit: V }), sentWell: (b) => Number.isSafeInteger(b.start) },
	{ name: 'Order Payment Get Many: Paid After', parameters: getAll({ filters: { datePaidFrom: V } }), sentWell: (b) => isoWithOffset(filterOf(b)['>=datePaid']) },
	{ name: 'Order Payment Get Many: Amount From', parameters: getAll({ filters: { sumFrom: V } }), sentWell: (b) => Number.isFinite(filterOf(b)['>=sum']) },
	{ name: 'Payment Product Add: rowId', parameters: addProduct(V, 1), sentWell: (b) => positiveInteger(b.rowId) },
	{ name: 'Payment Product Add: quantity', parameters: addProduct(SEED_IDS.productRows.ROW_A, V), sentWell: (b) => positiveInteger(b.quantity) },
];

let emulator: Bitrix24Emulator;
beforeAll(async () => {
	emulator = await Bitrix24Emulator.start({ bucket: null });
});
afterAll(async () => await emulator.stop());

describe.each(CASES)('$name', ({ parameters, sentWell }) => {
	test(`${VALUES.length} odd values: a result or the node's own clear error, never a malformed request`, async () => {
		const crashes: string[] = [];
		let succeeded = 0;
		let failed = 0;
		for (const value of VALUES) {
			emulator.reset();
			const result = await runNode({ emulator, parameters, items: itemsOf({ v: value }) });
			const label = JSON.stringify(value)?.slice(0, 40);
			if (result.error) failed++;
			else succeeded++;
			if (result.error) {
				const { name, message } = result.error;
				if (!['NodeApiError', 'NodeOperationError'].includes(name) || !message || CRASH.test(`${message} ${result.error.description ?? ''}`)) {
					crashes.push(`${label}: ${name}: ${message}`);
				}
				expect(JSON.stringify(result.error)).not.toContain(DEFAULT_WEBHOOK_SECRET);
			}
			for (const call of emulator.restCalls()) {
				if (call.restMethod === 'sale.payment.get') continue;
				if (!sentWell(call.body)) crashes.push(`${label}: sent ${JSON.stringify(call.body).slice(0, 200)}`);
			}
		}
		expect(crashes).toEqual([]);
		// Both paths were taken: some values are good enough to send, most are not.
		expect(succeeded).toBeGreaterThan(0);
		expect(failed).toBeGreaterThan(0);
	}, 60_000);
});
