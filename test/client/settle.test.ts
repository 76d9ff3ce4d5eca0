/**
 * A write whose answer is lost is never sent again: the node reads back what it was to change and gives the item a
 * verdict. For every write operation, on the real engine against the emulator: the portal ran it and the
 * connection dropped (the item succeeds, marked confirmedByReadBack, the write sent once); the portal dropped the
 * connection before running it (the item fails saying the change was not applied); the read-back fails too (the
 * item says it is unknown). Creates and payment lines, which Bitrix24 cannot read back by what the call knows, say
 * what to look for. Batches settle with one read per 50 items; a timeout waits out the portal's 60 s first.
 */
import type { INodeParameters } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { Fault } from '../emulator/server';
import { Bitrix24Emulator, EMULATOR_HANDLER_CODE, SEED_IDS } from '../emulator/server';
import { itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems, personTypes, handlers, paymentProducts, paymentDeliveries, shipments, deal } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

const rl = (value: number) => ({ __rl: true, mode: 'id', value: String(value) });

function inject(kind: Fault['kind'], method: string, extra: Partial<Fault> = {}) {
	emulator.injectFault({ kind, method, ...extra });
}

const UNUSED_HANDLER = 2;

interface WriteCase {
	name: string;
	parameters: INodeParameters;
	write: string;
	read: string;
	/** Seeds what the case needs beyond the standard seed. */
	seed?: () => void;
	/** Whether the portal now holds what the write was to change. */
	applied: () => boolean;
	/** A part of the output the write itself would have answered. */
	output: Record<string, unknown>;
}

const state = () => emulator.state;

