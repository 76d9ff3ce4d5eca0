/**
 * The CRM payment surface with each credential type: CRM Payment (Create, Get, Get Many, Update, Get Public URL),
 * Payment Product and Payment Delivery (Add, Get Many, Set Quantity / Set Delivery, Delete). Each test judges what
 * a user would check: the request that reached the portal, what changed there, and the items (or the error) the
 * node gave back.
 */
import type { IBinaryData, INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS, qrPng } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, itemsOf, onlyCall as onlyCallOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments, paySystems, productRows, paymentProducts, shipments, paymentDeliveries } = SEED_IDS;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** The one REST call of a run: the node called exactly this method, once, at the right URL, and it succeeded. */
const onlyCall = (method: string, auth: Auth) => onlyCallOf(emulator, method, auth);

/** A copy of a seeded payment under a new id, for lists that need more rows. */
function clonePayment(fromId: number, changes: { id: number; sum?: number; currency?: string; paid?: 'Y' | 'N' }) {
	const source = emulator.state.payments.get(fromId)!;
	emulator.state.payments.set(changes.id, { ...structuredClone(source), accountNumber: `356/${changes.id}`, ...changes });
}

function addLine(id: number, paymentId: number, entityType: 'BASKET_ITEM' | 'SHIPMENT', entityId: number, quantity: number) {
	emulator.state.payableItems.set(id, { id, paymentId, entityType, entityId, quantity });
}

const sumOf = (paymentId: number) => emulator.state.payments.get(paymentId)!.sum;

