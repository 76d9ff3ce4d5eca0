/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator check: a node:http receiver stands in for a REST pay system handler's ACTION_URI, never shipped */
// The buyer's checkout over real HTTP (emu.buyer.pay, checkout.ts): what the portal posts to a REST handler's
// CHECKOUT_DATA.ACTION_URI (body, headers, BX_SYSTEM_PARAMS), how it reads the answer (PAYMENT_URL, PAYMENT_ID,
// PAYMENT_ERRORS, statuses, bad JSON), the transport (timeout, refused, redirect), when it posts nothing (the form
// for missing inputs, other modes); and sale.persontype.list.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as osConstants } from 'node:os';

import { Bitrix24Emulator, SEED_IDS, type CheckoutResult } from './server';

type Answer = { status: number; json: Record<string, unknown> };
type Seen = { method: string; url: string; rawHeaders: string[]; body: string };
type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

const P = SEED_IDS.payments;
const DATA_MISSING = 'Error registering order in payment system';

let emu: Bitrix24Emulator;
let hook: string;
let receiverUrl = '';
let seen: Seen[] = [];
let reply: (path: string) => Reply = () => ({ status: 200, body: '{}' });
const receiver = http.createServer((req, res) => {
	const chunks: Buffer[] = [];
	req.on('data', (c: Buffer) => chunks.push(c));
	req.on('end', () => {
		const path = req.url ?? '/';
		seen.push({ method: req.method ?? '', url: path, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
		const r = reply(path);
		if (r === 'hang') return; // never answers
		res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
		res.end(r.body ?? '');
	});
});

async function rest(method: string, params: Record<string, unknown> = {}, url = hook): Promise<Answer> {
	const res = await fetch(`${url}${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
	return { status: res.status, json: JSON.parse(await res.text()) as Record<string, unknown> };
}

let handlers = 0;
/** A REST handler (sale.paysystem.handler.add) and an ORDER pay system running it (sale.paysystem.add). */
async function addPaySystem(settings: Record<string, unknown>, values: Record<string, unknown> = {}): Promise<number> {
	const code = `checkout_${++handlers}`;
	const codes = { REST_SERVICE_ID_CHECKOUT: { NAME: 'Store' }, REST_SERVICE_KEY_CHECKOUT: { NAME: 'Key' } };
	const added = await rest('sale.paysystem.handler.add', { NAME: 'Checkout', CODE: code, SETTINGS: { CODES: codes, ...settings } });
	expect(added.status).toBe(200);
	const ps = await rest('sale.paysystem.add', {
		NAME: 'Card checkout', BX_REST_HANDLER: code, PERSON_TYPE_ID: 1, ENTITY_REGISTRY_TYPE: 'ORDER', ACTIVE: 'Y', SETTINGS: values,
	});
	expect(ps.status).toBe(200);
	return ps.json.result as number;
}

/** The docs' checkout handler: serviceKey and serviceid from business values. */
const checkoutData = (path = '/checkout', fields: Record<string, unknown> = {}) => ({
	CHECKOUT_DATA: {
		ACTION_URI: `${receiverUrl}${path}`,
		FIELDS: { serviceKey: { CODE: 'REST_SERVICE_KEY_CHECKOUT' }, serviceid: { CODE: 'REST_SERVICE_ID_CHECKOUT' }, ...fields },
	},
});
const values = { REST_SERVICE_ID_CHECKOUT: { TYPE: 'VALUE', VALUE: 'shop 7' }, REST_SERVICE_KEY_CHECKOUT: { TYPE: 'VALUE', VALUE: ' s3cr&t/+ ' } };

const payment = async (id: number) => ((await rest('sale.payment.get', { id })).json.result as { payment: Record<string, unknown> }).payment;
const headerPairs = (raw: string[]) => raw.reduce<string[][]>((pairs, v, i) => (i % 2 ? pairs : [...pairs, [v, raw[i + 1]]]), []);

beforeAll(async () => {
	emu = await Bitrix24Emulator.start({ bucket: null });
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
beforeEach(() => {
	hook = emu.webhookUrl();
});
afterEach(async () => {
	await emu.deliveriesSettled();
	emu.reset();
	seen = [];
	reply = () => ({ status: 200, body: '{}' });
	receiver.closeAllConnections();
});
afterAll(async () => {
	await emu.stop();
	await new Promise<void>((resolve) => {
		receiver.close(() => resolve());
		receiver.closeAllConnections();
	});
});

test('the POST: form body as http_build_query writes it, HttpClient headers in order, FIELDS from business values; PS_INVOICE_ID stored', async () => {
	const ps = await addPaySystem(
		{
			...checkoutData('/checkout?shop=1', {
				accountNumber: { CODE: 'PAYMENT_NUMBER' }, // the code's DEFAULT: the payment's ACCOUNT_NUMBER
				nothing: { CODE: 'NOT_A_CODE' }, // a string CODE is always "present", its null value not posted
				comment: { CODE: { NAME: 'Comment', INPUT: { TYPE: 'STRING' } } }, // filled in by the buyer
			}),
			CODES: {
				REST_SERVICE_ID_CHECKOUT: { NAME: 'Store' },
				REST_SERVICE_KEY_CHECKOUT: { NAME: 'Key' },
				PAYMENT_NUMBER: { NAME: 'Number', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'ACCOUNT_NUMBER' } },
			},
		},
		values,
	);
	reply = () => ({ status: 200, body: '{"PAYMENT_URL":"https://pay.example/abc","PAYMENT_ID":"inv-1"}' });

	const result = await emu.buyer.pay(P.UNPAID, { paySystemId: ps, returnUrl: 'https://shop.example/pay?order=356&x=1', fields: { comment: '' } });

	expect(result).toEqual({
		kind: 'url',
		paymentUrl: 'https://pay.example/abc',
		paymentId: 'inv-1',
		html: '<a class="btn btn-lg btn-success" style="border-radius: 32px;" href="https://pay.example/abc">Pay</a>',
	});
	expect(seen).toHaveLength(1);
	const body =
		'serviceKey=s3cr%26t%2F%2B&serviceid=shop+7&accountNumber=356%2F2&comment=' +
		'&BX_SYSTEM_PARAMS%5BRETURN_URL%5D=https%3A%2F%2Fshop.example%2Fpay%3Forder%3D356%26x%3D1' +
		`&BX_SYSTEM_PARAMS%5BPAYSYSTEM_ID%5D=${ps}&BX_SYSTEM_PARAMS%5BPAYMENT_ID%5D=1038` +
		'&BX_SYSTEM_PARAMS%5BSUM%5D=100&BX_SYSTEM_PARAMS%5BCURRENCY%5D=USD';
	expect(seen[0]).toMatchObject({ method: 'POST', url: '/checkout?shop=1', body });
	expect(headerPairs(seen[0].rawHeaders)).toEqual([
		['Host', '127.0.0.1'], // the host only: HttpClient's Request takes Uri::getHost()
		['Connection', 'close'],
		['Accept', '*/*'],
		['Accept-Language', 'en'],
		['Content-Type', 'application/x-www-form-urlencoded'],
		['Content-Length', String(Buffer.byteLength(body))],
	]);
	const [record] = emu.checkouts;
	expect(record).toMatchObject({
		paymentId: P.UNPAID, paySystemId: ps, actionUri: `${receiverUrl}/checkout?shop=1`, body, status: 200, redirects: [],
		answer: '{"PAYMENT_URL":"https://pay.example/abc","PAYMENT_ID":"inv-1"}', result,
	});
	expect(record.params).toEqual({
		serviceKey: 's3cr&t/+', // trimmed business value
		serviceid: 'shop 7',
		accountNumber: '356/2',
		comment: '',
		BX_SYSTEM_PARAMS: { RETURN_URL: 'https://shop.example/pay?order=356&x=1', PAYSYSTEM_ID: String(ps), PAYMENT_ID: '1038', SUM: '100', CURRENCY: 'USD' },
	});
	expect(record.headers).toEqual(Object.fromEntries(headerPairs(seen[0].rawHeaders)));
	// The pay system the buyer chose is the payment's now, and PAYMENT_ID its PS_INVOICE_ID.
	expect(await payment(P.UNPAID)).toMatchObject({ paySystemId: ps, paySystemName: 'Card checkout', psInvoiceId: 'inv-1' });
});

test('again: EXTERNAL_PAYMENT_ID carries the stored PS_INVOICE_ID, a new PAYMENT_ID overwrites it; each change is a save that fires', async () => {
	const ps = await addPaySystem(checkoutData(), values);
	emu.addOutgoingWebhook({ handler: `${receiverUrl}/events`, events: ['ONPAYMENTENTITYSAVED'] });
	emu.state.payments.get(P.UNPAID_2)!.sum = 12.5; // not a portal save: fires nothing
	let id = 'inv-1';
	reply = (path) => (path === '/events' ? { status: 200 } : { status: 200, body: JSON.stringify({ PAYMENT_URL: 'https://pay.example/1', PAYMENT_ID: id }) });
	const checkouts = () => seen.filter((s) => s.url === '/checkout').map((s) => new URLSearchParams(s.body));

	await emu.buyer.pay(P.UNPAID_2, { paySystemId: ps });
	await emu.deliveriesSettled();
	// The pay system set (updatePaymentMetadata's save), then PS_INVOICE_ID (Service::initiatePay's save).
	expect(emu.deliveries().map((d) => d.paymentId)).toEqual([P.UNPAID_2, P.UNPAID_2]);
	expect(checkouts()[0].get('BX_SYSTEM_PARAMS[SUM]')).toBe('12.5');
	expect(checkouts()[0].has('BX_SYSTEM_PARAMS[EXTERNAL_PAYMENT_ID]')).toBe(false);
	// RETURN_URL by default: the payment's public page.
	const page = (await rest('salescenter.payment.getPublicUrl', { id: P.UNPAID_2 })).json.result as { payment: { url: string } };
	expect(checkouts()[0].get('BX_SYSTEM_PARAMS[RETURN_URL]')).toBe(page.payment.url);

	id = 'inv-2';
	await emu.buyer.pay(P.UNPAID_2, { paySystemId: ps });
	expect(checkouts()[1].get('BX_SYSTEM_PARAMS[EXTERNAL_PAYMENT_ID]')).toBe('inv-1');
	expect((await payment(P.UNPAID_2)).psInvoiceId).toBe('inv-2');
	await emu.buyer.pay(P.UNPAID_2); // the same answer again: nothing changes, nothing fires
	expect(checkouts()[2].get('BX_SYSTEM_PARAMS[EXTERNAL_PAYMENT_ID]')).toBe('inv-2');
	await emu.deliveriesSettled();
	expect(emu.deliveries()).toHaveLength(3);
	expect(emu.checkouts.map((c) => c.result.kind)).toEqual(['url', 'url', 'url']);
});

test('the answer: only 200 is read, keys in any case, both PAYMENT_URL and PAYMENT_ID non-empty, else PAYMENT_ERRORS or the default error', async () => {
	const ps = await addPaySystem(checkoutData(), values);
	const errors = (...details: Array<{ message: string; code: string | number }>): CheckoutResult => ({
		kind: 'errors',
		errors: details.map((d) => d.message),
		details,
	});
	const error = (...messages: string[]) => errors(...messages.map((message) => ({ message, code: 0 })));
	const decoding = errors({ message: 'Response decoding error', code: 'RESPONSE_DECODING_ERROR' });
	const fatal = (type: string) => ({
		...errors({ code: 'PHP_FATAL_ERROR', message: `PHP Fatal error: Uncaught TypeError: array_change_key_case(): Argument #1 ($array) must be of type array, ${type} given` }),
		fatal: true,
	});
	const cases: Array<[number, string, unknown]> = [
		[200, '{"PAYMENT_URL":"https://pay.example/x","PAYMENT_ID":"0"}', error(DATA_MISSING)], // "0" is empty()
		[200, '{"PAYMENT_URL":"","PAYMENT_ID":"p-1"}', error(DATA_MISSING)],
		[200, '{"PAYMENT_ERRORS":["Card declined","Try later"]}', error('Card declined', 'Try later')],
		[200, '{"PAYMENT_URL":"https://pay.example/x","payment_errors":{"a":"Shop closed"}}', error('Shop closed')],
		[200, '{"PAYMENT_ERRORS":[]}', error(DATA_MISSING)],
		[200, '{"PAYMENT_ERRORS":"Card declined"}', error(DATA_MISSING)], // not an array: ignored
		[200, '[]', error(DATA_MISSING)],
		[201, '{"PAYMENT_URL":"https://pay.example/x","PAYMENT_ID":"p-1"}', error(DATA_MISSING)],
		[500, '{"PAYMENT_ERRORS":["boom"]}', error(DATA_MISSING)],
		[200, 'PAYMENT_URL=https://pay.example/x', decoding],
		[200, '', decoding],
		[200, ' null', decoding], // Json::decode: null from anything but "null" itself
		[200, 'null', fatal('null')],
		[200, '1', fatal('int')],
		[200, '"https://pay.example/x"', fatal('string')],
	];
	for (const [status, body, expected] of cases) {
		reply = () => ({ status, body });
		expect([status, body, await emu.buyer.pay(P.UNPAID, { paySystemId: ps })]).toEqual([status, body, expected]);
	}
	expect(emu.checkouts.map((c) => c.status)).toEqual(cases.map(([status]) => status));
	expect((await payment(P.UNPAID)).psInvoiceId).toBeNull();

	// Keys are upper-cased (the top level only), so lower-case ones work; an int PAYMENT_ID is stored as text.
	reply = () => ({ status: 200, body: '{"payment_url":"https://pay.example/ok","Payment_Id":73}' });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: ps })).toMatchObject({ kind: 'url', paymentUrl: 'https://pay.example/ok', paymentId: '73' });
	expect((await payment(P.UNPAID)).psInvoiceId).toBe('73');
});

