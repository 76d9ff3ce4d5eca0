/**
 * Bad input fails its own item with a message naming the field, before a request is sent; under Continue On
 * Fail the other items go on and every output item stays paired with its input.
 */
import type { INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import { itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

const update = (updateFields: object): INodeParameters => ({
	resource: 'orderPayment',
	operation: 'update',
	paymentId: payments.SALE_DOC,
	paySystemId: paySystems.CASH,
	updateFields: updateFields as INodeParameters,
});

async function expectRejected(parameters: INodeParameters, message: string, items = itemsOf({})) {
	const result = await runNode({ emulator, parameters, items });

	// n8n's routing engine re-wraps errors of request hooks as NodeApiError; message and description stay ours.
	expect(result.error?.httpCode).toBe('none');
	expect(result.error?.message).toBe(message);
	expect(emulator.restCalls()).toEqual([]);
}

describe('ids', () => {
	test.each([
		['only spaces', '   ', 'Payment ID is empty'],
		['not a number', 'abc', 'Payment ID must be a positive whole number, not "abc"'],
		['a number with text after it', '12abc', 'Payment ID must be a positive whole number, not "12abc"'],
		['a decimal', '10.5', 'Payment ID must be a positive whole number, not "10.5"'],
		['zero', '0', 'Payment ID must be a positive whole number, not "0"'],
		['negative', '-5', 'Payment ID must be a positive whole number, not "-5"'],
	])('%s: rejected before any request', async (_name, paymentId, message) => {
		await expectRejected({ resource: 'payment', operation: 'pay', paymentId }, message);
	});

	test('left empty: n8n itself refuses to run the node, nothing is sent', async () => {
		await expect(runNode({ emulator, parameters: { resource: 'payment', operation: 'pay', paymentId: '' } })).rejects.toThrow(
			'Parameter "Payment ID" is required.',
		);
		expect(emulator.restCalls()).toEqual([]);
	});

	test.each([
		['an empty string', '', 'Payment ID is empty'],
		['null', null, 'Payment ID is empty'],
		['an object', { id: 1 }, 'Payment ID must be a positive whole number, not {"id":1}'],
		['a negative number', -3, 'Payment ID must be a positive whole number, not -3'],
		['a huge number', 2 ** 60, `Payment ID must be a positive whole number, not ${2 ** 60}`],
	])('an expression giving %s: rejected before any request', async (_name, id, message) => {
		await expectRejected({ resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' }, message, itemsOf({ id }));
	});

	test('the pay system id is checked as well', async () => {
		await expectRejected(
			{ resource: 'paySystem', operation: 'payPayment', paymentId: payments.UNPAID, paySystemId: 'cash' },
			'Pay System ID must be a positive whole number, not "cash"',
		);
	});

	test('the description says what to enter', async () => {
		const result = await runNode({ emulator, parameters: { resource: 'payment', operation: 'pay', paymentId: 'abc' } });
		expect(result.error?.description).toBe('Use the numeric ID Bitrix24 shows for it, for example 1038.');
	});
});

describe('fields', () => {
	test.each([
		['a word', { datePaid: 'next tuesday' }, 'Date Paid must be a date and time like 2024-04-10T10:00:00+03:00, not "next tuesday"'],
		['a day that does not exist', { dateBill: '2024-02-30T10:00:00' }, 'Invoice Date is not a real date and time: "2024-02-30T10:00:00"'],
		['an hour that does not exist', { psResponseDate: '2024-02-10T25:00:00Z' }, 'Pay System Response Date is not a real date and time: "2024-02-10T25:00:00Z"'],
		['an amount that is not a number', { sum: '={{ "ten" }}' }, 'Amount must be a number, not "ten"'],
		['an amount that is infinite', { psSum: '={{ 1/0 }}' }, 'Pay System Amount must be a number, not Infinity'],
		['a Y/N field with another value', { paid: '={{ "maybe" }}' }, 'Paid must be one of Y, N, not "maybe"'],
		['a Y/F/N field with another value', { externalPayment: '={{ "X" }}' }, 'External Payment must be one of Y, F, N, not "X"'],
		['a user id that is not one', { empPaidId: '={{ "admin" }}' }, 'Paid By User ID must be a positive whole number, not "admin"'],
	])('%s: rejected before any request', async (_name, fields, message) => {
		await expectRejected(update(fields), message);
	});

	test('the description names the field and the collection', async () => {
		const result = await runNode({ emulator, parameters: update({ datePaid: 'soon' }) });
		expect(result.error?.description).toBe('Fix "Date Paid" in Update Fields, or remove it.');
	});

	test('Y/N values from expressions are accepted in lower case and sent in upper case', async () => {
		const result = await runNode({ emulator, parameters: update({ paid: '={{ "y" }}', marked: '={{ " n " }}' }) });

		expect(result.error).toBeUndefined();
		expect(emulator.restCalls('sale.payment.update')[0].body.fields).toMatchObject({ paid: 'Y', marked: 'N' });
	});

	test('numbers given as numeric strings by expressions are sent as numbers', async () => {
		const result = await runNode({ emulator, parameters: update({ sum: '={{ "99.90" }}', responsibleId: '={{ "3" }}' }) });

		expect(result.error).toBeUndefined();
		expect(emulator.restCalls('sale.payment.update')[0].body.fields).toMatchObject({ sum: 99.9, responsibleId: 3 });
	});
});

describe('dates are always sent with an explicit offset', () => {
	// The harness runs workflows in n8n's default time zone, America/New_York.
	test.each([
		['Z', '2024-04-10T10:00:00Z', '2024-04-10T10:00:00+00:00'],
		['an offset', '2024-04-10T10:00:00+02:00', '2024-04-10T10:00:00+02:00'],
		['an offset without a colon', '2024-04-10T10:00:00+0530', '2024-04-10T10:00:00+05:30'],
		['milliseconds', '2024-04-10T10:00:00.123-03:00', '2024-04-10T10:00:00-03:00'],
		['no offset, in winter: the workflow zone', '2024-01-15T10:00:00', '2024-01-15T10:00:00-05:00'],
		['no offset, in summer: the workflow zone on daylight time', '2024-07-15T10:00:00', '2024-07-15T10:00:00-04:00'],
		['a date alone', '2024-07-15', '2024-07-15T00:00:00-04:00'],
		['a space instead of T', '2024-07-15 08:30', '2024-07-15T08:30:00-04:00'],
	])('%s', async (_name, given, sent) => {
		const result = await runNode({ emulator, parameters: update({ datePaid: given }) });

		expect(result.error).toBeUndefined();
		expect(emulator.restCalls('sale.payment.update')[0].body.fields).toMatchObject({ datePaid: sent });
	});

	test('a date from $now (a Luxon DateTime) is sent with its offset', async () => {
		const result = await runNode({ emulator, parameters: update({ payVoucherDate: '={{ $now }}' }) });

		expect(result.error).toBeUndefined();
		const sent = emulator.restCalls('sale.payment.update')[0].body.fields as Record<string, string>;
		expect(sent.payVoucherDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
		expect(Math.abs(Date.parse(sent.payVoucherDate) - Date.now())).toBeLessThan(60_000);
	});
});

describe('Continue On Fail', () => {
	test('good, bad and failing items: each gets its own output, paired with its input, and only good ids are sent', async () => {
		const result = await runNode({
			emulator,
			parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
			items: itemsOf({ id: payments.UNPAID }, { id: 'abc' }, { id: 9999 }, { id: payments.UNPAID_2 }),
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json, item.pairedItem])).toEqual([
			[{ success: true, paymentId: payments.UNPAID }, { item: 0 }],
			[{ error: 'Payment ID must be a positive whole number, not "abc"' }, { item: 1 }],
			[{ error: 'Bitrix24 could not mark the payment as paid: payment 9999 was not found' }, { item: 2 }],
			[{ success: true, paymentId: payments.UNPAID_2 }, { item: 3 }],
		]);
		// The bad id never left; the other three went in one batch request.
		expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['batch']);
		expect(emulator.methodCalls().map((call) => Number(call.params.id))).toEqual([payments.UNPAID, 9999, payments.UNPAID_2]);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
		expect(emulator.state.payments.get(payments.UNPAID_2)!.paid).toBe('Y');
	});

	test('without it, a bad item stops the node with its error', async () => {
		const result = await runNode({
			emulator,
			parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
			items: itemsOf({ id: 'abc' }),
		});

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('Payment ID must be a positive whole number, not "abc"');
		expect(result.error?.context?.itemIndex).toBe(0);
	});
});

test.each([0, -1])('Limit %s typed in the field (the editor no longer turns it into 1): refused before any request', async (limit) => {
	const result = await runNode({ emulator, parameters: { resource: 'orderPayment', operation: 'getAll', limit } });

	expect(result.error?.message).toBe(`Limit must be a positive whole number, not ${limit}`);
	expect(result.error?.description).toBe('Set Limit to a whole number of 1 or more, or turn on Return All.');
	expect(emulator.restCalls()).toEqual([]);
});

test('the Limit field has no minimum the editor would enforce by changing what was typed', async () => {
	const { nodeType } = await import('../helpers/package');
	const limit = nodeType.description.properties.find((property) => property.name === 'limit');
	expect(limit?.typeOptions?.minValue).toBeUndefined();
});

describe('Limit of Order Payment > Get Many, from an expression', () => {
	test.each([
		['text', 'abc', 'Limit must be a positive whole number, not "abc"'],
		['negative (it would cut items off the end)', -5, 'Limit must be a positive whole number, not -5'],
		['zero', 0, 'Limit must be a positive whole number, not 0'],
		['a decimal', 1.5, 'Limit must be a positive whole number, not 1.5'],
	])('%s: fails the item before any request instead of returning a wrong number of payments', async (_name, limit, message) => {
		const result = await runNode({
			emulator,
			parameters: { resource: 'orderPayment', operation: 'getAll', limit: '={{ $json.limit }}' },
			items: itemsOf({ limit }),
		});

		// Re-wrapped by n8n's routing engine as NodeApiError (as for every request hook); message and description stay ours.
		expect(result.error?.httpCode).toBe('none');
		expect(result.error?.message).toBe(message);
		expect(result.error?.description).toBe('Set Limit to a whole number of 1 or more, or turn on Return All.');
		expect(emulator.restCalls()).toEqual([]);
	});
});