describe.each(AUTHS)('with %s credentials', (auth) => {
	describe('CRM Payment', () => {
		test('Create adds an unpaid payment with sum 0 to a deal, with the pay system, and outputs its id', async () => {
			const { dealWithoutOrder: deal } = SEED_IDS;
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'payment',
					operation: 'create',
					entityTypeId: deal.entityTypeId,
					entityId: String(deal.entityId),
					additionalFields: { paySystemId: paySystems.CASH },
				},
			});

			expect(result.error).toBeUndefined();
			const call = onlyCall('crm.item.payment.add', auth);
			expect(call.body).toEqual({
				entityTypeId: deal.entityTypeId,
				entityId: deal.entityId,
				fields: { paySystemId: paySystems.CASH },
			});
			const newId = (call.response as { result: number }).result;
			expect(newId).toBe(payments.HANDLER_FAILS + 1);
			expect(result.items).toEqual([
				{ json: { id: newId, entityTypeId: deal.entityTypeId, entityId: deal.entityId }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payments.get(newId)).toMatchObject({
				paid: 'N',
				sum: 0,
				currency: 'EUR',
				paySystemId: paySystems.CASH,
				paySystemName: 'Cash',
				binding: { entityTypeId: deal.entityTypeId, entityId: deal.entityId },
			});
		});

		test('Create for an invoice without additional fields sends no fields and no pay system', async () => {
			const { smartInvoice } = SEED_IDS;
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'payment', operation: 'create', entityTypeId: 31, entityId: smartInvoice.entityId },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.add', auth).body).toEqual({ entityTypeId: 31, entityId: smartInvoice.entityId });
			const [item] = result.items;
			expect(item.json).toEqual({ id: expect.any(Number), entityTypeId: 31, entityId: smartInvoice.entityId });
			expect(emulator.state.payments.get(item.json.id as number)).toMatchObject({
				paySystemId: 0,
				binding: { entityTypeId: 31, entityId: smartInvoice.entityId },
			});
		});

		test('Get outputs the payment object without the envelope', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'payment', operation: 'get', paymentId: String(payments.PAID) },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.get', auth).body).toEqual({ id: payments.PAID });
			expect(result.items).toEqual([
				{
					json: {
						id: payments.PAID,
						accountNumber: '356/4',
						paid: 'Y',
						datePaid: '2024-05-20T12:32:02+03:00',
						empPaidId: 1,
						paySystemId: paySystems.BANK_TRANSFER,
						sum: 100,
						currency: 'USD',
						paySystemName: 'Bank Transfer (Company)',
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		test('Get Many sends every filter, and only the matching payments come out, one item each', async () => {
			// Deal 10 holds 144 (pay system 1), 1038, 1039 (unpaid, pay system 2) and 1040 (paid). Each filter below
			// is the only one that drops one of them.
			emulator.state.payments.get(payments.UNPAID)!.sum = 20; // below "Amount From"
			emulator.state.payments.get(payments.UNPAID_2)!.sum = 120; // the one that passes every filter
			clonePayment(payments.UNPAID_2, { id: 1060, sum: 500 }); // above "Amount To"
			clonePayment(payments.UNPAID_2, { id: 1061, currency: 'EUR' }); // left out by the custom filter
			const { deal } = SEED_IDS;

			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'payment',
					operation: 'getAll',
					entityTypeId: deal.entityTypeId,
					entityId: deal.entityId,
					filters: {
						paid: 'N',
						paySystemId: paySystems.BANK_TRANSFER,
						sumFrom: 50,
						sumTo: 150,
						custom: '{"!=currency": "EUR"}',
					},
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.list', auth).body).toEqual({
				entityTypeId: deal.entityTypeId,
				entityId: deal.entityId,
				filter: { paid: 'N', paySystemId: paySystems.BANK_TRANSFER, '>=sum': 50, '<=sum': 150, '!=currency': 'EUR' },
			});
			expect(result.items).toEqual([
				{
					json: {
						id: payments.UNPAID_2,
						accountNumber: '356/3',
						paid: 'N',
						datePaid: null,
						empPaidId: null,
						paySystemId: paySystems.BANK_TRANSFER,
						sum: 120,
						currency: 'USD',
						paySystemName: 'Bank Transfer (Company)',
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		test('Get Many sorts as asked, and all payments of the deal come out without filters', async () => {
			emulator.state.payments.get(payments.UNPAID)!.sum = 20;
			emulator.state.payments.get(payments.UNPAID_2)!.sum = 120;
			emulator.state.payments.get(payments.PAID)!.sum = 80;
			const { deal } = SEED_IDS;

			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'payment',
					operation: 'getAll',
					entityTypeId: deal.entityTypeId,
					entityId: deal.entityId,
					options: { orderBy: 'sum', orderDirection: 'DESC' },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.list', auth).body).toEqual({
				entityTypeId: deal.entityTypeId,
				entityId: deal.entityId,
				order: { sum: 'DESC' },
			});
			// By id (the portal's default) it would be 144, 1038, 1039, 1040.
			expect(result.items.map((item) => [item.json.id, item.json.sum, item.pairedItem])).toEqual([
				[payments.UNPAID_2, 120, { item: 0 }],
				[payments.SALE_DOC, 100, { item: 0 }],
				[payments.PAID, 80, { item: 0 }],
				[payments.UNPAID, 20, { item: 0 }],
			]);
		});

		test('Update sets paid and the pay system; the portal stamps the date and user', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'payment',
					operation: 'update',
					paymentId: payments.UNPAID,
					updateFields: { paid: 'Y', paySystemId: paySystems.CASH },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.update', auth).body).toEqual({
				id: payments.UNPAID,
				fields: { paid: 'Y', paySystemId: paySystems.CASH },
			});
			expect(result.items).toEqual([{ json: { success: true, paymentId: payments.UNPAID }, pairedItem: { item: 0 } }]);
			const payment = emulator.state.payments.get(payments.UNPAID)!;
			expect(payment).toMatchObject({ paid: 'Y', empPaidId: 1, paySystemId: paySystems.CASH, paySystemName: 'Cash' });
			expect(payment.datePaid).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
		});

		test('Update with paid "No" marks a paid payment unpaid and leaves its pay system', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'payment', operation: 'update', paymentId: payments.PAID, updateFields: { paid: 'N' } },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.update', auth).body).toEqual({ id: payments.PAID, fields: { paid: 'N' } });
			expect(result.items).toEqual([{ json: { success: true, paymentId: payments.PAID }, pairedItem: { item: 0 } }]);
			expect(emulator.state.payments.get(payments.PAID)).toMatchObject({ paid: 'N', paySystemId: paySystems.BANK_TRANSFER });
		});

		test('Get Public URL outputs url, shortUrl and qr, and the QR code as a PNG in "data"', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'payment', operation: 'getPublicUrl', paymentId: payments.UNPAID },
			});

			expect(result.error).toBeUndefined();
			const call = onlyCall('salescenter.payment.getPublicUrl', auth);
			expect(call.body).toEqual({ id: payments.UNPAID });
			const answered = (call.response as { result: { payment: { url: string; shortUrl: string; qr: string } } }).result.payment;
			expect(answered.url).toMatch(new RegExp(`^${emulator.baseUrl}/pub/payment/[0-9a-f]{32}/$`));
			expect(answered.shortUrl).toMatch(new RegExp(`^${emulator.baseUrl}/~\\w{5}$`));

			expect(result.items).toHaveLength(1);
			const [item] = result.items;
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toEqual({ paymentId: payments.UNPAID, url: answered.url, shortUrl: answered.shortUrl, qr: answered.qr });
			// The emulator draws the QR code of the short link.
			const png = qrPng(answered.shortUrl);
			expect(item.json.qr).toBe(png.toString('base64'));

			expect(Object.keys(item.binary ?? {})).toEqual(['data']);
			const image = item.binary!.data as IBinaryData;
			expect(image).toMatchObject({
				mimeType: 'image/png',
				fileExtension: 'png',
				fileName: `payment-${payments.UNPAID}-qr.png`,
			});
			const bytes = Buffer.from(image.data, 'base64');
			expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
			expect(bytes.equals(png)).toBe(true);
			expect(bytes.equals(Buffer.from(answered.qr, 'base64'))).toBe(true);
		});

		test('Get Public URL puts the QR code in the binary field named in the options', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'payment',
					operation: 'getPublicUrl',
					paymentId: payments.PAID,
					options: { binaryPropertyName: 'qrImage' },
				},
			});

			expect(result.error).toBeUndefined();
			onlyCall('salescenter.payment.getPublicUrl', auth);
			const [item] = result.items;
			expect(Object.keys(item.binary ?? {})).toEqual(['qrImage']);
			const bytes = Buffer.from((item.binary!.qrImage as IBinaryData).data, 'base64');
			expect(bytes.equals(qrPng(item.json.shortUrl as string))).toBe(true);
			expect(item.binary!.qrImage.fileName).toBe(`payment-${payments.PAID}-qr.png`);
		});

		test('Get Public URL of an unknown payment fails as not found', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'payment', operation: 'getPublicUrl', paymentId: 9999 },
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe('Bitrix24 could not get the public payment link: order payment 9999 was not found');
			expect(result.error?.description).toContain('error 200640400001: "payment is not exists"');
			expect(onlyCall('salescenter.payment.getPublicUrl', auth).status).toBe(400);
		});
	});

	describe('Payment Product', () => {
		test('Add sends paymentId, rowId and quantity; the line is stored and the payment sum recalculated', async () => {
			// Row 501 holds 3, one of them is already in payment 1038: two are left.
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paymentProduct',
					operation: 'create',
					paymentId: String(payments.UNPAID_2),
					rowId: String(productRows.ROW_A),
					quantity: 2,
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.product.add', auth).body).toEqual({
				paymentId: payments.UNPAID_2,
				rowId: productRows.ROW_A,
				quantity: 2,
			});
			const newId = paymentDeliveries.ON_PAID + 1;
			expect(result.items).toEqual([
				{ json: { id: newId, paymentId: payments.UNPAID_2, rowId: productRows.ROW_A }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payableItems.get(newId)).toEqual({
				id: newId,
				paymentId: payments.UNPAID_2,
				entityType: 'BASKET_ITEM',
				entityId: productRows.ROW_A,
				quantity: 2,
			});
			expect(sumOf(payments.UNPAID_2)).toBe(40); // 2 x 20
		});

		test('Add refuses a fractional quantity before sending: the portal would drop the fraction', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'create', paymentId: payments.UNPAID_2, rowId: productRows.ROW_A, quantity: 1.5 },
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe('Quantity must be a positive whole number, not 1.5');
			expect(result.error?.description).toContain('whole number');
			expect(emulator.restCalls()).toEqual([]);
		});

		test('Add more than is left of the row fails with the portal\'s reason', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'create', paymentId: payments.UNPAID_2, rowId: productRows.ROW_A, quantity: 3 },
			});

			expect(result.error?.message).toBe('Bitrix24 could not add the product to the payment: Insufficient product stock.');
			expect(result.error?.httpCode).toBe('400');
			expect(onlyCall('crm.item.payment.product.add', auth).status).toBe(400);
			expect(emulator.state.payableItems.size).toBe(4);
		});

		test('Get Many lists only the product lines of the payment, one item each', async () => {
			addLine(900, payments.UNPAID, 'BASKET_ITEM', productRows.ROW_B, 2);
			addLine(901, payments.UNPAID_2, 'BASKET_ITEM', productRows.ROW_B, 1); // another payment's line

			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'getAll', paymentId: payments.UNPAID },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.product.list', auth).body).toEqual({ paymentId: payments.UNPAID });
			// The delivery line 801 of the same payment is not a product.
			expect(result.items).toEqual([
				{ json: { id: paymentProducts.ON_UNPAID, paymentId: payments.UNPAID, quantity: 1, rowId: productRows.ROW_A }, pairedItem: { item: 0 } },
				{ json: { id: 900, paymentId: payments.UNPAID, quantity: 2, rowId: productRows.ROW_B }, pairedItem: { item: 0 } },
			]);
		});

		test('Get Many sorts by quantity as asked', async () => {
			addLine(900, payments.UNPAID, 'BASKET_ITEM', productRows.ROW_B, 2);

			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paymentProduct',
					operation: 'getAll',
					paymentId: payments.UNPAID,
					options: { orderBy: 'quantity', orderDirection: 'DESC' },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.product.list', auth).body).toEqual({ paymentId: payments.UNPAID, order: { quantity: 'DESC' } });
			expect(result.items.map((item) => item.json.id)).toEqual([900, paymentProducts.ON_UNPAID]);
		});

		test('Get Many of an unknown payment fails as not found', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'getAll', paymentId: 9999 },
			});

			expect(result.error?.message).toBe('Bitrix24 could not list the products of the payment: payment 9999 was not found');
			expect(result.error?.description).toContain('error 0: "Payment has not been found"');
			expect(onlyCall('crm.item.payment.product.list', auth).body).toEqual({ paymentId: 9999 });
		});

		test('Set Quantity sends id and quantity; the line and the payment sum change', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: String(paymentProducts.ON_UNPAID), quantity: 3 },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.product.setQuantity', auth).body).toEqual({ id: paymentProducts.ON_UNPAID, quantity: 3 });
			expect(result.items).toEqual([
				{ json: { success: true, paymentProductId: paymentProducts.ON_UNPAID }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payableItems.get(paymentProducts.ON_UNPAID)!.quantity).toBe(3);
			expect(sumOf(payments.UNPAID)).toBe(70); // 3 x 20 + the delivery line 801 (10)
		});

		test('Set Quantity refuses 0.5 before sending: the portal would read it as 0', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: paymentProducts.ON_UNPAID, quantity: 0.5 },
			});

			expect(result.error?.message).toBe('Quantity must be a positive whole number, not 0.5');
			expect(emulator.restCalls()).toEqual([]);
			expect(emulator.state.payableItems.get(paymentProducts.ON_UNPAID)!.quantity).toBe(1);
		});

		test('Delete removes the line and says so; the payment sum drops', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'delete', paymentProductId: paymentProducts.ON_UNPAID },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.product.delete', auth).body).toEqual({ id: paymentProducts.ON_UNPAID });
			expect(result.items).toEqual([
				{ json: { deleted: true, paymentProductId: paymentProducts.ON_UNPAID }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payableItems.has(paymentProducts.ON_UNPAID)).toBe(false);
			expect(sumOf(payments.UNPAID)).toBe(10); // only the delivery line 801 is left
		});
	});

	describe('Payment Delivery', () => {
		test('Add sends paymentId and deliveryId; the line is stored with quantity 1 and the sum recalculated', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentDelivery', operation: 'create', paymentId: String(payments.UNPAID_2), deliveryId: shipments.MAIN },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.delivery.add', auth).body).toEqual({ paymentId: payments.UNPAID_2, deliveryId: shipments.MAIN });
			const newId = paymentDeliveries.ON_PAID + 1;
			expect(result.items).toEqual([
				{ json: { id: newId, paymentId: payments.UNPAID_2, deliveryId: shipments.MAIN }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payableItems.get(newId)).toEqual({
				id: newId,
				paymentId: payments.UNPAID_2,
				entityType: 'SHIPMENT',
				entityId: shipments.MAIN,
				quantity: 1,
			});
			expect(sumOf(payments.UNPAID_2)).toBe(10);
		});

		test('Get Many lists only the delivery lines of the payment', async () => {
			addLine(900, payments.UNPAID, 'SHIPMENT', shipments.SECOND, 1);
			addLine(901, payments.UNPAID_2, 'SHIPMENT', shipments.SECOND, 1);

			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentDelivery', operation: 'getAll', paymentId: payments.UNPAID },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.delivery.list', auth).body).toEqual({ paymentId: payments.UNPAID });
			// The product line 701 of the same payment is not a delivery.
			expect(result.items).toEqual([
				{ json: { id: paymentDeliveries.ON_UNPAID, paymentId: payments.UNPAID, quantity: 1, deliveryId: shipments.MAIN }, pairedItem: { item: 0 } },
				{ json: { id: 900, paymentId: payments.UNPAID, quantity: 1, deliveryId: shipments.SECOND }, pairedItem: { item: 0 } },
			]);
		});

		test('Get Many sorts by id descending as asked', async () => {
			addLine(900, payments.UNPAID, 'SHIPMENT', shipments.SECOND, 1);

			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paymentDelivery',
					operation: 'getAll',
					paymentId: payments.UNPAID,
					options: { orderBy: 'id', orderDirection: 'DESC' },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.delivery.list', auth).body).toEqual({ paymentId: payments.UNPAID, order: { id: 'DESC' } });
			expect(result.items.map((item) => item.json.id)).toEqual([900, paymentDeliveries.ON_UNPAID]);
		});

		test('Set Delivery points the line at another delivery; the payment sum follows its price', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paymentDelivery',
					operation: 'setDelivery',
					paymentDeliveryId: String(paymentDeliveries.ON_UNPAID),
					deliveryId: shipments.SECOND,
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.delivery.setDelivery', auth).body).toEqual({ id: paymentDeliveries.ON_UNPAID, deliveryId: shipments.SECOND });
			expect(result.items).toEqual([
				{
					json: { success: true, paymentDeliveryId: paymentDeliveries.ON_UNPAID, deliveryId: shipments.SECOND },
					pairedItem: { item: 0 },
				},
			]);
			expect(emulator.state.payableItems.get(paymentDeliveries.ON_UNPAID)!.entityId).toBe(shipments.SECOND);
			expect(sumOf(payments.UNPAID)).toBe(25); // product line 701 (20) + the pickup point (5)
		});

		test('Delete removes the line and says so; the payment sum drops', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentDelivery', operation: 'delete', paymentDeliveryId: paymentDeliveries.ON_UNPAID },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('crm.item.payment.delivery.delete', auth).body).toEqual({ id: paymentDeliveries.ON_UNPAID });
			expect(result.items).toEqual([
				{ json: { deleted: true, paymentDeliveryId: paymentDeliveries.ON_UNPAID }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payableItems.has(paymentDeliveries.ON_UNPAID)).toBe(false);
			expect(sumOf(payments.UNPAID)).toBe(20);
		});
	});

	describe('lines of a paid payment never change: the portal answers ACCESS_DENIED, even to an admin', () => {
		const cases: Array<[string, string, INodeParameters, string]> = [
			[
				'Payment Product > Add',
				'crm.item.payment.product.add',
				{ resource: 'paymentProduct', operation: 'create', paymentId: payments.PAID, rowId: productRows.ROW_A, quantity: 1 },
				'add the product to the payment',
			],
			[
				'Payment Product > Set Quantity',
				'crm.item.payment.product.setQuantity',
				{ resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: paymentProducts.ON_PAID, quantity: 2 },
				'change the product quantity',
			],
			[
				'Payment Product > Delete',
				'crm.item.payment.product.delete',
				{ resource: 'paymentProduct', operation: 'delete', paymentProductId: paymentProducts.ON_PAID },
				'remove the product from the payment',
			],
			[
				'Payment Delivery > Add',
				'crm.item.payment.delivery.add',
				{ resource: 'paymentDelivery', operation: 'create', paymentId: payments.PAID, deliveryId: shipments.MAIN },
				'add the delivery to the payment',
			],
			[
				'Payment Delivery > Set Delivery',
				'crm.item.payment.delivery.setDelivery',
				{ resource: 'paymentDelivery', operation: 'setDelivery', paymentDeliveryId: paymentDeliveries.ON_PAID, deliveryId: shipments.MAIN },
				'change the delivery',
			],
			[
				'Payment Delivery > Delete',
				'crm.item.payment.delivery.delete',
				{ resource: 'paymentDelivery', operation: 'delete', paymentDeliveryId: paymentDeliveries.ON_PAID },
				'remove the delivery from the payment',
			],
		];

		test.each(cases)('%s fails with a NodeApiError that quotes the portal, and nothing changes', async (_name, method, parameters, action) => {
			const linesBefore = structuredClone([...emulator.state.payableItems.values()]);
			const result = await runNode({ emulator, auth, parameters });

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toBe(`Bitrix24 could not ${action}: access denied`);
			expect(result.error?.description).toContain('Bitrix24 answered HTTP 403, error ACCESS_DENIED: "Access denied.".');
			expect(result.error?.httpCode).toBe('403');
			expect(onlyCall(method, auth).status).toBe(403);
			expect([...emulator.state.payableItems.values()]).toEqual(linesBefore);
			expect(sumOf(payments.PAID)).toBe(100);
		});

		// Bitrix24 refuses line changes of a paid payment even for an admin: the hint says so.
		test.each(cases)('%s: the hint names the paid payment as the likely cause', async (_name, _method, parameters) => {
			const result = await runNode({ emulator, auth, parameters });
			expect(result.error?.description).toMatch(/paid/i);
			expect(result.error?.description).toMatch(/unpaid/i);
		});

		test('under Continue On Fail the paid line becomes an error item and the next item still runs', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: '={{ $json.line }}', quantity: 2 },
				items: itemsOf({ line: paymentProducts.ON_PAID }, { line: paymentProducts.ON_UNPAID }),
				continueOnFail: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => [item.json, item.pairedItem])).toEqual([
				[{ error: 'Bitrix24 could not change the product quantity: access denied' }, { item: 0 }],
				[{ success: true, paymentProductId: paymentProducts.ON_UNPAID }, { item: 1 }],
			]);
			// One batch request; inside it the portal refused the first command only.
			expect(emulator.restCalls().map((call) => [call.restMethod, call.status])).toEqual([['batch', 200]]);
			expect(emulator.methodCalls().map((call) => [call.params.id, call.error])).toEqual([
				[String(paymentProducts.ON_PAID), 'ACCESS_DENIED'],
				[String(paymentProducts.ON_UNPAID), undefined],
			]);
			expect(emulator.state.payableItems.get(paymentProducts.ON_PAID)!.quantity).toBe(1);
			expect(emulator.state.payableItems.get(paymentProducts.ON_UNPAID)!.quantity).toBe(2);
		});

		test('under Continue On Fail a paid delivery line becomes an error item and the next item still runs', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paymentDelivery', operation: 'delete', paymentDeliveryId: '={{ $json.line }}' },
				items: itemsOf({ line: paymentDeliveries.ON_PAID }, { line: paymentDeliveries.ON_UNPAID }),
				continueOnFail: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => [item.json, item.pairedItem])).toEqual([
				[{ error: 'Bitrix24 could not remove the delivery from the payment: access denied' }, { item: 0 }],
				[{ deleted: true, paymentDeliveryId: paymentDeliveries.ON_UNPAID }, { item: 1 }],
			]);
			expect(emulator.state.payableItems.has(paymentDeliveries.ON_PAID)).toBe(true);
			expect(emulator.state.payableItems.has(paymentDeliveries.ON_UNPAID)).toBe(false);
		});
	});

	describe('something other than the payment is not found: the portal\'s reason reaches the user', () => {
		const cases: Array<[string, string, INodeParameters, string, string, RegExp]> = [
			[
				'CRM Payment > Update to an unknown pay system',
				'crm.item.payment.update',
				{ resource: 'payment', operation: 'update', paymentId: payments.UNPAID, updateFields: { paySystemId: 99 } },
				'update the payment',
				'Payment system has not been found',
				/pay system/i,
			],
			[
				'Payment Product > Add of a row of another deal',
				'crm.item.payment.product.add',
				{ resource: 'paymentProduct', operation: 'create', paymentId: payments.UNPAID_2, rowId: productRows.OTHER_DEAL_ROW, quantity: 1 },
				'add the product to the payment',
				'Product was not found.',
				/product/i,
			],
			[
				'Payment Product > Set Quantity of a delivery line',
				'crm.item.payment.product.setQuantity',
				{ resource: 'paymentProduct', operation: 'setQuantity', paymentProductId: paymentDeliveries.ON_UNPAID, quantity: 1 },
				'change the product quantity',
				'Payable item has not been found',
				/payment product/i,
			],
			[
				'Payment Delivery > Add of a delivery of another order',
				'crm.item.payment.delivery.add',
				{ resource: 'paymentDelivery', operation: 'create', paymentId: payments.UNPAID_2, deliveryId: shipments.OTHER_ORDER },
				'add the delivery to the payment',
				'Shipment was not found',
				/delivery|shipment/i,
			],
		];

		test.each(cases)('%s fails, quoting Bitrix24, and nothing changes', async (_name, method, parameters, action, said) => {
			const paymentsBefore = structuredClone([...emulator.state.payments.values()]);
			const linesBefore = structuredClone([...emulator.state.payableItems.values()]);
			const result = await runNode({ emulator, auth, parameters });

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toMatch(new RegExp(`^Bitrix24 could not ${action}: `));
			expect(result.error?.description).toContain(`Bitrix24 answered HTTP 400, error 0: "${said}".`);
			expect(result.error?.httpCode).toBe('400');
			expect(onlyCall(method, auth).status).toBe(400);
			expect([...emulator.state.payments.values()]).toEqual(paymentsBefore);
			expect([...emulator.state.payableItems.values()]).toEqual(linesBefore);
		});

		test.each(cases)('%s: the message names what was missing, not the payment', async (_name, _method, parameters, _action, _said, missing) => {
			const result = await runNode({ emulator, auth, parameters });
			expect(result.error?.message).not.toMatch(/payment( \d+)? was not found/);
			expect(result.error?.message).toMatch(missing);
			expect(result.error?.description).not.toContain('Check the Payment ID');
		});
	});

	describe('payment ids from expressions (a plain ID field, not a resource locator: no URL form)', () => {
		const byExpression: Array<[string, string, INodeParameters, string]> = [
			['CRM Payment > Get', 'crm.item.payment.get', { resource: 'payment', operation: 'get' }, 'id'],
			['CRM Payment > Update', 'crm.item.payment.update', { resource: 'payment', operation: 'update', updateFields: { paid: 'Y' } }, 'id'],
			['CRM Payment > Get Public URL', 'salescenter.payment.getPublicUrl', { resource: 'payment', operation: 'getPublicUrl' }, 'id'],
			['Payment Product > Get Many', 'crm.item.payment.product.list', { resource: 'paymentProduct', operation: 'getAll' }, 'paymentId'],
			[
				'Payment Product > Add',
				'crm.item.payment.product.add',
				{ resource: 'paymentProduct', operation: 'create', rowId: productRows.ROW_A, quantity: 1 },
				'paymentId',
			],
			['Payment Delivery > Get Many', 'crm.item.payment.delivery.list', { resource: 'paymentDelivery', operation: 'getAll' }, 'paymentId'],
			[
				'Payment Delivery > Add',
				'crm.item.payment.delivery.add',
				{ resource: 'paymentDelivery', operation: 'create', deliveryId: shipments.SECOND },
				'paymentId',
			],
		];

		test.each(byExpression)('%s: a number and a padded numeric string each reach the portal as the number', async (_name, method, parameters, key) => {
			// Payment 1039 gets lines too, so that the lists have something to output for both items.
			addLine(900, payments.UNPAID_2, 'BASKET_ITEM', productRows.ROW_B, 1);
			addLine(901, payments.UNPAID_2, 'SHIPMENT', shipments.SECOND, 1);
			const result = await runNode({
				emulator,
				auth,
				parameters: { ...parameters, paymentId: '={{ $json.payment }}' },
				items: itemsOf({ payment: payments.UNPAID }, { payment: ` ${payments.UNPAID_2} ` }),
			});

			expect(result.error).toBeUndefined();
			// Both items go in one batch request: the padded string arrives as the bare number.
			expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['batch']);
			const calls = emulator.methodCalls(method);
			expect(calls.map((call) => [call.params[key], call.ran, call.error])).toEqual([
				[String(payments.UNPAID), true, undefined],
				[String(payments.UNPAID_2), true, undefined],
			]);
			// Every output item is paired with the input item it came from.
			const paired = result.items.map((item) => (item.pairedItem as { item: number }).item);
			expect(new Set(paired)).toEqual(new Set([0, 1]));
			expect(result.items.length).toBeGreaterThanOrEqual(2);
		});
	});
});