const WRITES: WriteCase[] = [
	{
		name: 'CRM Payment > Mark as Paid',
		parameters: { resource: 'payment', operation: 'pay', paymentId: payments.UNPAID },
		write: 'crm.item.payment.pay',
		read: 'crm.item.payment.get',
		applied: () => state().payments.get(payments.UNPAID)!.paid === 'Y',
		output: { success: true, paymentId: payments.UNPAID },
	},
	{
		name: 'CRM Payment > Mark as Unpaid',
		parameters: { resource: 'payment', operation: 'unpay', paymentId: payments.PAID },
		write: 'crm.item.payment.unpay',
		read: 'crm.item.payment.get',
		applied: () => state().payments.get(payments.PAID)!.paid === 'N',
		output: { success: true, paymentId: payments.PAID },
	},
	{
		name: 'CRM Payment > Update',
		parameters: { resource: 'payment', operation: 'update', paymentId: payments.UNPAID, updateFields: { paid: 'Y', paySystemId: paySystems.CASH } },
		write: 'crm.item.payment.update',
		read: 'crm.item.payment.get',
		applied: () => state().payments.get(payments.UNPAID)!.paid === 'Y' && state().payments.get(payments.UNPAID)!.paySystemId === paySystems.CASH,
		output: { success: true, paymentId: payments.UNPAID },
	},
	{
		name: 'CRM Payment > Delete',
		parameters: { resource: 'payment', operation: 'delete', paymentId: payments.UNPAID_2 },
		write: 'crm.item.payment.delete',
		read: 'crm.item.payment.get',
		applied: () => !state().payments.has(payments.UNPAID_2),
		output: { deleted: true, paymentId: payments.UNPAID_2 },
	},
	{
		name: 'Order Payment > Update',
		parameters: {
			resource: 'orderPayment',
			operation: 'update',
			paymentId: payments.SALE_DOC,
			paySystemId: paySystems.CASH,
			updateFields: { comments: 'settled by reading back', payVoucherDate: '2026-12-01T10:00:00+01:00' },
		},
		write: 'sale.payment.update',
		read: 'sale.payment.get',
		applied: () => state().payments.get(payments.SALE_DOC)!.comments === 'settled by reading back',
		// The payment as saved, as sale.payment.update itself answers.
		output: { id: payments.SALE_DOC, comments: 'settled by reading back', paySystemId: paySystems.CASH },
	},
	{
		name: 'Order Payment > Delete',
		parameters: { resource: 'orderPayment', operation: 'delete', paymentId: payments.UNPAID_2 },
		write: 'sale.payment.delete',
		read: 'sale.payment.get',
		applied: () => !state().payments.has(payments.UNPAID_2),
		output: { deleted: true, paymentId: payments.UNPAID_2 },
	},
	{
		name: 'Pay System > Pay Payment',
		parameters: {
			resource: 'paySystem',
			operation: 'payPayment',
			paymentId: payments.UNPAID,
			paySystemId: rl(paySystems.BANK_TRANSFER),
			additionalFields: { psStatusCode: 'PAID_OK', psCardNumber: '4111 **** **** 1111' },
		},
		write: 'sale.paysystem.pay.payment',
		read: 'sale.payment.get',
		applied: () => state().payments.get(payments.UNPAID)!.paid === 'Y' && state().payments.get(payments.UNPAID)!.psStatusCode === 'PAID_OK',
		output: { success: true, paymentId: payments.UNPAID },
	},
	{
		name: 'Pay System > Update',
		parameters: {
			resource: 'paySystem',
			operation: 'update',
			paySystemId: rl(paySystems.CARD_REST_HANDLER),
			bxRestHandler: EMULATOR_HANDLER_CODE,
			personTypeId: personTypes.COMPANY,
			updateFields: { name: 'Card (companies)', active: 'N' },
		},
		write: 'sale.paysystem.update',
		read: 'sale.paysystem.list',
		applied: () => state().paySystems.get(paySystems.CARD_REST_HANDLER)!.NAME === 'Card (companies)',
		output: { success: true, paySystemId: paySystems.CARD_REST_HANDLER },
	},
	{
		name: 'Pay System > Delete',
		parameters: { resource: 'paySystem', operation: 'delete', paySystemId: rl(paySystems.INVOICE_CARD) },
		write: 'sale.paysystem.delete',
		read: 'sale.paysystem.list',
		applied: () => !state().paySystems.has(paySystems.INVOICE_CARD),
		output: { deleted: true, paySystemId: paySystems.INVOICE_CARD },
	},
	{
		name: 'Pay System > Update Settings',
		parameters: {
			resource: 'paySystem',
			operation: 'updateSettings',
			paySystemId: rl(paySystems.CARD_REST_HANDLER),
			personTypeId: personTypes.INDIVIDUAL,
			settings: '{"REST_SERVICE_KEY": {"TYPE": "VALUE", "VALUE": "rotated-key"}}',
		},
		write: 'sale.paysystem.settings.update',
		read: 'sale.paysystem.settings.get',
		applied: () =>
			JSON.stringify(state().paySystemSettings.get(`${paySystems.CARD_REST_HANDLER}:${personTypes.INDIVIDUAL}`) ?? {}).includes('rotated-key'),
		output: { success: true },
	},
	{
		name: 'Pay System Handler > Update',
		parameters: { resource: 'paySystemHandler', operation: 'update', handlerId: String(handlers.EMULATOR_CARD), updateFields: { name: 'Emulator card v2', sort: 50 } },
		write: 'sale.paysystem.handler.update',
		read: 'sale.paysystem.handler.list',
		applied: () => state().paySystemHandlers.get(handlers.EMULATOR_CARD)!.NAME === 'Emulator card v2',
		output: { success: true },
	},
	{
		name: 'Payment Product > Set Quantity, with its Payment ID',
		parameters: { resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: paymentProducts.ON_UNPAID, quantity: 3, paymentId: payments.UNPAID },
		write: 'crm.item.payment.product.setQuantity',
		read: 'crm.item.payment.product.list',
		applied: () => state().payableItems.get(paymentProducts.ON_UNPAID)!.quantity === 3,
		output: { success: true, paymentProductId: paymentProducts.ON_UNPAID },
	},
	{
		name: 'Payment Delivery > Set Delivery, with its Payment ID',
		parameters: { resource: 'paymentDelivery', operation: 'setDelivery', paymentDeliveryId: paymentDeliveries.ON_UNPAID, deliveryId: shipments.SECOND, paymentId: payments.UNPAID },
		write: 'crm.item.payment.delivery.setDelivery',
		read: 'crm.item.payment.delivery.list',
		applied: () => state().payableItems.get(paymentDeliveries.ON_UNPAID)!.entityId === shipments.SECOND,
		output: { success: true, paymentDeliveryId: paymentDeliveries.ON_UNPAID },
	},
	{
		name: 'Pay System Handler > Delete',
		parameters: { resource: 'paySystemHandler', operation: 'delete', handlerId: UNUSED_HANDLER },
		seed: () => {
			const settings = state().paySystemHandlers.get(handlers.EMULATOR_CARD)!.SETTINGS;
			state().paySystemHandlers.set(UNUSED_HANDLER, { ID: '2', NAME: 'Unused', CODE: 'unused', SORT: '100', SETTINGS: settings, APP_ID: null });
			state().lastIds.handler = UNUSED_HANDLER;
		},
		write: 'sale.paysystem.handler.delete',
		read: 'sale.paysystem.handler.list',
		applied: () => !state().paySystemHandlers.has(UNUSED_HANDLER),
		output: { deleted: true, handlerId: UNUSED_HANDLER },
	},
];

