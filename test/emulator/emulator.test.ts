/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only emulator check: node:assert and node:zlib run under jest and timers wait out the limits, never shipped */
// The emulator itself, over real HTTP with fetch: every method, error, auth path and code style answers as the
// Bitrix24 docs and the portal's code say. The node's tests trust it, so it is checked on its own first.

import assert from 'node:assert/strict';
import { crc32, inflateSync } from 'node:zlib';

import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, READ_ONLY_WEBHOOK, SEED_IDS } from './server';

type Answer = { status: number; json: unknown; contentType: string | null };

/** The parsed JSON as an object; fails the test if it is not one. */
function obj(value: unknown): Record<string, unknown> {
	assert.ok(typeof value === 'object' && value !== null, `not an object: ${JSON.stringify(value)}`);
	return value as Record<string, unknown>;
}

/** Follows keys into parsed JSON, failing the test where a step is not an object. */
function at(value: unknown, ...path: string[]): unknown {
	let cur = value;
	for (const key of path) cur = obj(cur)[key];
	return cur;
}

/** The value as a string; fails the test if it is not one. */
function str(value: unknown): string {
	assert.ok(typeof value === 'string', `not a string: ${JSON.stringify(value)}`);
	return value;
}

async function call(url: string, init: { json?: unknown; form?: string; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
	const headers: Record<string, string> = { ...init.headers };
	let body: string | undefined;
	if (init.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(init.json);
	} else if (init.form !== undefined) {
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		body = init.form;
	}
	const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
	const text = await res.text();
	return { status: res.status, json: JSON.parse(text), contentType: res.headers.get('content-type') };
}

function assertError(a: Answer, status: number, error: string | number, description?: string | RegExp): void {
	assert.equal(a.status, status, JSON.stringify(a.json));
	assert.deepEqual(Object.keys(obj(a.json)).sort(), ['error', 'error_description']);
	assert.equal(at(a.json, 'error'), error);
	if (typeof description === 'string') assert.equal(at(a.json, 'error_description'), description);
	else if (description) assert.match(str(at(a.json, 'error_description')), description);
}

const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

async function main(): Promise<void> {
	const emu = await Bitrix24Emulator.start();
	const P = SEED_IDS.payments;
	try {
		const hook = emu.webhookUrl();
		const ro = emu.webhookUrl(READ_ONLY_WEBHOOK.userId, READ_ONLY_WEBHOOK.secret);
		const crmOnly = emu.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret);
		assert.match(emu.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);

		// --- success envelope and time block
		let a = await call(`${hook}crm.item.payment.pay`, { json: { id: P.UNPAID } });
		assert.equal(a.status, 200);
		assert.equal(a.contentType, 'application/json; charset=utf-8');
		assert.equal(at(a.json, 'result'), true);
		for (const k of ['start', 'finish', 'duration', 'processing', 'operating', 'operating_reset_at']) assert.equal(typeof at(a.json, 'time', k), 'number', k);
		assert.match(str(at(a.json, 'time', 'date_start')), /\+03:00$/);
		assert.match(str(at(a.json, 'time', 'date_finish')), ISO_OFFSET);
		let p = emu.state.payments.get(P.UNPAID)!;
		assert.equal(p.paid, 'Y');
		assert.equal(p.empPaidId, 1);
		assert.match(p.datePaid!, ISO_OFFSET);

		// form body, .json suffix, mixed-case method name
		a = await call(`${hook}CRM.Item.Payment.Unpay.json`, { form: 'id=1038' });
		assert.equal(at(a.json, 'result'), true);
		assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'N');
		assert.equal(emu.restCalls('crm.item.payment.unpay').length, 1);

		// get (GET with query), numeric string id
		a = await call(`${hook}crm.item.payment.get?id=1040`);
		assert.deepEqual(Object.keys(obj(at(a.json, 'result'))), ['id', 'accountNumber', 'paid', 'datePaid', 'empPaidId', 'paySystemId', 'sum', 'currency', 'paySystemName']);
		assert.equal(at(a.json, 'result', 'paid'), 'Y');
		assert.equal(at(a.json, 'result', 'paySystemName'), 'Bank Transfer (Company)');

		// --- crm errors
		assertError(await call(`${hook}crm.item.payment.pay`, { json: {} }), 400, '100', 'Could not find value for parameter {id}');
		assertError(await call(`${hook}crm.item.payment.pay`, { json: { id: 'abc' } }), 400, '100',
			'Invalid value {abc} to match with parameter {id}. Should be value of type int.');
		assertError(await call(`${hook}crm.item.payment.pay`, { form: 'id=' }), 400, '100', /^Invalid value \{\} /);
		assertError(await call(`${hook}crm.item.payment.pay`, { json: { id: 999999 } }), 400, '0', 'Payment has not been found');
		assertError(await call(`${ro}crm.item.payment.pay`, { json: { id: P.UNPAID } }), 403, 'ACCESS_DENIED', 'Access denied.');
		a = await call(`${ro}crm.item.payment.get`, { json: { id: P.UNPAID } });
		assert.equal(a.status, 200, 'read-only user may read');
		assertError(await call(`${hook}crm.item.payment.delete`, { json: { id: P.PAID } }), 400, 'SALE_PAYMENT_DELETE_EXIST_PAID');
		a = await call(`${hook}crm.item.payment.delete`, { json: { id: P.UNPAID_2 } });
		assert.equal(at(a.json, 'result'), true);
		assert.equal(emu.state.payments.has(P.UNPAID_2), false);

		// options: number codes, old not-found text, 400 access denied
		emu.options.codeStyle = 'number';
		emu.options.crmNotFoundMessage = 'Insufficient permissions';
		emu.options.crmAccessDeniedStatus = 400;
		assertError(await call(`${hook}crm.item.payment.unpay`, { json: { id: 5 } }), 400, 0, 'Insufficient permissions');
		assertError(await call(`${hook}crm.item.payment.unpay`, { json: {} }), 400, 100);
		assertError(await call(`${ro}crm.item.payment.unpay`, { json: { id: P.PAID } }), 400, 'ACCESS_DENIED');
		assertError(await call(`${hook}sale.payment.get`, { json: { id: 4242 } }), 400, 200640400001, 'payment is not exists');

		// --- reset restores seed, log and options
		emu.reset();
		assert.equal(emu.options.codeStyle, 'string');
		assert.equal(emu.requests.length, 0);
		assert.equal(emu.state.payments.has(P.UNPAID_2), true);

		// --- sale.payment.update / get
		a = await call(`${hook}sale.payment.update`, {
			json: {
				id: P.SALE_DOC,
				fields: {
					paySystemId: 2, paid: 'Y', datePaid: '2024-04-10T10:00:00', psSum: '100.50', psInvoiceId: 1,
					psResponseDate: '2024-04-10T10:00:00Z', priceCod: 100, empPaidId: '5', comments: 'ok',
					currency: 'EUR', accountNumber: 'X', orderId: 1, id: 7, foo: 'bar',
				},
			},
		});
		assert.equal(a.status, 200, JSON.stringify(a.json));
		const pay = obj(at(a.json, 'result', 'payment'));
		assert.equal(Object.keys(pay).length, 44);
		assert.equal(pay.id, P.SALE_DOC);
		assert.equal(pay.paid, 'Y');
		assert.equal(pay.datePaid, '2024-04-10T10:00:00+03:00', 'no offset: portal time');
		assert.equal(pay.psResponseDate, '2024-04-10T13:00:00+03:00', 'Z kept as that instant');
		assert.equal(pay.psSum, 100.5);
		assert.equal(pay.priceCod, '100');
		assert.equal(pay.empPaidId, 5);
		assert.equal(pay.currency, 'USD', 'read-only field ignored');
		assert.equal(pay.accountNumber, '356/1');
		assert.equal(pay.orderId, 200, 'orderId immutable');
		assert.equal(pay.paySystemName, 'Bank Transfer (Company)');
		assert.equal('foo' in pay, false);
		a = await call(`${hook}sale.payment.get`, { form: `id=${P.SALE_DOC}` });
		assert.deepEqual(at(a.json, 'result', 'payment'), pay);

		assertError(await call(`${hook}sale.payment.update`, { json: { fields: { paySystemId: 1 } } }), 400, '100', 'Could not find value for parameter {id}');
		assertError(await call(`${hook}sale.payment.update`, { json: { id: P.UNPAID } }), 400, '100', 'Could not find value for parameter {fields}');
		assertError(await call(`${hook}sale.payment.update`, { json: { id: P.UNPAID, fields: {} } }), 400, '100', 'Could not find value for parameter {fields}');
		assertError(await call(`${hook}sale.payment.update`, { json: { id: 'abc', fields: { paySystemId: 1 } } }), 400, '200640400001');
		assertError(await call(`${hook}sale.payment.update`, { json: { id: P.UNPAID, fields: { paid: 'Y' } } }), 400, '0', 'Required fields: paySystemId');
		assertError(await call(`${ro}sale.payment.update`, { json: { id: P.UNPAID, fields: { paySystemId: 2 } } }), 400, '200040300020', 'Access Denied');
		assert.equal((await call(`${ro}sale.payment.get`, { json: { id: P.UNPAID } })).status, 200);
		assertError(await call(`${hook}sale.payment.update`, { json: { id: P.UNPAID, fields: { paySystemId: 77 } } }), 400, 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE');
		// form body with bracket syntax
		a = await call(`${hook}sale.payment.update`, { form: 'id=1039&fields[paySystemId]=2&fields[comments]=via+form&fields[marked]=Y' });
		assert.equal(at(a.json, 'result', 'payment', 'comments'), 'via form');
		assert.equal(at(a.json, 'result', 'payment', 'marked'), 'Y');

		// --- sale.paysystem.pay.payment
		const ps = `${hook}sale.paysystem.pay.payment`;
		assertError(await call(ps, { json: { PAYMENT_ID: P.UNPAID } }), 400, 'ERROR_CHECK_FAILURE', 'Empty field PAY_SYSTEM_ID!');
		assertError(await call(ps, { json: { PAY_SYSTEM_ID: 99 } }), 400, 'ERROR_CHECK_FAILURE', 'Pay system not found');
		assertError(await call(ps, { json: { PAY_SYSTEM_ID: 2 } }), 400, 'ERROR_CHECK_FAILURE', 'Empty field PAYMENT_ID');
		assertError(await call(ps, { json: { PAYMENT_ID: P.UNPAID, PAY_SYSTEM_ID: 1 } }), 400, 'ERROR_CHECK_FAILURE',
			'Payment with ID=1038 and PAY_SYSTEM_ID=1 not found');
		assertError(await call(`${ro}sale.paysystem.pay.payment`, { json: { PAYMENT_ID: P.UNPAID, PAY_SYSTEM_ID: 2 } }), 403, 'ACCESS_DENIED', 'Access denied!');
		assertError(await call(ps, { json: { PAYMENT_ID: P.HANDLER_FAILS, PAY_SYSTEM_ID: 3 } }), 400, 'ERROR_PROCESS_REQUEST_RESULT');
		assert.equal(emu.state.payments.get(P.HANDLER_FAILS)!.paid, 'N');
		a = await call(ps, { json: { PAYMENT_ID: P.FLAKY, PAY_SYSTEM_ID: 4 } });
		assert.equal(at(a.json, 'result'), true);
		assert.equal(emu.state.payments.get(P.FLAKY)!.paid, 'N', 'flaky save: true but not paid');
		a = await call(ps, {
			form: 'payment_id=1038&Pay_System_Id=2&PS_INVOICE_ID=ch_123&PS_SUM=100.00&PS_CURRENCY=USD&PS_STATUS_CODE=ok&PS_RECURRING_TOKEN=tok&PS_CARD_NUMBER=4242',
		});
		assert.equal(at(a.json, 'result'), true);
		p = emu.state.payments.get(P.UNPAID)!;
		assert.equal(p.paid, 'Y');
		assert.equal(p.psStatus, 'Y');
		assert.equal(p.psInvoiceId, 'ch_123');
		assert.equal(p.psSum, 100);
		assert.equal(p.psStatusCode, 'ok');
		assert.equal(p.psRecurringToken, 'tok');
		assert.equal(p.psCardNumber, '4242');
		assert.match(p.psResponseDate!, ISO_OFFSET);

		// --- server-level errors and scopes
		assertError(await call(`${emu.baseUrl}/rest/1/wrongsecret/profile`), 401, 'INVALID_CREDENTIALS', 'Invalid request credentials');
		assertError(await call(`${emu.baseUrl}/rest/profile`), 401, 'NO_AUTH_FOUND', 'Wrong authorization data');
		assertError(await call(`${hook}crm.item.payment.nosuch`), 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
		assertError(await call(`${crmOnly}sale.payment.get`, { json: { id: P.UNPAID } }), 401, 'insufficient_scope',
			'The request requires higher privileges than provided by the webhook token');
		assert.deepEqual(at((await call(`${crmOnly}scope`)).json, 'result'), ['crm']);
		a = await call(`${ro}profile`);
		assert.equal(at(a.json, 'result', 'ID'), '7');
		assert.equal(at(a.json, 'result', 'ADMIN'), false);
		emu.addWebhook({ userId: 3, secret: 'extra', scopes: ['sale'], canWrite: true });
		assert.equal((await call(`${emu.webhookUrl(3, 'extra')}sale.payment.get?id=144`)).status, 200);

		// --- OAuth: Bearer, auth param, access_token alias, expiry, scopes
		const tok = emu.issueToken();
		const rest = `${emu.baseUrl}/rest/`;
		assert.equal(tok.client_endpoint, rest);
		assert.equal(tok.expires_in, 3600);
		assert.equal(tok.domain, 'oauth.bitrix.info');
		assert.equal(tok.status, 'L');
		a = await call(`${rest}profile`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
		assert.equal(at(a.json, 'result', 'ID'), '1');
		a = await call(`${rest}crm.item.payment.get.json`, { json: { id: P.PAID, auth: tok.access_token } });
		assert.equal(at(a.json, 'result', 'id'), P.PAID);
		a = await call(`${rest}scope?access_token=${tok.access_token}`);
		const scopes = at(a.json, 'result');
		assert.ok(Array.isArray(scopes) && scopes.includes('pay_system'));
		a = await call(`${rest}profile?auth=garbage`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
		assert.equal(a.status, 200, 'Bearer wins over auth');
		assertError(await call(`${rest}profile?auth=garbage`), 401, 'invalid_token', 'The access token provided is invalid.');
		const narrow = emu.issueToken({ scopes: ['crm'], userId: 7 });
		assertError(await call(`${rest}sale.payment.get`, { json: { id: 144, auth: narrow.access_token } }), 401, 'insufficient_scope',
			'The request requires higher privileges than provided by the access token');
		assertError(await call(`${rest}crm.item.payment.pay`, { json: { id: 1039, auth: narrow.access_token } }), 403, 'ACCESS_DENIED');
		emu.expireToken(tok.access_token);
		assertError(await call(`${rest}profile`, { headers: { Authorization: `Bearer ${tok.access_token}` } }), 401, 'expired_token',
			'The access token provided has expired.');
		const expired = emu.issueToken({ expired: true });
		assertError(await call(`${rest}profile`, { json: { auth: expired.access_token } }), 401, 'expired_token');

		// --- token endpoint: refresh with rotation, wrong client, auth code
		const token = `${emu.baseUrl}/oauth/token/`;
		const { clientId, clientSecret } = emu.oauthApp;
		a = await call(`${token}?grant_type=refresh_token&client_id=${clientId}&client_secret=${clientSecret}&refresh_token=${tok.refresh_token}`);
		assert.equal(a.status, 200);
		assert.notEqual(at(a.json, 'access_token'), tok.access_token);
		assert.notEqual(at(a.json, 'refresh_token'), tok.refresh_token);
		assert.equal(at(a.json, 'client_endpoint'), rest);
		assert.equal(at(a.json, 'user_id'), 1);
		assert.equal(typeof at(a.json, 'member_id'), 'string');
		assert.equal((await call(`${rest}profile`, { json: { auth: at(a.json, 'access_token') } })).status, 200);
		const second = await call(token, {
			form: `grant_type=refresh_token&client_id=${clientId}&client_secret=${clientSecret}&refresh_token=${tok.refresh_token}`,
		});
		assertError(second, 400, 'invalid_grant', 'Invalid refresh token');
		a = await call(token, { form: `grant_type=refresh_token&client_id=${clientId}&client_secret=${clientSecret}&refresh_token=${str(at(a.json, 'refresh_token'))}` });
		assert.equal(a.status, 200, 'the rotated refresh token works');
		assertError(await call(token, { form: `grant_type=refresh_token&client_id=${clientId}&client_secret=nope&refresh_token=x` }), 401, 'invalid_client');
		const code = emu.issueAuthCode({ userId: 9, scopes: ['crm'] });
		a = await call(token, { form: `grant_type=authorization_code&client_id=${clientId}&client_secret=${clientSecret}&code=${code}` });
		assert.equal(at(a.json, 'user_id'), 9);
		assert.equal(at(a.json, 'scope'), 'crm');
		assertError(await call(token, { form: `grant_type=authorization_code&client_id=${clientId}&client_secret=${clientSecret}&code=${code}` }), 400, 'invalid_grant');
		assert.equal(emu.tokenRequests().length, 6);

		// --- request log
		const last = emu.restCalls('profile').at(-1)!;
		assert.equal(last.auth, 'oauth');
		assert.equal(last.status, 200);
		const formCall = emu.restCalls('sale.payment.update').find((r) => r.rawBody.startsWith('id=1039'))!;
		assert.deepEqual(formCall.params.fields, { paySystemId: '2', comments: 'via form', marked: 'Y' });
		assert.equal(formCall.auth, 'webhook');
		assert.equal(formCall.userId, 1);

	} finally {
		await emu.stop();
	}

	// start() options: another offset and number codes survive reset()
	const utc = await Bitrix24Emulator.start({ timeZone: '-05:00', codeStyle: 'number' });
	try {
		const hook = utc.webhookUrl();
		utc.reset();
		const a = await call(`${hook}sale.payment.update`, { json: { id: P.UNPAID, fields: { paySystemId: 2, dateBill: '2024-04-10 10:00' } } });
		assert.equal(at(a.json, 'result', 'payment', 'dateBill'), '2024-04-10T10:00:00-05:00');
		assert.match(str(at(a.json, 'time', 'date_start')), /-05:00$/);
		assertError(await call(`${hook}sale.payment.get`, { json: { id: 1 } }), 400, 200640400001);
	} finally {
		await utc.stop();
	}
}

test('the emulator answers as a Bitrix24 portal does', main);

/** The `result` of a 200 answer; fails the test on any other status. */
function ok(a: Answer): unknown {
	assert.equal(a.status, 200, JSON.stringify(a.json));
	return at(a.json, 'result');
}

/** The value as an array; fails the test if it is not one. */
function arr(value: unknown): unknown[] {
	assert.ok(Array.isArray(value), `not an array: ${JSON.stringify(value)}`);
	return value;
}

/** Checks a base64 PNG: signature, chunk CRCs, IHDR, and that IDAT inflates to the declared size. */
function assertPng(base64: string): void {
	const png = Buffer.from(base64, 'base64');
	assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	let offset = 8;
	const chunks = new Map<string, Buffer>();
	while (offset < png.length) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('ascii', offset + 4, offset + 8);
		const body = png.subarray(offset + 4, offset + 8 + length);
		assert.equal(png.readUInt32BE(offset + 8 + length), crc32(body) >>> 0, `CRC of ${type}`);
		chunks.set(type, body.subarray(4));
		offset += 12 + length;
	}
	const ihdr = chunks.get('IHDR')!;
	const width = ihdr.readUInt32BE(0);
	const height = ihdr.readUInt32BE(4);
	assert.equal(ihdr[8], 8);
	assert.equal(ihdr[9], 0, 'grayscale');
	assert.ok(chunks.has('IEND'));
	const pixels = inflateSync(chunks.get('IDAT')!);
	assert.equal(pixels.length, (width + 1) * height);
	assert.ok(pixels.includes(0x00) && pixels.includes(0xff), 'black and white');
}

async function newMethods(): Promise<void> {
	const emu = await Bitrix24Emulator.start();
	const P = SEED_IDS.payments;
	const PS = SEED_IDS.paySystems;
	try {
		const hook = emu.webhookUrl();
		const ro = emu.webhookUrl(READ_ONLY_WEBHOOK.userId, READ_ONLY_WEBHOOK.secret);
		const crmOnly = emu.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret);
		const post = (url: string, json: unknown) => call(url, { json });
		let a: Answer;

		// ===== crm.item.payment.add
		const newId = ok(await post(`${hook}crm.item.payment.add`, { entityTypeId: 2, entityId: 10 }));
		assert.equal(typeof newId, 'number');
		let p = emu.state.payments.get(newId as number)!;
		assert.deepEqual([p.orderId, p.sum, p.paid, p.paySystemId, p.accountNumber], [SEED_IDS.orders.MAIN, 0, 'N', 0, '356/5']);
		const inNewOrder = ok(await post(`${hook}crm.item.payment.add`, { entityTypeId: '2', entityId: '12', fields: { paySystemId: PS.CASH } }));
		p = emu.state.payments.get(inNewOrder as number)!;
		const order = emu.state.orders.get(p.orderId)!;
		assert.deepEqual(order.binding, SEED_IDS.dealWithoutOrder, 'an order is created for the deal');
		assert.deepEqual([p.currency, p.paySystemName, p.accountNumber], ['EUR', 'Cash', `${order.id}/1`]);
		assertError(await post(`${hook}crm.item.payment.add`, { entityTypeId: 999, entityId: 10 }), 400, '0', 'Unknown entity type: 999.');
		assertError(await post(`${hook}crm.item.payment.add`, SEED_IDS.contact), 400, '0', 'Cannot create payment for this entity.');
		assertError(await post(`${hook}crm.item.payment.add`, { entityTypeId: 2, entityId: 404 }), 400, '0', 'Entity ID #404 does not exist.');
		assertError(await post(`${hook}crm.item.payment.add`, { entityTypeId: 2 }), 400, '100', 'Could not find value for parameter {entityId}');
		assertError(await post(`${hook}crm.item.payment.add`, { entityTypeId: 'deal', entityId: 10 }), 400, '100', /^Invalid value \{deal\} to match with parameter \{entityTypeId\}/);
		assertError(await post(`${ro}crm.item.payment.add`, SEED_IDS.deal), 403, 'ACCESS_DENIED');

		// ===== crm.item.payment.list: a plain array, not paginated
		a = await post(`${ro}crm.item.payment.list`, SEED_IDS.deal);
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time'], 'no total / next');
		const dealIds = arr(ok(a)).map((x) => at(x, 'id'));
		assert.deepEqual(dealIds, [P.SALE_DOC, P.UNPAID, P.UNPAID_2, P.PAID, newId]);
		assert.deepEqual(Object.keys(obj(arr(ok(a))[0])), ['id', 'accountNumber', 'paid', 'datePaid', 'empPaidId', 'paySystemId', 'sum', 'currency', 'paySystemName']);
		a = await post(`${hook}crm.item.payment.list`, { ...SEED_IDS.deal, filter: { '@id': [P.UNPAID, P.PAID, P.FLAKY] }, order: { id: 'desc' } });
		assert.deepEqual(arr(ok(a)).map((x) => at(x, 'id')), [P.PAID, P.UNPAID], 'filter @, order desc; other deals never show');
		a = await post(`${hook}crm.item.payment.list`, { ...SEED_IDS.deal, filter: { '!paid': 'Y', '>=id': P.UNPAID, '<sum': 50 } });
		assert.deepEqual(arr(ok(a)).map((x) => at(x, 'id')), [newId]);
		a = await call(`${hook}crm.item.payment.list`, { form: 'entityTypeId=2&entityId=10&filter[%accountNumber]=356/4' });
		assert.deepEqual(arr(ok(a)).map((x) => at(x, 'id')), [P.PAID]);
		assertError(await post(`${hook}crm.item.payment.list`, { ...SEED_IDS.deal, order: { id: 'sideways' } }), 400, '0', 'Invalid order "SIDEWAYS"');
		assertError(await post(`${hook}crm.item.payment.list`, { entityTypeId: 2 }), 400, '100', 'Could not find value for parameter {entityId}');

		// ===== crm.item.payment.update: only paid and paySystemId
		assert.equal(ok(await post(`${hook}crm.item.payment.update`, { id: P.UNPAID, fields: { paid: 'Y', paySystemId: PS.CASH, sum: 1 } })), true);
		p = emu.state.payments.get(P.UNPAID)!;
		assert.deepEqual([p.paid, p.paySystemId, p.paySystemName, p.sum, p.empPaidId], ['Y', PS.CASH, 'Cash', 100, 1]);
		assertError(await post(`${hook}crm.item.payment.update`, { id: P.UNPAID, fields: { sum: 5, PAID: 'N' } }), 400, '0', 'Empty fields');
		assertError(await post(`${hook}crm.item.payment.update`, { id: P.UNPAID, fields: { paySystemId: 99 } }), 400, '0', 'Payment system has not been found');
		assertError(await post(`${hook}crm.item.payment.update`, { id: 5, fields: { paid: 'N' } }), 400, '0', 'Payment has not been found');
		assertError(await post(`${hook}crm.item.payment.update`, { id: P.UNPAID }), 400, '100', 'Could not find value for parameter {fields}');
		assertError(await post(`${ro}crm.item.payment.update`, { id: P.UNPAID, fields: { paid: 'N' } }), 403, 'ACCESS_DENIED');
		emu.reset();

		// ===== salescenter.payment.getPublicUrl
		a = await post(`${ro}salescenter.payment.getPublicUrl`, { id: P.UNPAID });
		const link = obj(at(ok(a), 'payment'));
		assert.deepEqual(Object.keys(link), ['url', 'shortUrl', 'qr']);
		assert.match(str(link.url), new RegExp(`^${emu.baseUrl}/pub/payment/[0-9a-f]{32}/$`));
		assert.match(str(link.shortUrl), new RegExp(`^${emu.baseUrl}/~[0-9A-Za-z]{5}$`));
		assertPng(str(link.qr));
		assert.deepEqual(at(ok(await call(`${hook}salescenter.payment.getpublicurl?id=${P.UNPAID}`)), 'payment'), link, 'deterministic');
		assertError(await post(`${hook}salescenter.payment.getPublicUrl`, { id: 4242 }), 400, '200640400001', 'payment is not exists');
		assertError(await post(`${hook}salescenter.payment.getPublicUrl`, {}), 400, '100', 'Could not find value for parameter {id}');
		assertError(await post(`${hook}salescenter.payment.getPublicUrl`, { id: [1] }), 400, '0', 'Parameter id must be integer');
		assertError(await post(`${crmOnly}salescenter.payment.getPublicUrl`, { id: P.UNPAID }), 401, 'insufficient_scope');

		// ===== crm.item.payment.product.*
		const R = SEED_IDS.productRows;
		a = await post(`${ro}crm.item.payment.product.list`, { paymentId: P.UNPAID });
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time']);
		assert.deepEqual(ok(a), [{ id: SEED_IDS.paymentProducts.ON_UNPAID, paymentId: P.UNPAID, quantity: 1, rowId: R.ROW_A }]);
		const line = ok(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.UNPAID, rowId: R.ROW_A, quantity: 2 }));
		assert.equal(typeof line, 'number');
		assert.equal(emu.state.payments.get(P.UNPAID)!.sum, 1 * 20 + 2 * 20 + 10, 'sum recalculated from products and delivery');
		a = await post(`${hook}crm.item.payment.product.list`, { paymentId: P.UNPAID, filter: { '>=quantity': 2 }, order: { id: 'DESC' } });
		assert.deepEqual(ok(a), [{ id: line, paymentId: P.UNPAID, quantity: 2, rowId: R.ROW_A }]);
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.UNPAID_2, rowId: R.ROW_A, quantity: 1 }), 400, '0', 'Insufficient product stock.');
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.UNPAID, rowId: R.ROW_B, quantity: 0.5 }), 400, '0', 'Product quantity must be greater than zero.');
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.UNPAID, rowId: R.OTHER_DEAL_ROW, quantity: 1 }), 400, '0', 'Product was not found.');
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: 4242, rowId: R.ROW_B, quantity: 1 }), 400, '0', 'Payment has not been found');
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.UNPAID, rowId: R.ROW_B }), 400, '100', 'Could not find value for parameter {quantity}');
		assert.equal(ok(await post(`${hook}crm.item.payment.product.setQuantity`, { id: line, quantity: 1 })), true);
		assert.equal(emu.state.payableItems.get(line as number)!.quantity, 1);
		assertError(await post(`${hook}crm.item.payment.product.setQuantity`, { id: line, quantity: 3 }), 400, '0', 'Insufficient product stock.');
		assertError(await post(`${hook}crm.item.payment.product.setQuantity`, { id: line, quantity: -1 }), 400, '0', 'Product quantity must be greater than zero.');
		assert.equal(ok(await post(`${hook}crm.item.payment.product.delete`, { id: line })), true);
		assertError(await post(`${hook}crm.item.payment.product.delete`, { id: line }), 400, '0', 'Payable item has not been found');
		assertError(await post(`${hook}crm.item.payment.product.delete`, { id: SEED_IDS.paymentDeliveries.ON_UNPAID }), 400, '0', 'Payable item has not been found');
		// The documented quirk: lines of a PAID payment never change, even for an admin.
		const onPaid = SEED_IDS.paymentProducts.ON_PAID;
		assertError(await post(`${hook}crm.item.payment.product.add`, { paymentId: P.PAID, rowId: R.ROW_A, quantity: 1 }), 403, 'ACCESS_DENIED');
		assertError(await post(`${hook}crm.item.payment.product.setQuantity`, { id: onPaid, quantity: 1 }), 403, 'ACCESS_DENIED');
		assertError(await post(`${hook}crm.item.payment.product.delete`, { id: onPaid }), 403, 'ACCESS_DENIED');
		assertError(await post(`${ro}crm.item.payment.product.add`, { paymentId: P.UNPAID, rowId: R.ROW_A, quantity: 1 }), 403, 'ACCESS_DENIED');
		assert.equal(emu.state.payableItems.has(onPaid), true);

		// ===== crm.item.payment.delivery.*
		const D = SEED_IDS.shipments;
		assert.deepEqual(ok(await post(`${hook}crm.item.payment.delivery.list`, { paymentId: P.UNPAID })), [
			{ id: SEED_IDS.paymentDeliveries.ON_UNPAID, paymentId: P.UNPAID, quantity: 1, deliveryId: D.MAIN },
		]);
		const dl = ok(await post(`${hook}crm.item.payment.delivery.add`, { paymentId: P.UNPAID_2, deliveryId: D.SECOND }));
		assert.equal(typeof dl, 'number');
		assert.equal(emu.state.payments.get(P.UNPAID_2)!.sum, 5);
		assertError(await post(`${hook}crm.item.payment.delivery.add`, { paymentId: P.UNPAID_2, deliveryId: D.OTHER_ORDER }), 400, '0', 'Shipment was not found');
		assertError(await post(`${hook}crm.item.payment.delivery.add`, { paymentId: P.PAID, deliveryId: D.MAIN }), 403, 'ACCESS_DENIED');
		assert.equal(ok(await post(`${hook}crm.item.payment.delivery.setDelivery`, { id: dl, deliveryId: D.MAIN })), true);
		assert.equal(at(arr(ok(await post(`${hook}crm.item.payment.delivery.list`, { paymentId: P.UNPAID_2 })))[0], 'deliveryId'), D.MAIN);
		assertError(await post(`${hook}crm.item.payment.delivery.setDelivery`, { id: SEED_IDS.paymentDeliveries.ON_PAID, deliveryId: D.MAIN }), 403, 'ACCESS_DENIED');
		assertError(await post(`${hook}crm.item.payment.delivery.setDelivery`, { id: 4242, deliveryId: D.MAIN }), 400, '0', 'Payable item has not been found');
		assert.equal(ok(await post(`${hook}crm.item.payment.delivery.delete`, { id: dl })), true);
		assertError(await post(`${hook}crm.item.payment.delivery.delete`, { id: SEED_IDS.paymentDeliveries.ON_PAID }), 403, 'ACCESS_DENIED');
		assertError(await post(`${hook}crm.item.payment.delivery.list`, { paymentId: 4242 }), 400, '0', 'Payment has not been found');
		emu.reset();

		// ===== sale.payment.add
		a = await post(`${hook}sale.payment.add`, { fields: { orderId: SEED_IDS.orders.PLAIN, paySystemId: PS.CASH, sum: '42.5', paid: 'Y', currency: 'EUR', comments: 'new' } });
		const added = obj(at(ok(a), 'payment'));
		assert.equal(Object.keys(added).length, 44);
		assert.deepEqual(
			[added.orderId, added.accountNumber, added.sum, added.paid, added.paySystemName, added.currency, added.comments],
			[SEED_IDS.orders.PLAIN, '358/1', 42.5, 'Y', 'Cash', 'USD', 'new'],
		);
		assert.match(str(added.datePaid), ISO_OFFSET);
		assertError(await post(`${hook}sale.payment.add`, { fields: { sum: 1 } }), 400, '0', 'Required fields: orderId, paySystemId');
		assertError(await post(`${hook}sale.payment.add`, { fields: { orderId: SEED_IDS.orders.PLAIN } }), 400, '0', 'Required fields: paySystemId');
		assertError(await post(`${hook}sale.payment.add`, { fields: { orderId: 999, paySystemId: PS.CASH } }), 400, '0', 'Cannot load order');
		assertError(await post(`${hook}sale.payment.add`, { fields: { orderId: SEED_IDS.orders.PLAIN, paySystemId: 77 } }), 400, 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE');
		assertError(await post(`${hook}sale.payment.add`, {}), 400, '100', 'Could not find value for parameter {fields}');
		assertError(await post(`${ro}sale.payment.add`, { fields: { orderId: SEED_IDS.orders.PLAIN, paySystemId: PS.CASH } }), 400, '200040300020', 'Access Denied');
		emu.reset();

		// ===== sale.payment.list: pages of 50, total/next at the top level, start rounded down
		const many = emu.seedOrderPayments(120);
		assert.equal(many.length, 120);
		const all = [...emu.state.payments.keys()].sort((x, y) => x - y);
		assert.equal(all.length, 126);
		a = await post(`${ro}sale.payment.list`, {});
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'next', 'total', 'time']);
		assert.deepEqual(Object.keys(obj(ok(a))), ['payments']);
		let page = arr(at(ok(a), 'payments'));
		assert.equal(page.length, 50);
		assert.equal(Object.keys(obj(page[0])).length, 44);
		assert.deepEqual([at(a.json, 'next'), at(a.json, 'total')], [50, 126]);
		a = await call(`${hook}sale.payment.list?start=75`);
		page = arr(at(ok(a), 'payments'));
		assert.equal(at(page[0], 'id'), all[50], 'start=75 is rounded down to 50');
		assert.deepEqual([page.length, at(a.json, 'next'), at(a.json, 'total')], [50, 100, 126]);
		a = await post(`${hook}sale.payment.list`, { start: 100, select: ['id', 'paid', 'ID', 'id1c'] });
		page = arr(at(ok(a), 'payments'));
		assert.equal(page.length, 26);
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'total', 'time'], 'last page: no next');
		assert.deepEqual(Object.keys(obj(page[0])), ['id', 'id1c', 'paid'], 'select limits fields ("ID" names none; id1c is ID_1C)');
		a = await post(`${hook}sale.payment.list`, { start: -1 });
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time'], 'start=-1: no counting');
		assert.equal(arr(at(ok(a), 'payments')).length, 50);
		a = await post(`${hook}sale.payment.list`, { select: ['*'], filter: { '@id': [P.PAID, P.SALE_DOC, 4242], paid: 'Y' }, order: { id: 'desc' } });
		assert.deepEqual(arr(at(ok(a), 'payments')).map((x) => at(x, 'id')), [P.PAID]);
		assert.equal(at(a.json, 'total'), 1);
		a = await post(`${hook}sale.payment.list`, { select: ['id'], filter: { '>id': many[110], '!=paySystemId': PS.CASH }, order: { id: 'desc' } });
		assert.deepEqual(arr(at(ok(a), 'payments')).map((x) => at(x, 'id')), many.slice(111).reverse());
		a = await post(`${hook}sale.payment.list`, { select: ['accountNumber'], filter: { '%accountNumber': '357/', '=%xmlId': 'bx_emulator_%' } });
		assert.deepEqual(arr(at(ok(a), 'payments')), [{ accountNumber: '357/1' }, { accountNumber: '357/2' }]);
		assertError(await post(`${hook}sale.payment.list`, { select: 'id' }), 400, '100', 'Invalid value {id} to match with parameter {select}. Should be value of type array.');

		// ===== sale.payment.delete
		assert.equal(ok(await post(`${hook}sale.payment.delete`, { id: P.UNPAID })), true);
		assert.equal(emu.state.payments.has(P.UNPAID), false);
		assert.equal(emu.state.payableItems.has(SEED_IDS.paymentProducts.ON_UNPAID), false, 'its lines go too');
		assertError(await post(`${hook}sale.payment.delete`, { id: P.PAID }), 400, 'SALE_PAYMENT_DELETE_EXIST_PAID', 'Partial payment done. Cancel payment');
		assertError(await post(`${hook}sale.payment.delete`, { id: P.UNPAID }), 400, '200640400001', 'payment is not exists');
		assertError(await post(`${ro}sale.payment.delete`, { id: P.UNPAID_2 }), 400, '200040300020', 'Access Denied');

		// ===== sale.payment.getFields
		const fieldInfo = obj(at(ok(await call(`${ro}sale.payment.getFields`)), 'payment'));
		const names = Object.keys(fieldInfo);
		assert.equal(names.length, 44);
		assert.deepEqual(names, [...names].sort());
		assert.deepEqual(names, Object.keys(added), 'the same fields as the payment object');
		assert.deepEqual(fieldInfo.orderId, { isImmutable: true, isReadOnly: false, isRequired: true, type: 'integer' });
		assert.deepEqual(fieldInfo.accountNumber, { isImmutable: false, isReadOnly: true, isRequired: false, type: 'string' });
		assert.equal(at(fieldInfo, 'payReturnDate', 'type'), 'date');
		emu.reset();

		// ===== sale.paysystem.list: UPPER_SNAKE, strings, not paginated
		a = await post(`${hook}sale.paysystem.list`, {});
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time']);
		const systems = arr(ok(a));
		assert.equal(systems.length, 5);
		assert.deepEqual(Object.keys(obj(systems[0])).slice(0, 5), ['ID', 'PERSON_TYPE_ID', 'NAME', 'PSA_NAME', 'SORT']);
		assert.deepEqual(Object.keys(obj(systems[0])).slice(-2), ['LOGOTYPE', 'TARIFF']);
		assert.equal(Object.keys(obj(systems[0])).length, 26);
		assert.deepEqual([at(systems[0], 'ID'), at(systems[0], 'NAME'), at(systems[0], 'ACTIVE'), at(systems[0], 'PERSON_TYPE_ID')], ['1', 'Cash', 'Y', '1']);
		a = await post(`${hook}sale.paysystem.list`, { select: ['id', 'name', 'logotype'], filter: { '@id': [1, 3] }, order: { id: 'desc' } });
		assert.deepEqual(ok(a), [{ ID: '3', NAME: 'Card (REST handler)', LOGOTYPE: null }, { ID: '1', NAME: 'Cash', LOGOTYPE: null }]);
		a = await post(`${hook}sale.paysystem.list`, { SELECT: ['ID'], FILTER: { ENTITY_REGISTRY_TYPE: 'CRM_INVOICE' } });
		assert.deepEqual(ok(a), [{ ID: '5' }]);
		assertError(await post(`${hook}sale.paysystem.list`, { SELECT: ['ID', 'FOO'] }), 400, '', 'FOO not allowed for select');
		assertError(await post(`${hook}sale.paysystem.list`, { FILTER: { '>BAR': 1 } }), 400, '', 'BAR not allowed for filter');
		assertError(await post(`${ro}sale.paysystem.list`, {}), 403, 'ACCESS_DENIED', 'Access denied!');
		emu.options.paySystemListTyped = true;
		assert.deepEqual(ok(await post(`${hook}sale.paysystem.list`, { SELECT: ['SORT', 'ID', 'NAME'], FILTER: { ID: 2 } })), [
			{ NAME: 'Bank Transfer (Company)', SORT: 200, ID: 2 },
		]);
		emu.options.paySystemListTyped = false;

		// ===== sale.paysystem.add
		const H = 'emulator_card';
		const psId = ok(
			await post(`${hook}sale.paysystem.add`, {
				name: 'Card 2', person_type_id: 1, bx_rest_handler: H, entity_registry_type: 'ORDER', xml_id: 'card2',
				settings: { rest_service_id: { type: 'VALUE', value: 'shop-9' } },
			}),
		);
		assert.equal(psId, 6);
		const created = emu.state.paySystems.get(6)!;
		assert.deepEqual([created.NAME, created.ACTIVE, created.ACTION_FILE, created.PERSON_TYPE_ID, created.XML_ID], ['Card 2', 'N', H, '1', 'card2']);
		assertError(await post(`${hook}sale.paysystem.add`, { NAME: 'x', PERSON_TYPE_ID: 1, BX_REST_HANDLER: H }), 400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!');
		assert.equal(ok(await post(`${hook}sale.paysystem.add`, { NAME: 'Invoices', PERSON_TYPE_ID: 3, BX_REST_HANDLER: H })), 7, 'registry defaults to CRM_INVOICE');
		assertError(await post(`${hook}sale.paysystem.add`, { NAME: 'x', PERSON_TYPE_ID: 1 }), 400, 'ERROR_CHECK_FAILURE', 'Parameter BX_REST_HANDLER is not defined');
		assertError(await post(`${hook}sale.paysystem.add`, { NAME: 'x', PERSON_TYPE_ID: 1, BX_REST_HANDLER: 'nope', ENTITY_REGISTRY_TYPE: 'ORDER' }), 400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		assertError(await post(`${hook}sale.paysystem.add`, { PERSON_TYPE_ID: 1, BX_REST_HANDLER: H, ENTITY_REGISTRY_TYPE: 'ORDER' }), 400, 'ERROR_PAY_SYSTEM_ADD');
		assertError(await post(`${ro}sale.paysystem.add`, { NAME: 'x', PERSON_TYPE_ID: 1, BX_REST_HANDLER: H, ENTITY_REGISTRY_TYPE: 'ORDER' }), 403, 'ACCESS_DENIED');

		// ===== sale.paysystem.update
		assert.equal(ok(await post(`${hook}sale.paysystem.update`, { ID: 6, FIELDS: { NAME: 'Renamed', ACTIVE: 'Y', BX_REST_HANDLER: H, PERSON_TYPE_ID: 2 } })), true);
		assert.deepEqual([created.NAME, created.ACTIVE, created.PERSON_TYPE_ID], ['Renamed', 'Y', '2']);
		assertError(await post(`${hook}sale.paysystem.update`, { ID: 999, FIELDS: { BX_REST_HANDLER: H, PERSON_TYPE_ID: 1 } }), 400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
		assertError(await post(`${hook}sale.paysystem.update`, { ID: 6, FIELDS: { NAME: 'no handler given' } }), 400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		assertError(await post(`${hook}sale.paysystem.update`, { ID: PS.CASH, FIELDS: { BX_REST_HANDLER: 'cash', PERSON_TYPE_ID: 1 } }), 403, 'ACCESS_DENIED');

		// ===== sale.paysystem.delete
		assert.equal(ok(await post(`${hook}sale.paysystem.delete`, { id: 6 })), true);
		assertError(await post(`${hook}sale.paysystem.delete`, { ID: 6 }), 400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
		assertError(await post(`${hook}sale.paysystem.delete`, { ID: PS.CASH }), 403, 'ACCESS_DENIED');

		// ===== sale.paysystem.settings.get / update / payment.get
		a = await post(`${hook}sale.paysystem.settings.get`, { ID: PS.CARD_REST_HANDLER, PERSON_TYPE_ID: 1 });
		assert.deepEqual(obj(ok(a)).REST_SERVICE_ID, { TYPE: 'VALUE', VALUE: 'emu-shop-1' });
		assert.deepEqual(obj(ok(a)).PAYMENT_SUM, { TYPE: 'PAYMENT', VALUE: 'SUM' }, "the code's default");
		assertError(await post(`${hook}sale.paysystem.settings.get`, { ID: PS.CARD_REST_HANDLER }), 400, 'ERROR_CHECK_FAILURE', 'Parameter PERSON_TYPE_ID is not defined');
		assertError(await post(`${hook}sale.paysystem.settings.get`, { ID: 99, PERSON_TYPE_ID: 1 }), 400, 'ERROR_CHECK_FAILURE', 'Pay system not found');
		assert.equal(ok(await post(`${hook}sale.paysystem.settings.update`, { id: 3, person_type_id: 1, settings: { rest_service_id: { type: 'VALUE', value: 'shop-2' } } })), true);
		a = await post(`${hook}sale.paysystem.settings.payment.get`, { PAYMENT_ID: P.HANDLER_FAILS, PAY_SYSTEM_ID: PS.CARD_REST_HANDLER });
		assert.deepEqual(ok(a), {
			REST_SERVICE_ID: 'shop-2', REST_SERVICE_KEY: 'emu-shop-key', PAYMENT_ID: '357/2', PAYMENT_SUM: 100, PAYMENT_CURRENCY: 'USD', PS_WORK_MODE: 'TEST',
		});
		assertError(await post(`${hook}sale.paysystem.settings.update`, { ID: 3, PERSON_TYPE_ID: 1 }), 400, 'ERROR_HANDLER_NOT_FOUND', 'Parameter SETTINGS is not defined or empty');
		assertError(await post(`${hook}sale.paysystem.settings.payment.get`, { PAYMENT_ID: P.UNPAID, PAY_SYSTEM_ID: PS.CARD_REST_HANDLER }), 400, 'ERROR_CHECK_FAILURE',
			'Payment with ID=1038 and PAY_SYSTEM_ID=3 not found');
		assertError(await post(`${hook}sale.paysystem.settings.payment.get`, { PAYMENT_ID: P.UNPAID }), 400, 'ERROR_CHECK_FAILURE', 'Empty field PAY_SYSTEM_ID!');

		// ===== sale.paysystem.pay.invoice (legacy invoices, CRM_INVOICE pay systems only)
		const INV = SEED_IDS.invoices.LEGACY;
		assertError(await post(`${hook}sale.paysystem.pay.invoice`, { INVOICE_ID: INV, PAY_SYSTEM_ID: PS.CARD_REST_HANDLER }), 400, 'ERROR_PROCESS_REQUEST_RESULT', 'Pay system not found');
		assertError(await post(`${hook}sale.paysystem.pay.invoice`, { INVOICE_ID: 78, PAY_SYSTEM_ID: PS.INVOICE_CARD }), 400, 'ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice #78 not found');
		assertError(await post(`${hook}sale.paysystem.pay.invoice`, { INVOICE_ID: INV }), 400, 'ERROR_CHECK_FAILURE', 'Empty field BX_REST_HANDLER and PAY_SYSTEM_ID');
		assertError(await post(`${hook}sale.paysystem.pay.invoice`, { INVOICE_ID: INV, BX_REST_HANDLER: 'nope' }), 400, 'ERROR_CHECK_FAILURE', 'Incorrect rest handler code');
		assertError(await post(`${ro}sale.paysystem.pay.invoice`, { invoice_id: INV, bx_rest_handler: H }), 403, 'ACCESS_DENIED');
		assert.equal(ok(await post(`${hook}sale.paysystem.pay.invoice`, { invoice_id: INV, bx_rest_handler: H, ps_sum: '250' })), true);
		assert.deepEqual([emu.state.invoices.get(INV)!.paid, emu.state.invoices.get(INV)!.psSum], ['Y', 250]);

		// ===== sale.paysystem.handler.*
		const settings = { CODES: { API_KEY: { NAME: 'API key' } }, FORM_DATA: { ACTION_URI: 'https://pay.example.invalid/' } };
		assert.equal(ok(await post(`${hook}sale.paysystem.handler.add`, { name: 'Second', code: 'second', settings })), 2);
		assertError(await post(`${hook}sale.paysystem.handler.add`, { NAME: 'Again', CODE: 'second', SETTINGS: settings }), 400, 'ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!');
		assertError(await post(`${hook}sale.paysystem.handler.add`, { NAME: 'x', CODE: 'x' }), 400, 'ERROR_CHECK_FAILURE', 'Parameter SETTINGS is not defined');
		assertError(await post(`${hook}sale.paysystem.handler.add`, { NAME: 'x', CODE: 'x', SETTINGS: { CODES: {}, CHECKOUT_DATA: { METHOD: 'GET' } } }), 400, 'ERROR_CHECK_FAILURE',
			'Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined');
		a = await post(`${hook}sale.paysystem.handler.list`, {});
		assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time']);
		assert.deepEqual(arr(ok(a)).map((h) => [at(h, 'ID'), at(h, 'CODE'), at(h, 'SORT')]), [['1', H, '100'], ['2', 'second', '100']]);
		assert.equal(ok(await post(`${hook}sale.paysystem.handler.update`, { ID: 2, FIELDS: { NAME: 'Second (renamed)', SORT: 50 } })), true);
		assert.equal(emu.state.paySystemHandlers.get(2)!.NAME, 'Second (renamed)');
		assertError(await post(`${hook}sale.paysystem.handler.update`, { ID: 9, FIELDS: { NAME: 'x' } }), 400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		assertError(await post(`${hook}sale.paysystem.handler.update`, { ID: 2 }), 400, 'ERROR_CHECK_FAILURE', 'Parameter FIELDS is not defined');
		assertError(await post(`${hook}sale.paysystem.handler.delete`, { ID: SEED_IDS.handlers.EMULATOR_CARD }), 400, 'ERROR_PAY_SYSTEM_DELETE', 'Pay system with handler EMULATOR_CARD exists!');
		assert.equal(ok(await post(`${hook}sale.paysystem.handler.delete`, { id: 2 })), true);
		assertError(await post(`${hook}sale.paysystem.handler.delete`, { ID: 2 }), 400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		assertError(await post(`${ro}sale.paysystem.handler.list`, {}), 403, 'ACCESS_DENIED');

		// number code style reaches the new families too
		emu.options.codeStyle = 'number';
		assertError(await post(`${hook}crm.item.payment.update`, { id: P.UNPAID, fields: { foo: 1 } }), 400, 0, 'Empty fields');
		assertError(await post(`${hook}salescenter.payment.getPublicUrl`, { id: 1 }), 400, 200640400001);
	} finally {
		await emu.stop();
	}
}

test('new methods: CRM payments and their lines, order payments, pay systems', newMethods);

test('limits: the leaky bucket and the operating-time window, as the portal counts them', async () => {
	const emu = await Bitrix24Emulator.start({ bucket: { rate: 10, burst: 5 } });
	try {
		const hook = emu.webhookUrl();
		// Five at once pass, the sixth is refused before it runs; 100 ms later one place has drained.
		const burst = await Promise.all(Array.from({ length: 6 }, async () => await call(`${hook}profile`)));
		assert.deepEqual(burst.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 503]);
		const refused = burst.find((a) => a.status === 503)!;
		assert.deepEqual(refused.json, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
		assert.equal(emu.refusedByBucket, 1);
		await new Promise((resolve) => setTimeout(resolve, 150));
		assert.equal((await call(`${hook}profile`)).status, 200);

		emu.reset();
		emu.options.bucket = null;
		emu.options.operating = { limit: 2, window: 1 };
		emu.options.methodCost = { 'crm.item.payment.get': 1 };
		const get = async () => await call(`${hook}crm.item.payment.get`, { json: { id: SEED_IDS.payments.UNPAID } });
		const first = await get();
		const second = await get();
		assert.equal(first.status, 200);
		assert.ok(Number(at(second.json, 'time', 'operating')) >= 2, 'operating sums the window');
		const resetAt = Number(at(first.json, 'time', 'operating_reset_at'));
		assert.ok(resetAt >= Date.now() / 1000 && resetAt <= Date.now() / 1000 + 2, `reset within the window: ${resetAt}`);
		const blocked = await get();
		assert.equal(blocked.status, 429);
		assert.deepEqual(blocked.json, { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' });
		assert.equal(emu.restCalls('crm.item.payment.get')[2].ran, undefined, 'refused before running');
		await new Promise((resolve) => setTimeout(resolve, 1100));
		assert.equal((await get()).status, 200, 'free again once the window has passed');

		// Faults: after running (state changed, no answer) and before (nothing ran).
		emu.reset();
		emu.injectFault({ kind: 'reset', method: 'crm.item.payment.pay', afterRun: true });
		await assert.rejects(call(`${hook}crm.item.payment.pay`, { json: { id: SEED_IDS.payments.UNPAID } }));
		assert.equal(emu.state.payments.get(SEED_IDS.payments.UNPAID)!.paid, 'Y');
		emu.injectFault({ kind: 'badGateway' });
		const proxy = await fetch(`${hook}crm.item.payment.get`, { method: 'POST' });
		assert.equal(proxy.status, 502);
		assert.match(await proxy.text(), /502 Bad Gateway/);
		assert.equal(emu.requests.at(-1)!.ran, undefined);
	} finally {
		await emu.stop();
	}
});

test('url: the address it gives out (webhook URLs, tokens) is the one set, while it listens where it was told', async () => {
	const emu = await Bitrix24Emulator.start({ url: 'http://host.docker.internal:8624/' });
	try {
		assert.equal(emu.baseUrl, 'http://host.docker.internal:8624');
		assert.equal(emu.webhookUrl(), 'http://host.docker.internal:8624/rest/1/k3y9xq2wz7m1hb5t/');
		assert.match(emu.listenAddress, /^127\.0\.0\.1:\d+$/);
		const token = await call(`http://${emu.listenAddress}/oauth/token/?${new URLSearchParams({
			grant_type: 'refresh_token',
			client_id: emu.oauthApp.clientId,
			client_secret: emu.oauthApp.clientSecret,
			refresh_token: emu.issueToken().refresh_token,
		})}`);
		assert.equal(token.status, 200);
		assert.equal(at(token.json, 'client_endpoint'), 'http://host.docker.internal:8624/rest/');
		assert.equal(at(token.json, 'server_endpoint'), 'http://host.docker.internal:8624/oauth/rest/');
	} finally {
		await emu.stop();
	}
});

test('sale.payment.list reads a datetime in a filter as strtotime(): an offset exactly, none in the server zone; unreadable drops the condition', async () => {
	const emu = await Bitrix24Emulator.start({ bucket: null });
	try {
		// Three order payments paid at 10:00, 10:30 and 11:00 UTC (the portal's zone is +03:00).
		const ids = emu.seedOrderPayments(3, { orderId: SEED_IDS.orders.PLAIN });
		ids.forEach((id, i) => emu.person.pay(id, { datePaid: `2024-04-10T${['10:00', '10:30', '11:00'][i]}:00Z` }));
		const list = async (filter: Record<string, unknown>) => {
			const answer = await call(`${emu.webhookUrl()}sale.payment.list`, { json: { filter: { orderId: SEED_IDS.orders.PLAIN, ...filter }, select: ['id'] } });
			assert.equal(answer.status, 200);
			return (at(answer.json, 'result', 'payments') as Array<{ id: number }>).map((p) => p.id);
		};
		assert.deepEqual(await list({ '>=datePaid': '2024-04-10T12:30:00+02:00' }), ids.slice(1), 'an offset: that instant, inclusive');
		assert.deepEqual(await list({ '>datePaid': '2024-04-10T10:30:00Z' }), ids.slice(2));
		assert.deepEqual(await list({ '>=datePaid': '2024-04-10T10:30:00.900Z' }), ids.slice(1), 'fractions dropped, as strtotime drops them');
		assert.deepEqual(await list({ '>=datePaid': '2024-04-10T13:30:00' }), ids.slice(1), 'no offset: the server zone (+03:00)');
		assert.deepEqual(await list({ '<datePaid': '10.04.2024 13:30:00' }), ids.slice(0, 1), 'the site format, in the server zone');
		for (const unreadable of ['yesterday-ish', '', '1970-01-01T00:00:00Z', '1712743200']) {
			assert.deepEqual(await list({ '>=datePaid': unreadable }), ids, `${JSON.stringify(unreadable)}: the condition is dropped, no error`);
		}
		assert.deepEqual(await list({ '>=DATE_PAID': '2024-04-10T11:00:00Z' }), ids, 'an UPPER key names no field (camel2snake garbles it)');
		assert.deepEqual(await list({ '>=date_paid': '2024-04-10T11:00:00Z' }), ids.slice(2));
	} finally {
		await emu.stop();
	}
});
