/**
 * Each operation with each credential type: the request that reached the portal, the state it changed and
 * the items the node output.
 */
import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import { AUTHS, itemsOf, restPath, type Auth, onlyCall as onlyCallOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** The one REST call of a run, and where it went. */
const onlyCall = (method: string) => onlyCallOf(emulator, method);
const expectPath = (path: string, auth: Auth, method: string) => expect(path).toBe(restPath(auth, method));

describe.each(AUTHS)('with %s credentials', (auth) => {
	test('CRM Payment > Mark as Paid sends the id and marks the payment paid', async () => {
		const result = await runNode({
			emulator,
			auth,
			parameters: { resource: 'payment', operation: 'pay', paymentId: String(payments.UNPAID) },
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { success: true, paymentId: payments.UNPAID }, pairedItem: { item: 0 } },
		]);
		const call = onlyCall('crm.item.payment.pay');
		expectPath(call.path, auth, 'crm.item.payment.pay');
		expect(call.httpMethod).toBe('POST');
		expect(call.body).toEqual({ id: payments.UNPAID });
		expect(call.auth).toBe(auth === 'webhook' ? 'webhook' : 'oauth');
		const payment = emulator.state.payments.get(payments.UNPAID)!;
		expect(payment.paid).toBe('Y');
		expect(payment.datePaid).not.toBeNull();
	});

	test('CRM Payment > Mark as Unpaid marks a paid payment unpaid', async () => {
		const result = await runNode({
			emulator,
			auth,
			parameters: { resource: 'payment', operation: 'unpay', paymentId: payments.PAID },
		});

		expect(result.items).toEqual([{ json: { success: true, paymentId: payments.PAID }, pairedItem: { item: 0 } }]);
		expect(onlyCall('crm.item.payment.unpay').body).toEqual({ id: payments.PAID });
		expect(emulator.state.payments.get(payments.PAID)!.paid).toBe('N');
	});

	test('CRM Payment > Delete removes the payment and says so', async () => {
		const result = await runNode({
			emulator,
			auth,
			parameters: { resource: 'payment', operation: 'delete', paymentId: payments.UNPAID_2 },
		});

		expect(result.items).toEqual([{ json: { deleted: true, paymentId: payments.UNPAID_2 }, pairedItem: { item: 0 } }]);
		expect(onlyCall('crm.item.payment.delete').body).toEqual({ id: payments.UNPAID_2 });
		expect(emulator.state.payments.has(payments.UNPAID_2)).toBe(false);
	});

	test('Order Payment > Update sends the fields and outputs the saved payment without the envelope', async () => {
		const result = await runNode({
			emulator,
			auth,
			parameters: {
				resource: 'orderPayment',
				operation: 'update',
				paymentId: payments.SALE_DOC,
				paySystemId: paySystems.BANK_TRANSFER,
				updateFields: { paid: 'Y', sum: 250.5, comments: 'Paid by wire', datePaid: '2024-04-10T10:00:00+02:00' },
			},
		});

		expect(result.error).toBeUndefined();
		expect(onlyCall('sale.payment.update').body).toEqual({
			id: payments.SALE_DOC,
			fields: {
				paySystemId: paySystems.BANK_TRANSFER,
				paid: 'Y',
				sum: 250.5,
				comments: 'Paid by wire',
				datePaid: '2024-04-10T10:00:00+02:00',
			},
		});
		expect(result.items).toHaveLength(1);
		const output = result.items[0];
		expect(output.pairedItem).toEqual({ item: 0 });
		expect(output.json).not.toHaveProperty('time');
		expect(output.json).not.toHaveProperty('payment');
		expect(output.json).toMatchObject({
			id: payments.SALE_DOC,
			paySystemId: paySystems.BANK_TRANSFER,
			paid: 'Y',
			sum: 250.5,
			comments: 'Paid by wire',
			// The portal keeps the instant and shows it in its own offset (+03:00).
			datePaid: '2024-04-10T11:00:00+03:00',
		});
		// Every field of the answer on the seed page of sale.payment.update.
		expect(Object.keys(output.json)).toHaveLength(44);
	});

	test('Pay System > Pay Payment sends UPPER_SNAKE parameters and the payment is paid with the PS_* fields', async () => {
		const result = await runNode({
			emulator,
			auth,
			parameters: {
				resource: 'paySystem',
				operation: 'payPayment',
				paymentId: payments.UNPAID,
				paySystemId: paySystems.BANK_TRANSFER,
				additionalFields: {
					psInvoiceId: 'inv-77',
					psStatusCode: 'OK',
					psSum: 100,
					psCurrency: 'USD',
					psStatusMessage: 'Approved',
					psCardNumber: '4111 **** **** 1111',
				},
			},
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: { success: true, paymentId: payments.UNPAID, paySystemId: paySystems.BANK_TRANSFER },
				pairedItem: { item: 0 },
			},
		]);
		const call = onlyCall('sale.paysystem.pay.payment');
		expectPath(call.path, auth, 'sale.paysystem.pay.payment');
		expect(call.body).toEqual({
			PAYMENT_ID: payments.UNPAID,
			PAY_SYSTEM_ID: paySystems.BANK_TRANSFER,
			PS_INVOICE_ID: 'inv-77',
			PS_STATUS_CODE: 'OK',
			PS_SUM: 100,
			PS_CURRENCY: 'USD',
			PS_STATUS_MESSAGE: 'Approved',
			PS_CARD_NUMBER: '4111 **** **** 1111',
		});
		expect(emulator.state.payments.get(payments.UNPAID)).toMatchObject({
			paid: 'Y',
			psStatus: 'Y',
			psInvoiceId: 'inv-77',
			psStatusCode: 'OK',
			psSum: 100,
			psCurrency: 'USD',
		});
	});
});