describe.each(WRITES)('$name: its answer lost', ({ parameters, write, read, seed, applied, output }) => {
	test('after the portal ran it: read back, the item succeeds with its answer, confirmedByReadBack, the write sent once', async () => {
		seed?.();
		inject('reset', write, { afterRun: true });
		const result = await runNode({ emulator, parameters });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ ...output, confirmedByReadBack: true });
		expect(emulator.restCalls(write).map((call) => call.ran)).toEqual([true]);
		expect(emulator.restCalls(read)).toHaveLength(1);
		expect(applied()).toBe(true);
	});

	test('dropped before the portal ran it: read back, the item fails saying the change was not applied, the write sent once', async () => {
		seed?.();
		inject('reset', write);
		const result = await runNode({ emulator, parameters, continueOnFail: true });

		expect(result.items).toHaveLength(1);
		expect(String(result.items[0].json.error)).toMatch(/: no answer from the portal; reading it back shows the change was not applied$/);
		expect(emulator.restCalls(write).map((call) => call.ran === true)).toEqual([false]);
		expect(emulator.restCalls(read)).toHaveLength(1);
		expect(applied()).toBe(false);

		// Without Continue On Fail the description says when it was read and that running again applies it once.
		emulator.reset();
		seed?.();
		inject('reset', write);
		const failed = await runNode({ emulator, parameters });
		expect(failed.error?.name).toBe('NodeApiError');
		expect(failed.error?.description).toMatch(/Read back at \d{4}-\d\d-\d\dT[\d:.]+Z: .*, so the change was not applied\./);
		expect(failed.error?.description).toMatch('Running this item again applies it once.');
	});

	test('the read-back fails too: the item says whether it was applied is unknown, never guesses', async () => {
		seed?.();
		inject('reset', write, { afterRun: true });
		inject('htmlPage', read);
		const result = await runNode({ emulator, parameters });

		expect(result.error?.message).toMatch(/: no answer from the portal; whether the change was applied is unknown$/);
		expect(result.error?.description).toMatch('could not tell (Bitrix24 could not');
		expect(result.error?.description).toMatch('The node did not send it again');
		expect(emulator.restCalls(write)).toHaveLength(1);
		expect(applied()).toBe(true);
	});
});