test('the transport: a silent handler times out, a refused port, a 302 followed as GET, Basic auth from the URI, a bad scheme', async () => {
	emu.options.checkoutReadTimeoutMs = 150;
	const slow = await addPaySystem(checkoutData('/slow'), values);
	reply = (path) => (path === '/slow' ? 'hang' : { status: 200, body: '{}' });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: slow })).toEqual({
		kind: 'errors',
		errors: ['Stream timeout has been reached.'],
		details: [{ code: 'NETWORK', message: 'Stream timeout has been reached.' }],
	});
	expect(emu.checkouts[0]).toMatchObject({ status: null, answer: null });

	// A port nobody listens on.
	const closed = http.createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
	const port = (closed.address() as AddressInfo).port;
	await new Promise<void>((resolve) => closed.close(() => resolve()));
	const refused = await addPaySystem({ CHECKOUT_DATA: { ACTION_URI: `http://127.0.0.1:${port}/x` } });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: refused })).toMatchObject({
		kind: 'errors',
		details: [{ code: 'NETWORK', message: `[${osConstants.errno.ECONNREFUSED}] Connection refused` }],
	});

	// 302: the same body goes again with GET (no Content-Type; the Content-Length stays).
	seen = [];
	const moved = await addPaySystem(checkoutData('/moved'), values);
	reply = (path) =>
		path === '/moved'
			? { status: 302, headers: { Location: `${receiverUrl}/final` } }
			: { status: 200, body: '{"PAYMENT_URL":"https://pay.example/f","PAYMENT_ID":"f-1"}' };
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: moved })).toMatchObject({ kind: 'url', paymentId: 'f-1' });
	expect(seen.map((s) => [s.method, s.url])).toEqual([['POST', '/moved'], ['GET', '/final']]);
	expect(seen[1].body).toBe(seen[0].body);
	expect(headerPairs(seen[1].rawHeaders).map(([name]) => name)).toEqual(['Host', 'Connection', 'Accept', 'Accept-Language', 'Content-Length']);
	expect(emu.checkouts.at(-1)).toMatchObject({ redirects: [`${receiverUrl}/final`], status: 200 });

	// Userinfo in ACTION_URI: Basic auth, as the URI spells it.
	seen = [];
	const auth = await addPaySystem({ CHECKOUT_DATA: { ACTION_URI: `${receiverUrl.replace('//', '//shop:pa%40ss@')}/auth` } });
	await emu.buyer.pay(P.UNPAID, { paySystemId: auth });
	expect(headerPairs(seen[0].rawHeaders)).toContainEqual(['Authorization', `Basic ${Buffer.from('shop:pa%40ss').toString('base64')}`]);

	// https with a certificate nobody vouches for (the emulator's own port answers TLS with a self-signed one).
	if (emu.certificatePath) {
		const tls = await addPaySystem({ CHECKOUT_DATA: { ACTION_URI: `https://${emu.listenAddress}/checkout` } });
		expect(await emu.buyer.pay(P.UNPAID, { paySystemId: tls })).toMatchObject({
			kind: 'errors',
			details: [{ code: 'NETWORK', message: 'Error establishing an SSL connection.' }],
		});
	}

	const ftp = await addPaySystem({ CHECKOUT_DATA: { ACTION_URI: 'ftp://pay.example/x' } });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: ftp })).toMatchObject({
		kind: 'errors',
		details: [{ code: 'URI_SCHEME', message: 'Only http and https shemes are supported.' }],
	});
});