test('many items: one batch request, one output item each, paired in order', async () => {
	const ids = [payments.UNPAID, payments.UNPAID_2, payments.PAID];
	const result = await runNode({
		emulator,
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
		items: itemsOf(...ids.map((id) => ({ id }))),
	});

	expect(result.items.map((item) => [item.json.paymentId, item.pairedItem])).toEqual(
		ids.map((id, index) => [id, { item: index }]),
	);
	expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['batch']);
	expect(emulator.methodCalls('crm.item.payment.pay').map((call) => Number(call.params.id))).toEqual(ids);
	for (const id of ids) expect(emulator.state.payments.get(id)!.paid).toBe('Y');
});

test('ids from expressions may be numbers or numeric strings, and are sent as numbers', async () => {
	const result = await runNode({
		emulator,
		// One request per item: the JSON body shows the type the id is sent with.
		parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}', requestOptions: { batch: false } },
		items: itemsOf({ id: payments.UNPAID }, { id: ` ${payments.UNPAID_2} ` }),
	});

	expect(result.error).toBeUndefined();
	expect(emulator.restCalls().map((call) => call.body.id).sort()).toEqual([payments.UNPAID, payments.UNPAID_2]);
});

test.each([
	['with a trailing slash', (url: string) => url],
	['without the trailing slash', (url: string) => url.replace(/\/$/, '')],
	['with a method name pasted after it', (url: string) => `${url}profile.json`],
	['with surrounding spaces', (url: string) => `  ${url}  `],
])('a webhook URL %s reaches the same method URL', async (_name, shape) => {
	const result = await runNode({
		emulator,
		parameters: { resource: 'payment', operation: 'pay', paymentId: payments.UNPAID },
		credentials: { webhookUrl: shape(emulator.webhookUrl()) },
	});

	expect(result.error).toBeUndefined();
	expect(onlyCall('crm.item.payment.pay').path).toBe(`/rest/1/${DEFAULT_WEBHOOK_SECRET}/crm.item.payment.pay`);
});