describe('what cannot be read back says what to look for', () => {
	test.each([
		[
			'CRM Payment > Create',
			{ resource: 'payment', operation: 'create', entityTypeId: deal.entityTypeId, entityId: deal.entityId },
			'crm.item.payment.add',
			/whether it was created is unknown$/,
			/Check a new payment of deal 10 \(the request was sent at \d{4}-[\d-]+T[\d:]+/,
		],
		[
			'Order Payment > Create',
			{ resource: 'orderPayment', operation: 'create', orderId: SEED_IDS.orders.MAIN, paySystemId: paySystems.CASH },
			'sale.payment.add',
			/whether it was created is unknown$/,
			/Check a new payment of order 200 /,
		],
		[
			'Payment Delivery > Delete',
			{ resource: 'paymentDelivery', operation: 'delete', paymentDeliveryId: paymentDeliveries.ON_UNPAID },
			'crm.item.payment.delivery.delete',
			/whether the change was applied is unknown$/,
			/Check payment delivery 801 \(Bitrix24 reads it back only by its payment/,
		],
		[
			'Payment Product > Set Quantity without its Payment ID',
			{ resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: paymentProducts.ON_UNPAID, quantity: 2 },
			'crm.item.payment.product.setQuantity',
			/whether the change was applied is unknown$/,
			/Check payment product 701 \(fill in the Payment ID of the change to let the node read it back; Get Many of Payment Product lists the lines of a payment\)/,
		],
	])('%s', async (_name, parameters, write, message, description) => {
		inject('reset', write, { afterRun: true });
		const result = await runNode({ emulator, parameters: parameters as INodeParameters });

		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(description);
		expect(result.error?.description).toMatch('The node did not send it again');
		expect(emulator.restCalls(write)).toHaveLength(1);
		expect(emulator.restCalls()).toHaveLength(1);
	});
});

describe('batches', () => {
	const pay = { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' };

	test('200 items of Mark as Paid, two batch answers lost after the portal ran them: 100 items settled with 2 reads, all paid once', async () => {
		const ids = emulator.seedOrderPayments(200, { orderId: SEED_IDS.orders.MAIN });
		inject('reset', 'batch', { afterRun: true, times: 2 });

		const result = await runNode({ emulator, parameters: pay, items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });

		expect(result.items).toHaveLength(200);
		expect(result.items.filter((item) => item.json.success === true)).toHaveLength(200);
		expect(result.items.filter((item) => item.json.confirmedByReadBack === true)).toHaveLength(100);
		expect(result.items.map((item) => item.json.paymentId)).toEqual(ids);
		const requests = emulator.restCalls().map((call) => `${call.restMethod}(${call.commands?.[0]?.method ?? ''} x${call.commands?.length ?? 0})`);
		expect(requests).toEqual([
			...Array(4).fill('batch(crm.item.payment.pay x50)'),
			...Array(2).fill('batch(crm.item.payment.get x50)'),
		]);
		const runs = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
		expect(runs).toHaveLength(200);
		expect(new Set(runs.map((call) => String(call.params.id))).size).toBe(200);
		for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');
	});

	test('a batch answer lost before the portal ran it: every item says not applied, nothing was paid, nothing sent twice', async () => {
		const ids = emulator.seedOrderPayments(5, { orderId: SEED_IDS.orders.MAIN });
		inject('reset', 'batch');

		const result = await runNode({ emulator, parameters: pay, items: itemsOf(...ids.map((id) => ({ id }))), continueOnFail: true });

		expect(result.items.map((item) => item.json.error)).toEqual(
			ids.map(() => 'Bitrix24 could not mark the payment as paid: no answer from the portal; reading it back shows the change was not applied'),
		);
		expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['batch', 'batch']);
		expect(emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran)).toHaveLength(0);
		for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('N');
	});
});

describe('a timeout: the portal may still be running the write', () => {
	const pay = { resource: 'payment', operation: 'pay', paymentId: payments.UNPAID };

	test('Max Wait shorter than the portal\'s 60 s: unknown at once, saying to raise Max Wait; nothing read, nothing sent again', async () => {
		inject('late', 'crm.item.payment.pay', { delayMs: 2000 });
		const result = await runNode({ emulator, parameters: { ...pay, requestOptions: { timeout: 1, maxWait: 30 } } });

		expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: no answer from the portal; whether the change was applied is unknown');
		expect(result.error?.description).toMatch('the portal may run a request for up to 60 s');
		expect(result.error?.description).toMatch('raise Max Wait');
		expect(emulator.restCalls('crm.item.payment.get')).toHaveLength(0);
		// The portal finishes the write after the node gave up on its answer: which is why the item could not say "not applied".
		await sleep(1500);
		expect(emulator.restCalls('crm.item.payment.pay').map((call) => call.ran)).toEqual([true]);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
	});

	test('Max Wait long enough: read back only after the portal\'s 60 s, when the late write has run: applied', async () => {
		inject('late', 'crm.item.payment.pay', { delayMs: 3000 });
		const started = Date.now();
		const result = await runNode({ emulator, parameters: { ...pay, requestOptions: { timeout: 1, maxWait: 120 } } });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ success: true, paymentId: payments.UNPAID, confirmedByReadBack: true });
		const [write] = emulator.restCalls('crm.item.payment.pay');
		const [readBack] = emulator.restCalls('crm.item.payment.get');
		expect(emulator.restCalls('crm.item.payment.pay')).toHaveLength(1);
		// The read went out no sooner than 60 s after the write (the portal's own limit on a request).
		expect(readBack.receivedAt - write.receivedAt).toBeGreaterThanOrEqual(60_000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
	}, 90_000);
});