test('no POST: the form while an input field is missing, IFRAME_DATA or FORM_DATA mode, no ACTION_URI; a non-REST pay system throws', async () => {
	const ps = await addPaySystem(checkoutData('/checkout', { cardHolder: { CODE: { NAME: 'Card holder', INPUT: { TYPE: 'STRING' } }, VISIBLE: 'Y' } }), values);
	reply = () => ({ status: 200, body: '{"PAYMENT_URL":"https://pay.example/c","PAYMENT_ID":"c-1"}' });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: ps })).toEqual({ kind: 'form', missing: ['cardHolder'] });
	expect(seen).toHaveLength(0);
	// Request parameters that are not FIELDS keys change nothing; the key filled in lets it through.
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: ps, fields: { holder: 'ANNA' } })).toMatchObject({ kind: 'form' });
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: ps, fields: { cardHolder: 'ANNA SMITH', holder: 'x' } })).toMatchObject({ kind: 'url' });
	expect(seen).toHaveLength(1);
	expect(new URLSearchParams(seen[0].body).get('cardHolder')).toBe('ANNA SMITH');
	expect(new URLSearchParams(seen[0].body).has('holder')).toBe(false);

	// The seeded card handler has FORM_DATA only; IFRAME_DATA wins over CHECKOUT_DATA.
	expect(await emu.buyer.pay(P.HANDLER_FAILS)).toEqual({ kind: 'otherMode', mode: 'form' });
	const iframe = await addPaySystem({ ...checkoutData(), IFRAME_DATA: { ACTION_URI: `${receiverUrl}/frame` } }, values);
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: iframe })).toEqual({ kind: 'otherMode', mode: 'iframe' });
	expect(seen).toHaveLength(1);
	expect(emu.checkouts.at(-1)).toMatchObject({ paySystemId: iframe, body: null, headers: null, status: null });

	// handler.add refuses a CHECKOUT_DATA without ACTION_URI; a stored one that lost it says so.
	const noUri = await addPaySystem(checkoutData(), values);
	const handler = [...emu.state.paySystemHandlers.values()].find((h) => h.CODE === emu.state.paySystems.get(noUri)!.ACTION_FILE)!;
	delete (handler.SETTINGS.CHECKOUT_DATA as Record<string, unknown>).ACTION_URI;
	expect(await emu.buyer.pay(P.UNPAID, { paySystemId: noUri })).toMatchObject({ kind: 'errors', errors: ['ACTION_URI parameter is missing'] });

	await expect(emu.buyer.pay(P.UNPAID, { paySystemId: SEED_IDS.paySystems.CASH })).rejects.toThrow('not a REST handler');
	await expect(emu.buyer.pay(999999)).rejects.toThrow('payment not found');
	expect(seen).toHaveLength(1);
});

