/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator check: node:assert runs under jest, never shipped */
// The emulator itself, over real HTTP with fetch: every method, error, auth path and code style answers as the
// Bitrix24 docs and the portal's code say. The node's tests trust it, so it is checked on its own first.

import assert from 'node:assert/strict';

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
