/**
 * Order Payment (sale.payment.*) besides Update, with each credential type: Create, Get, Get Many (paging,
 * filters, select, order, Simplify), Delete and Get Fields. Each test judges what reached the portal, what
 * changed there and the items the node output.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulator/server';
import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, READ_ONLY_WEBHOOK, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, credentialData, itemsOf, restPath, onlyCall as onlyCallOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems, orders } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** What Simplify keeps of an order payment, in this order. */
const SIMPLE_KEYS = [
	'id',
	'orderId',
	'accountNumber',
	'paid',
	'datePaid',
	'sum',
	'currency',
	'paySystemId',
	'paySystemName',
	'psStatus',
	'psInvoiceId',
	'comments',
];

/** The one REST call of a run. */
const onlyCall = (method: string) => onlyCallOf(emulator, method);
const expectPath = (path: string, auth: Auth, method: string) => expect(path).toBe(restPath(auth, method));

/** The `result` the portal answered to a recorded call. */
function answerOf(call: RecordedRequest): IDataObject {
	return (call.response as { result: IDataObject }).result;
}

/** Every page the portal read, as a plain request or as a command of a batch request. */
const listCalls = () => emulator.methodCalls('sale.payment.list');
/** A batch command carries its params as query text: numbers arrive as strings. */
const asQuery = (value: unknown): unknown =>
	typeof value === 'number'
		? String(value)
		: Array.isArray(value)
			? value.map(asQuery)
			: value !== null && typeof value === 'object'
				? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asQuery(inner)]))
				: value;
/** Pages are read after the user's sort by id too, so that ties never move a row between pages. */
const BY_ID = { id: 'ASC' };
const getMany = (parameters: IDataObject): INodeParameters => ({ resource: 'orderPayment', operation: 'getAll', ...parameters }) as INodeParameters;

/** The credential of a user who may read but not write (webhook 7 / user 7). */
function readOnlyCredential(auth: Auth): ICredentialDataDecryptedObject {
	return auth === 'webhook'
		? { webhookUrl: emulator.webhookUrl(READ_ONLY_WEBHOOK.userId, READ_ONLY_WEBHOOK.secret) }
		: credentialData(emulator, 'oAuth2', emulator.issueToken({ userId: SEED_IDS.users.READ_ONLY }));
}

/** A credential with the `crm` scope only, so without `sale`. */
function crmOnlyCredential(auth: Auth): ICredentialDataDecryptedObject {
	return auth === 'webhook'
		? { webhookUrl: emulator.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret) }
		: credentialData(emulator, 'oAuth2', emulator.issueToken({ scopes: ['crm'] }));
}