test('sale.persontype.list: the ORDER person types, camelCase keys sorted, select/filter/order as the view converts them, paging', async () => {
	const list = await rest('sale.persontype.list');
	expect(list.status).toBe(200);
	expect(list.json.result).toEqual({
		personTypes: [
			{ active: 'Y', code: 'CRM_CONTACT', id: 1, name: 'Individual', sort: '100', xmlId: 'bx_emulator_pt_1' },
			{ active: 'Y', code: 'CRM_COMPANY', id: 2, name: 'Company', sort: '110', xmlId: 'bx_emulator_pt_2' },
		],
	});
	expect(list.json.total).toBe(2);
	expect(Object.keys((list.json.result as { personTypes: object[] }).personTypes[0])).toEqual(['active', 'code', 'id', 'name', 'sort', 'xmlId']);

	// The docs' example.
	const docs = await rest('sale.persontype.list', { select: ['id', 'name', 'sort'], filter: { '<=sort': 100 }, order: { sort: 'DESC' } });
	expect(docs.json).toMatchObject({ result: { personTypes: [{ id: 1, name: 'Individual', sort: '100' }] }, total: 1 });
	const types = async (params: Record<string, unknown>) =>
		((await rest('sale.persontype.list', params)).json.result as { personTypes: Array<{ id: number }> }).personTypes.map((t) => t.id);
	expect(await types({ filter: { id: 2 } })).toEqual([2]);
	expect(await types({ filter: { ID: 2 } })).toEqual([1, 2]); // "ID" converts to I_D: no such field, dropped
	expect(await types({ filter: { '>=id': 3 } })).toEqual([]); // 3 and 4 (legacy invoices) are never listed
	expect(await types({ filter: { '@id': [2, 3] } })).toEqual([1]); // an integer field's value is (int)-cast: an array is 1
	expect(await types({ order: { sort: 'desc' } })).toEqual([2, 1]);
	expect((await rest('sale.persontype.list', { start: -1 })).json).not.toHaveProperty('total');
	expect((await rest('sale.persontype.list', { order: { sort: 'UP' } })).json).toEqual({ error: '0', error_description: 'Invalid order "UP"' });
	expect((await rest('sale.persontype.list', {}, emu.webhookUrl(9, 'crmonly9scope'))).status).toBe(401);

	emu.options.plan = 'selfHosted'; // no bitrix24 module: the view has LID too
	expect(((await rest('sale.persontype.list', { select: ['lid', 'name'] })).json.result as { personTypes: unknown[] }).personTypes[0]).toEqual({
		lid: 's1',
		name: 'Individual',
	});
});