describe.each(AUTHS)('with %s credentials', (auth) => {
	describe('Create (sale.payment.add)', () => {
		test('sends the order, the pay system and the additional fields, and outputs the saved payment', async () => {
			const before = new Set(emulator.state.payments.keys());
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'orderPayment',
					operation: 'create',
					orderId: String(orders.PLAIN),
					paySystemId: { __rl: true, mode: 'list', value: String(paySystems.CASH) },
					additionalFields: {
						sum: 42.5,
						comments: 'Deposit',
						xmlId: 'ext-42',
						datePayBefore: '2024-06-01T12:00:00+02:00',
					},
				},
			});

			expect(result.error).toBeUndefined();
			const call = onlyCall('sale.payment.add');
			expectPath(call.path, auth, 'sale.payment.add');
			expect(call.body).toEqual({
				fields: {
					orderId: orders.PLAIN,
					paySystemId: paySystems.CASH,
					sum: 42.5,
					comments: 'Deposit',
					xmlId: 'ext-42',
					datePayBefore: '2024-06-01T12:00:00+02:00',
				},
			});

			// The portal has one payment more, in order 202, as sent.
			const added = [...emulator.state.payments.keys()].filter((id) => !before.has(id));
			expect(added).toHaveLength(1);
			const saved = emulator.state.payments.get(added[0])!;
			expect(saved).toMatchObject({
				orderId: orders.PLAIN,
				paySystemId: paySystems.CASH,
				paySystemName: 'Cash',
				sum: 42.5,
				comments: 'Deposit',
				xmlId: 'ext-42',
				paid: 'N',
				datePayBefore: '2024-06-01T13:00:00+03:00',
			});

			// One item: the payment as the portal saved it, without the envelope.
			expect(result.items).toHaveLength(1);
			const [output] = result.items;
			expect(output.pairedItem).toEqual({ item: 0 });
			expect(output.json).toEqual((answerOf(call).payment as IDataObject));
			expect(output.json).toMatchObject({ id: added[0], orderId: orders.PLAIN, sum: 42.5, comments: 'Deposit' });
			expect(Object.keys(output.json)).toHaveLength(44);
		});

		test('with Simplify outputs only the main fields', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'orderPayment',
					operation: 'create',
					orderId: orders.PLAIN,
					paySystemId: paySystems.BANK_TRANSFER,
					additionalFields: { sum: 10 },
					simplify: true,
				},
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(Object.keys(result.items[0].json)).toEqual(SIMPLE_KEYS);
			const saved = answerOf(onlyCall('sale.payment.add')).payment as IDataObject;
			expect(result.items[0].json).toEqual(Object.fromEntries(SIMPLE_KEYS.map((key) => [key, saved[key]])));
			expect(emulator.state.payments.get(saved.id as number)).toMatchObject({ orderId: orders.PLAIN, sum: 10 });
		});

		test('a read-only user: access denied, nothing created', async () => {
			const count = emulator.state.payments.size;
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'create', orderId: orders.PLAIN, paySystemId: paySystems.CASH },
				credentials: readOnlyCredential(auth),
			});

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toBe('Bitrix24 could not create the order payment: access denied');
			expect(result.error?.description).toMatch('needs the right to edit payments');
			expect(result.error?.description).toMatch('Bitrix24 answered HTTP 400, error 200040300020: "Access Denied".');
			expect(onlyCall('sale.payment.add').status).toBe(400);
			expect(emulator.state.payments.size).toBe(count);
		});
	});

	describe('Get (sale.payment.get)', () => {
		test('outputs every field of the payment, without the envelope', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'get', paymentId: String(payments.SALE_DOC) },
			});

			expect(result.error).toBeUndefined();
			const call = onlyCall('sale.payment.get');
			expectPath(call.path, auth, 'sale.payment.get');
			expect(call.body).toEqual({ id: payments.SALE_DOC });
			expect(result.items).toEqual([{ json: answerOf(call).payment, pairedItem: { item: 0 } }]);
			expect(result.items[0].json).toMatchObject({
				id: payments.SALE_DOC,
				orderId: orders.MAIN,
				accountNumber: '356/1',
				paySystemId: paySystems.CASH,
				paySystemName: 'Cash',
				sum: 100,
				currency: 'USD',
				paid: 'N',
			});
			expect(Object.keys(result.items[0].json)).toHaveLength(44);
		});

		test('with Simplify outputs only the main fields', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'get', paymentId: payments.PAID, simplify: true },
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{
					json: {
						id: payments.PAID,
						orderId: orders.MAIN,
						accountNumber: '356/4',
						paid: 'Y',
						datePaid: '2024-05-20T12:32:02+03:00',
						sum: 100,
						currency: 'USD',
						paySystemId: paySystems.BANK_TRANSFER,
						paySystemName: 'Bank Transfer (Company)',
						psStatus: '',
						psInvoiceId: null,
						comments: '',
					},
					pairedItem: { item: 0 },
				},
			]);
			expect(Object.keys(result.items[0].json)).toEqual(SIMPLE_KEYS);
			expect(onlyCall('sale.payment.get').body).toEqual({ id: payments.PAID });
		});

		test('an unknown payment: a clear not-found error', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'get', paymentId: 9999 },
			});

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toBe('Bitrix24 could not get the order payment: order payment 9999 was not found');
			expect(result.error?.description).toMatch('Check the Payment ID');
			expect(result.error?.description).toMatch('error 200640400001: "payment is not exists"');
			expect(result.error?.httpCode).toBe('400');
		});
	});

	describe('Delete (sale.payment.delete)', () => {
		test('removes the payment and says so', async () => {
			const [id] = emulator.seedOrderPayments(1);
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'delete', paymentId: String(id) },
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([{ json: { deleted: true, paymentId: id }, pairedItem: { item: 0 } }]);
			const call = onlyCall('sale.payment.delete');
			expectPath(call.path, auth, 'sale.payment.delete');
			expect(call.body).toEqual({ id });
			expect(emulator.state.payments.has(id)).toBe(false);
		});

		test('a paid payment is refused and stays', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'delete', paymentId: payments.PAID },
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe(`Bitrix24 could not delete the order payment: payment ${payments.PAID} is paid`);
			expect(result.error?.description).toMatch('mark it as unpaid first');
			expect(result.error?.description).toMatch('SALE_PAYMENT_DELETE_EXIST_PAID');
			expect(emulator.state.payments.has(payments.PAID)).toBe(true);
		});

		test('a read-only user: access denied, the payment stays', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'delete', paymentId: payments.SALE_DOC },
				credentials: readOnlyCredential(auth),
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe('Bitrix24 could not delete the order payment: access denied');
			expect(result.error?.description).toMatch('error 200040300020');
			expect(onlyCall('sale.payment.delete').status).toBe(400);
			expect(emulator.state.payments.has(payments.SALE_DOC)).toBe(true);
		});
	});

	describe('Get Fields (sale.payment.getFields)', () => {
		test('outputs one item per field with its description', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'orderPayment', operation: 'getFields' },
			});

			expect(result.error).toBeUndefined();
			const call = onlyCall('sale.payment.getfields');
			expectPath(call.path, auth, 'sale.payment.getFields');
			const described = answerOf(call).payment as Record<string, IDataObject>;
			expect(result.items).toEqual(
				Object.entries(described).map(([field, description]) => ({ json: { field, ...description }, pairedItem: { item: 0 } })),
			);
			expect(result.items).toHaveLength(44);
			const byField = new Map(result.items.map((item) => [item.json.field, item.json]));
			expect(byField.get('id')).toEqual({ field: 'id', isImmutable: false, isReadOnly: true, isRequired: false, type: 'integer' });
			expect(byField.get('orderId')).toEqual({ field: 'orderId', isImmutable: true, isReadOnly: false, isRequired: true, type: 'integer' });
			expect(byField.get('datePaid')).toEqual({ field: 'datePaid', isImmutable: false, isReadOnly: false, isRequired: false, type: 'datetime' });
		});
	});

	describe('Get Many (sale.payment.list)', () => {
		test('Return All follows the pages: start 0, 50, 100 and every payment once, in order', async () => {
			const ids = emulator.seedOrderPayments(120);
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ returnAll: true, filters: { orderId: orders.PLAIN } }),
			});

			expect(result.error).toBeUndefined();
			// The first page tells the total; the two pages left go together in one batch request.
			const requests = emulator.restCalls();
			expect(requests.map((call) => call.restMethod)).toEqual(['sale.payment.list', 'batch']);
			expectPath(requests[0].path, auth, 'sale.payment.list');
			expectPath(requests[1].path, auth, 'batch');
			expect(listCalls().map((call) => asQuery(call.params))).toEqual([
				asQuery({ filter: { orderId: orders.PLAIN }, order: BY_ID, start: 0 }),
				asQuery({ filter: { orderId: orders.PLAIN }, order: BY_ID, start: 50 }),
				asQuery({ filter: { orderId: orders.PLAIN }, order: BY_ID, start: 100 }),
			]);
			const outputIds = result.items.map((item) => item.json.id);
			expect(outputIds).toEqual(ids);
			expect(new Set(outputIds).size).toBe(120);
			for (const item of result.items) expect(item.pairedItem).toEqual({ item: 0 });
			// Full payments, without the paging envelope (`next`, `total`, `time`).
			expect(Object.keys(result.items[0].json)).toHaveLength(44);
			expect(result.items[0].json).not.toHaveProperty('next');
		});

		test('Return All without a filter gets the seeded payments too', async () => {
			emulator.seedOrderPayments(114);
			const all = [...emulator.state.payments.keys()].sort((a, b) => a - b);
			expect(all).toHaveLength(120);

			const result = await runNode({ emulator, auth, parameters: getMany({ returnAll: true }) });

			expect(result.error).toBeUndefined();
			expect(listCalls().map((call) => asQuery(call.params))).toEqual(
				[0, 50, 100].map((start) => asQuery({ order: BY_ID, start })),
			);
			expect(result.items.map((item) => item.json.id)).toEqual(all);
		});

		test.each([
			// limit, pages read (their start), requests, items
			[7, [0], ['sale.payment.list'], 7],
			[50, [0], ['sale.payment.list'], 50],
			[51, [0, 50], ['sale.payment.list', 'sale.payment.list'], 51],
			[73, [0, 50], ['sale.payment.list', 'sale.payment.list'], 73],
			[100, [0, 50], ['sale.payment.list', 'sale.payment.list'], 100],
			[500, [0, 50, 100], ['sale.payment.list', 'batch'], 120],
		])('Limit %i of 120: pages with start %j in requests %j, %i items', async (limit, starts, requests, count) => {
			const ids = emulator.seedOrderPayments(120);
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ returnAll: false, limit, filters: { orderId: orders.PLAIN } }),
			});

			expect(result.error).toBeUndefined();
			expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(requests);
			expect(listCalls().map((call) => asQuery(call.params))).toEqual(
				starts.map((start) => asQuery({ filter: { orderId: orders.PLAIN }, order: BY_ID, start })),
			);
			expect(result.items.map((item) => item.json.id)).toEqual(ids.slice(0, count));
			for (const item of result.items) expect(item.pairedItem).toEqual({ item: 0 });
		});

		test('the default Limit is 50: one request', async () => {
			const ids = emulator.seedOrderPayments(120);
			const result = await runNode({ emulator, auth, parameters: getMany({ filters: { orderId: orders.PLAIN } }) });

			expect(result.error).toBeUndefined();
			expect(listCalls().map((call) => call.params.start)).toEqual([0]);
			expect(emulator.restCalls()).toHaveLength(1);
			expect(result.items.map((item) => item.json.id)).toEqual(ids.slice(0, 50));
		});

		test('every filter is sent under `filter` and the portal applies them: only matching payments come out', async () => {
			const match = (overrides: IDataObject = {}) =>
				emulator.seedOrderPayments(1, {
					paid: 'Y',
					paySystemId: paySystems.CASH,
					paySystemName: 'Cash',
					sum: 150,
					currency: 'USD',
					datePaid: '2024-05-10T12:00:00+03:00',
					...overrides,
				})[0];
			const wanted = [match(), match({ sum: 100 }), match({ sum: 300, datePaid: '2024-05-31T23:59:59+03:00' })];
			match({ paid: 'N', datePaid: null });
			match({ paySystemId: paySystems.BANK_TRANSFER, paySystemName: 'Bank Transfer (Company)' });
			match({ sum: 99.99 });
			match({ sum: 300.01 });
			match({ currency: 'EUR' });
			match({ orderId: orders.SECOND });
			match({ datePaid: '2024-06-01T00:00:00+03:00' });
			// 06:30 in Moscow is 23:30 the day before in New York, the workflow's zone: before "Paid After".
			match({ datePaid: '2024-05-01T06:30:00+03:00' });
			const justInTime = match({ datePaid: '2024-05-01T07:00:00+03:00' });

			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({
					returnAll: true,
					filters: {
						orderId: orders.PLAIN,
						paid: 'Y',
						paySystemId: paySystems.CASH,
						sumFrom: 100,
						sumTo: 300,
						currency: 'USD',
						// Without an offset: the workflow's zone (America/New_York, -04:00 in May).
						datePaidFrom: '2024-05-01T00:00:00',
						datePaidTo: '2024-05-31T23:59:59+03:00',
					},
				}),
			});

			expect(result.error).toBeUndefined();
			const calls = listCalls();
			expect(calls).toHaveLength(1);
			expect(calls[0].params).toEqual({
				filter: {
					orderId: orders.PLAIN,
					paid: 'Y',
					paySystemId: paySystems.CASH,
					'>=sum': 100,
					'<=sum': 300,
					currency: 'USD',
					'>=datePaid': '2024-05-01T00:00:00-04:00',
					'<=datePaid': '2024-05-31T23:59:59+03:00',
				},
				order: BY_ID,
				start: 0,
			});
			expect(result.items.map((item) => item.json.id)).toEqual([...wanted, justInTime]);
		});

		test('the Custom Filter (JSON) joins the other filters', async () => {
			const [refund, other] = emulator.seedOrderPayments(2);
			const [cashRefund] = emulator.seedOrderPayments(1, { paySystemId: paySystems.CASH, paySystemName: 'Cash' });
			emulator.state.payments.get(refund)!.comments = 'Partial REFUND to card';
			emulator.state.payments.get(other)!.comments = 'Paid by wire';
			emulator.state.payments.get(cashRefund)!.comments = 'refund in cash';

			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({
					returnAll: true,
					filters: { orderId: orders.PLAIN, custom: '{"%comments": "refund", "!paySystemId": 1}' },
				}),
			});

			expect(result.error).toBeUndefined();
			expect(listCalls().map((call) => call.params)).toEqual([
				{ filter: { orderId: orders.PLAIN, '%comments': 'refund', '!paySystemId': 1 }, order: BY_ID, start: 0 },
			]);
			expect(result.items.map((item) => item.json.id)).toEqual([refund]);
		});

		test('Sort and Fields are sent on every page and applied', async () => {
			const ids = emulator.seedOrderPayments(60);
			// Sums 1..60 in an order that differs from the ids'.
			ids.forEach((id, index) => (emulator.state.payments.get(id)!.sum = ((index * 37) % 60) + 1));

			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({
					returnAll: true,
					filters: { orderId: orders.PLAIN },
					options: { orderBy: 'sum', orderDirection: 'DESC', select: ['id', 'sum', 'paid'] },
				}),
			});

			expect(result.error).toBeUndefined();
			const sent = { filter: { orderId: orders.PLAIN }, order: { sum: 'DESC', id: 'ASC' }, select: ['id', 'sum', 'paid'] };
			expect(listCalls().map((call) => call.params)).toEqual([
				{ ...sent, start: 0 },
				{ ...sent, start: 50 },
			]);
			// Sort after sum, then id: the order of the keys is the order of the sort.
			expect(Object.keys(listCalls()[1].params.order as object)).toEqual(['sum', 'id']);
			expect(result.items).toHaveLength(60);
			expect(result.items.map((item) => item.json.sum)).toEqual(Array.from({ length: 60 }, (_, index) => 60 - index));
			for (const item of result.items) {
				expect(Object.keys(item.json).sort()).toEqual(['id', 'paid', 'sum']);
				expect(emulator.state.payments.get(item.json.id as number)!.sum).toBe(item.json.sum);
			}
		});

		// The portal converts these keys with TO_SNAKE_DIGIT and maps ID_1_C back to ID_1C (Sale\Rest\Entity\Base).
		test('the 1C fields can be selected and sorted by', async () => {
			const ids = emulator.seedOrderPayments(3);
			ids.forEach((id, index) => (emulator.state.payments.get(id)!.id1c = `1c-${index}`));

			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({
					filters: { orderId: orders.PLAIN },
					options: { orderBy: 'id1c', orderDirection: 'DESC', select: ['id', 'id1c', 'updated1c'] },
				}),
			});

			expect(result.error).toBeUndefined();
			expect(listCalls()[0].params).toMatchObject({ order: { id1c: 'DESC' }, select: ['id', 'id1c', 'updated1c'] });
			expect(result.items.map((item) => item.json)).toEqual(
				[...ids].reverse().map((id, index) => ({ id, id1c: `1c-${2 - index}`, updated1c: 'N' })),
			);
		});

		test('without Simplify every field comes out, the main ones first (id, order, paid, sum, currency, dates...): what the table shows', async () => {
			const result = await runNode({ emulator, auth, parameters: getMany({ filters: { orderId: orders.MAIN } }) });

			expect(result.error).toBeUndefined();
			for (const item of result.items) {
				expect(Object.keys(item.json).slice(0, SIMPLE_KEYS.length)).toEqual(SIMPLE_KEYS);
				expect(Object.keys(item.json)).toHaveLength(44);
			}
		});

		test('Simplify keeps the main fields of each payment', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ filters: { orderId: orders.MAIN }, options: { simplify: true } }),
			});

			expect(result.error).toBeUndefined();
			const listed = answerOf(onlyCall('sale.payment.list')).payments as IDataObject[];
			expect(listed.map((payment) => payment.id)).toEqual([payments.SALE_DOC, payments.UNPAID, payments.UNPAID_2, payments.PAID]);
			expect(result.items).toEqual(
				listed.map((payment) => ({
					json: Object.fromEntries(SIMPLE_KEYS.map((key) => [key, payment[key]])),
					pairedItem: { item: 0 },
				})),
			);
			for (const item of result.items) expect(Object.keys(item.json)).toEqual(SIMPLE_KEYS);
		});

		test('a filter that matches nothing: no items and no error', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ returnAll: true, filters: { orderId: orders.PLAIN } }),
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([]);
			expect(listCalls().map((call) => call.params)).toEqual([{ filter: { orderId: orders.PLAIN }, order: BY_ID, start: 0 }]);
			expect(answerOf(emulator.restCalls()[0])).toEqual({ payments: [] });
		});

		test('each input item gets its own list, paired with it', async () => {
			const ids = emulator.seedOrderPayments(55);
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ returnAll: true, filters: { orderId: '={{ $json.orderId }}' } }),
				items: itemsOf({ orderId: orders.PLAIN }, { orderId: orders.SECOND }),
			});

			expect(result.error).toBeUndefined();
			// n8n runs the items of a declarative node concurrently: both first pages go in one batch request.
			const sent = listCalls().map((call) => ({ orderId: Number((call.params.filter as IDataObject).orderId), start: Number(call.params.start) }));
			expect(sent.filter((params) => params.orderId === orders.PLAIN).map((params) => params.start)).toEqual([0, 50]);
			expect(sent.filter((params) => params.orderId === orders.SECOND).map((params) => params.start)).toEqual([0]);
			expect(emulator.restCalls()[0].restMethod).toBe('batch');
			expect(sent).toHaveLength(3);
			expect(result.items.map((item) => [item.json.id, item.pairedItem])).toEqual([
				...ids.map((id) => [id, { item: 0 }]),
				[payments.FLAKY, { item: 1 }],
				[payments.HANDLER_FAILS, { item: 1 }],
			]);
		});

		test('without the sale permission: a clear error naming it', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: getMany({ returnAll: true }),
				credentials: crmOnlyCredential(auth),
			});

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toBe(
				`Bitrix24 could not list the order payments: the ${auth === 'webhook' ? 'webhook' : 'app'} lacks the "sale" permission`,
			);
			expect(result.error?.description).toMatch(
				auth === 'webhook'
					? 'Edit the inbound webhook in Bitrix24, tick the Online Store (sale) permission'
					: 'Add the Online Store (sale) permission to the Bitrix24 app',
			);
			expect(result.error?.description).toMatch('insufficient_scope');
			expect(result.error?.httpCode).toBe('401');
			// Over OAuth2, n8n refreshes the token once on a 401 and repeats the call; nothing more.
			const calls = listCalls();
			expect(calls).toHaveLength(auth === 'webhook' ? 1 : 2);
			for (const call of calls) expect(call.status).toBe(401);
		});
	});
});
