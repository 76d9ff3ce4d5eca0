/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator check: node:assert runs under jest, never shipped */
// The emulator's `batch` over real HTTP: commands run as plain calls would, references, halt, the 50-command
// limit, PHP array encoding of the answer, one bucket place per batch, operating time per command, faults.

import assert from 'node:assert/strict';

import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, SEED_IDS } from './server';

type Answer = { status: number; json: unknown };

const P = SEED_IDS.payments;
const TIME_KEYS = ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating'];

function obj(value: unknown): Record<string, unknown> {
	assert.ok(typeof value === 'object' && value !== null, `not an object: ${JSON.stringify(value)}`);
	return value as Record<string, unknown>;
}

function at(value: unknown, ...path: string[]): unknown {
	let cur = value;
	for (const key of path) cur = obj(cur)[key];
	return cur;
}

function arr(value: unknown): unknown[] {
	assert.ok(Array.isArray(value), `not an array: ${JSON.stringify(value)}`);
	return value;
}

async function call(url: string, init: { json?: unknown; form?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
	const headers: Record<string, string> = { ...init.headers };
	let body: string | undefined;
	if (init.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(init.json);
	} else if (init.form !== undefined) {
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		body = init.form;
	}
	const res = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, body });
	return { status: res.status, json: JSON.parse(await res.text()) };
}

/** The inner `result` block of a batch answer; fails unless the answer is a 200 with `result` and `time`. */
function inner(a: Answer): Record<string, unknown> {
	assert.equal(a.status, 200, JSON.stringify(a.json));
	assert.deepEqual(Object.keys(obj(a.json)), ['result', 'time']);
	const block = obj(at(a.json, 'result'));
	assert.deepEqual(Object.keys(block), ['result', 'result_error', 'result_total', 'result_next', 'result_time']);
	return block;
}

let emu: Bitrix24Emulator;
let hook: string;
const batch = async (body: unknown) => await call(`${hook}batch`, { json: body });

beforeAll(async () => {
	emu = await Bitrix24Emulator.start();
	hook = emu.webhookUrl();
});
afterEach(() => emu.reset());
afterAll(async () => await emu.stop());

test('map and list cmd: each command answers as its plain call, failures in result_error', async () => {
	let b = inner(await batch({ halt: 0, cmd: { pay: `crm.item.payment.pay?id=${P.UNPAID}`, get: `CRM.Item.Payment.Get.json?id=${P.UNPAID}` } }));
	assert.equal(at(b, 'result', 'pay'), true);
	assert.equal(at(b, 'result', 'get', 'paid'), 'Y', 'commands run in order, the second sees the first');
	assert.deepEqual(b.result_error, []);
	assert.deepEqual(b.result_total, []);
	assert.deepEqual(b.result_next, []);
	assert.deepEqual(Object.keys(obj(b.result_time)), ['pay', 'get']);
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'Y');

	// A list whose commands all succeed answers lists; a failure in the middle turns both maps into objects.
	b = inner(await batch({ cmd: ['scope', `crm.item.payment.get?id=${P.PAID}`] }));
	assert.deepEqual(arr(b.result)[0], ['crm', 'pay_system', 'sale', 'salescenter', 'user']);
	assert.equal(at(arr(b.result)[1], 'id'), P.PAID);
	assert.equal(arr(b.result_time).length, 2);

	b = inner(await batch({ cmd: ['profile', 'crm.item.payment.get?id=999999', 'crm.item.payment.nosuch', 'scope'] }));
	assert.deepEqual(Object.keys(obj(b.result)), ['0', '3']);
	assert.deepEqual(b.result_error, {
		1: { error: '0', error_description: 'Payment has not been found' },
		2: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
	});
	assert.deepEqual(Object.keys(obj(b.result_time)), ['0', '3'], 'no time for failed commands');

	// Non-string commands are skipped: nowhere in the answer, not run.
	b = inner(await batch({ cmd: { a: 5, b: 'profile', c: { x: 1 } } }));
	assert.deepEqual(Object.keys(obj(b.result)), ['b']);
	assert.deepEqual(b.result_error, []);

	// No commands at all: every map is [].
	for (const body of [{}, { cmd: {} }, { cmd: [] }, { cmd: 'profile' }]) {
		assert.deepEqual(at((await batch(body)).json, 'result'), { result: [], result_error: [], result_total: [], result_next: [], result_time: [] });
	}
});

test('command queries decode as parse_str does; form and OAuth batches', async () => {
	const odd = 'a%2Bb%26c%3D%25d%3F%23';
	const text = 'Оплата №5 — ünïcödé';
	let b = inner(await batch({
		cmd: {
			odd: `sale.payment.update?id=${P.SALE_DOC}&fields[paySystemId]=1&fields[comments]=${odd}`,
			raw: `sale.payment.update?id=${P.UNPAID}&fields[paySystemId]=2&fields[comments]=${text}&fields[xmlId]=a+b`,
			enc: `sale.payment.update?id=${P.UNPAID_2}&fields[paySystemId]=2&fields[comments]=${encodeURIComponent(text)}`,
			frag: `sale.payment.update?id=${P.PAID}&fields[paySystemId]=2&fields[comments]=cut#here&fields[xmlId]=lost`,
		},
	}));
	assert.deepEqual(b.result_error, []);
	assert.equal(emu.state.payments.get(P.SALE_DOC)!.comments, 'a+b&c=%d?#');
	assert.equal(emu.state.payments.get(P.UNPAID)!.comments, text);
	assert.equal(emu.state.payments.get(P.UNPAID)!.xmlId, 'a b', '"+" is a space');
	assert.equal(emu.state.payments.get(P.UNPAID_2)!.comments, text);
	assert.equal(emu.state.payments.get(P.PAID)!.comments, 'cut', 'parse_url: an unencoded "#" starts the fragment');
	assert.deepEqual(emu.methodCalls('sale.payment.update')[0].params, { id: String(P.SALE_DOC), fields: { paySystemId: '1', comments: 'a+b&c=%d?#' } });

	// Form body with PHP brackets, halt and cmd read from it; the .json suffix on batch itself.
	const form = `halt=0&cmd[g]=${encodeURIComponent(`crm.item.payment.get?id=${P.UNPAID}`)}&cmd[s]=scope`;
	b = inner(await call(`${hook}batch.json`, { form }));
	assert.equal(at(b, 'result', 'g', 'id'), P.UNPAID);

	// OAuth: /rest/batch with the token; the commands run as that token's caller.
	const token = emu.issueToken({ userId: 7, scopes: ['crm'] });
	b = inner(await call(`${emu.baseUrl}/rest/batch`, { json: { auth: token.access_token, cmd: { p: 'profile', s: `sale.payment.get?id=${P.UNPAID}`, w: `crm.item.payment.pay?id=${P.UNPAID_2}` } } }));
	assert.equal(at(b, 'result', 'p', 'ID'), '7');
	assert.deepEqual(at(b, 'result_error', 's'), { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token' });
	assert.deepEqual(at(b, 'result_error', 'w'), { error: 'ACCESS_DENIED', error_description: 'Access denied.' });

	// Auth is checked for the batch as for any method, with the same error answers.
	const bad = await call(`${emu.baseUrl}/rest/1/wrong/batch`, { json: { cmd: ['profile'] } });
	assert.deepEqual([bad.status, at(bad.json, 'error')], [401, 'INVALID_CREDENTIALS']);
	const crmOnly = emu.webhookUrl(CRM_ONLY_WEBHOOK.userId, CRM_ONLY_WEBHOOK.secret);
	b = inner(await call(`${crmOnly}batch`, { json: { cmd: [`crm.item.payment.get?id=${P.UNPAID}`, `sale.payment.get?id=${P.UNPAID}`] } }));
	assert.equal(at(b, 'result_error', '1', 'error'), 'insufficient_scope');
});

test('batch keys in any case: CMD and Halt count (methodsBatch upper-cases them)', async () => {
	const b = inner(await batch({ CMD: { a: `crm.item.payment.get?id=999999`, b: 'scope' }, Halt: 1 }));
	assert.deepEqual(Object.keys(obj(b.result_error)), ['a']);
	assert.deepEqual(b.result, []);
});

test('halt: read with PHP truthiness, stops at the first failure', async () => {
	const cmd = [`crm.item.payment.pay?id=${P.UNPAID}`, 'crm.item.payment.get?id=999999', `crm.item.payment.pay?id=${P.UNPAID_2}`];
	for (const halt of [0, '0', '', false, undefined]) {
		emu.reset();
		const b = inner(await batch({ halt, cmd }));
		assert.deepEqual(Object.keys(obj(b.result)), ['0', '2'], `halt ${JSON.stringify(halt)}`);
		assert.equal(emu.state.payments.get(P.UNPAID_2)!.paid, 'Y');
	}
	for (const halt of [1, '1', true, 'false', 'N']) {
		emu.reset();
		const b = inner(await batch({ halt, cmd }));
		assert.deepEqual(b.result, [true], `halt ${JSON.stringify(halt)}`);
		assert.deepEqual(Object.keys(obj(b.result_error)), ['1']);
		assert.deepEqual(Object.keys(obj(b.result_time)), ['0'], 'the third appears nowhere');
		assert.equal(emu.state.payments.get(P.UNPAID_2)!.paid, 'N', 'the third did not run');
		assert.deepEqual(emu.methodCalls().map((c) => [c.method, c.ran]), [['crm.item.payment.pay', true], ['crm.item.payment.get', false]]);
	}
});

test('at most 50 commands run; nested batch is refused', async () => {
	const cmd = Array.from({ length: 52 }, () => `crm.item.payment.get?id=${P.UNPAID}`);
	let b = inner(await batch({ cmd }));
	assert.equal(Object.keys(obj(b.result)).length, 50);
	assert.deepEqual(b.result_error, {
		50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
		51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
	});
	const calls = emu.methodCalls('crm.item.payment.get');
	assert.equal(calls.length, 52);
	assert.equal(calls.filter((c) => c.ran).length, 50);
	assert.deepEqual(calls[50], { method: 'crm.item.payment.get', params: { id: String(P.UNPAID) }, via: 'batch', ran: false, error: 'ERROR_BATCH_LENGTH_EXCEEDED' });
	assert.equal(emu.restCalls().length, 1, 'one request');

	b = inner(await batch({ cmd: { inner: 'batch?cmd[x]=profile', also: 'BATCH.json', p: 'profile' } }));
	const refused = { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };
	assert.deepEqual(b.result_error, { inner: refused, also: refused });
	assert.deepEqual(Object.keys(obj(b.result)), ['p']);
});

test('references as processBatchElement reads them: any earlier answer, greedy to the next space, case-insensitive names, no escape', async () => {
	const b = inner(await batch({
		cmd: {
			early: 'profile?x=$result[get][id]',
			get: `crm.item.payment.get?id=${P.UNPAID}`,
			scopes: 'scope',
			bad: 'crm.item.payment.get?id=999999',
			pay: 'crm.item.payment.pay?id=$result[get][id]',
			upd: `sale.payment.update?id=$result[get][id]&fields[paySystemId]=$result[get][paySystemId]&fields[comments]=${encodeURIComponent('sum $result[get][sum] $result[get][currency]; $result[get][nope] $result[scopes] end')}`,
			raw:
				'profile?list=$result[scopes]&first=$result[scopes][0]&char=$result[get][currency][1]&missing=$result[get][nope][deeper]' +
				'&err=$error[bad][error]&errDescription=$error_description[bad]&lower=$Result[get][id]&plural=$results[get][id]' +
				'&dollar=price%20$5&alone=$result&total=$total&spaced=$result%20[get]&nested[a][]=$result[get][paid]&encoded=%24result%5Bget%5D%5Bid%5D',
		},
	}));
	assert.deepEqual(Object.keys(obj(b.result_error)), ['bad']);
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'Y', 'id taken from an earlier result');
	// Inside text: each match runs to the next space ("$result[get][currency];" takes the semicolon with it); a value
	// that is not a string or number (the payment, a list) leaves its text as it was.
	assert.equal(emu.state.payments.get(P.UNPAID)!.comments, 'sum 100 USD $result[get][nope] $result[scopes] end');
	const params = (key: string) => emu.restCalls('batch')[0].commands!.find((c) => c.key === key)!.params;
	// The first command is read too: `$result` is there from the start, empty, and a missing step stops the walk.
	assert.deepEqual(params('early'), { x: {} });
	assert.deepEqual(params('pay'), { id: P.UNPAID }, 'the raw number');
	const raw = params('raw');
	assert.deepEqual(raw.list, ['crm', 'pay_system', 'sale', 'salescenter', 'user']);
	assert.equal(raw.first, 'crm');
	assert.equal(raw.char, 'S', 'a string is indexed by offset');
	assert.equal(obj(raw.missing).id, P.UNPAID, 'the walk stops at the first missing step: the payment');
	assert.equal(raw.err, '0');
	// `$error_description[bad]` is `$error` with the path `_description[bad]`: the whole error answer.
	assert.deepEqual(raw.errDescription, { error: '0', error_description: 'Payment has not been found' });
	assert.equal(raw.lower, null, 'a name in another case matches but finds no value');
	assert.equal(raw.plural, P.UNPAID, '`$results[...]` is `$result` with the path `s[...]`');
	assert.deepEqual([raw.dollar, raw.alone, raw.total, raw.spaced], ['price $5', '$result', '$total', '$result [get]']);
	assert.deepEqual(raw.nested, { a: ['N'] });
	assert.equal(raw.encoded, P.UNPAID, 'URL-encoding is no escape: the query is decoded first');
});

test('one bucket place per batch, whatever its length', async () => {
	const tight = await Bitrix24Emulator.start({ bucket: { rate: 0.001, burst: 2 } });
	try {
		const url = `${tight.webhookUrl()}batch`;
		const ten = { cmd: Array.from({ length: 10 }, () => 'profile') };
		for (let i = 0; i < 2; i++) assert.equal(arr(inner(await call(url, { json: ten })).result).length, 10);
		const third = await call(`${tight.webhookUrl()}profile`);
		assert.deepEqual([third.status, third.json], [503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }]);
		const refusedBatch = await call(url, { json: ten });
		assert.equal(refusedBatch.status, 503);
		assert.equal(tight.refusedByBucket, 2);
		assert.equal(tight.restCalls('batch')[2].commands, undefined, 'refused before any command');
	} finally {
		await tight.stop();
	}
});

test('operating time: per command under its method, and for the batch itself', async () => {
	emu.options.bucket = null;
	emu.options.operating = { limit: 2, window: 60 };
	emu.options.methodCost = { 'crm.item.payment.get': 1 };
	const get = `crm.item.payment.get?id=${P.UNPAID}`;
	const b = inner(await batch({ cmd: [get, get, get, 'profile', get] }));
	assert.deepEqual(Object.keys(obj(b.result)), ['0', '1', '3']);
	const blocked = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };
	assert.deepEqual(b.result_error, { 2: blocked, 4: blocked });
	assert.ok(Number(at(b, 'result_time', '1', 'operating')) >= 2);
	assert.ok(Number(at(b, 'result_time', '3', 'operating')) < 1, 'profile has its own budget');
	assert.deepEqual(emu.methodCalls('crm.item.payment.get').map((c) => c.ran), [true, true, false, false]);
	// The same key as a plain call of the method.
	const plain = await call(`${hook}crm.item.payment.get`, { json: { id: P.UNPAID } });
	assert.deepEqual([plain.status, plain.json], [429, blocked]);

	// The batch is charged under its own key like any method.
	emu.options.methodCost = { batch: 5 };
	assert.equal((await batch({ cmd: ['profile'] })).status, 200);
	const second = await batch({ cmd: ['profile'] });
	assert.deepEqual([second.status, second.json], [429, blocked]);
	assert.equal((await call(`${hook}profile`)).status, 200);
});

test('result_time is a plain time block; result_total / result_next for list pages', async () => {
	const ids = emu.seedOrderPayments(120);
	const list = `sale.payment.list?select[]=id&filter[orderId]=${SEED_IDS.orders.PLAIN}&order[id]=asc`;
	const a = await batch({ cmd: { p1: list, p2: `${list}&start=50`, p3: `${list}&start=100`, nocount: `${list}&start=-1` } });
	const b = inner(a);
	assert.deepEqual(b.result_total, { p1: 120, p2: 120, p3: 120 });
	assert.deepEqual(b.result_next, { p1: 50, p2: 100 });
	assert.deepEqual(arr(at(b, 'result', 'p3', 'payments')).map((p) => at(p, 'id')), ids.slice(100));
	assert.equal(arr(at(b, 'result', 'nocount', 'payments')).length, 50);
	for (const key of ['p1', 'p2', 'p3', 'nocount']) {
		const time = obj(at(b, 'result_time', key));
		assert.deepEqual(Object.keys(time), TIME_KEYS);
		assert.equal(typeof time.operating, 'number');
		assert.ok(Number(time.operating_reset_at) > Date.now() / 1000);
		assert.match(String(time.date_start), /\+03:00$/);
	}
	assert.deepEqual(Object.keys(obj(at(a.json, 'time'))), TIME_KEYS, 'the outer time block');
	assert.deepEqual(emu.restCalls('batch')[0].commands![1].params, { select: ['id'], filter: { orderId: '202' }, order: { id: 'asc' }, start: '50' });
});

test('both code styles inside result_error', async () => {
	const cmd = { nf: 'crm.item.payment.get?id=999999', missing: 'crm.item.payment.get', sale: 'sale.payment.get?id=4242' };
	assert.deepEqual(inner(await batch({ cmd })).result_error, {
		nf: { error: '0', error_description: 'Payment has not been found' },
		missing: { error: '100', error_description: 'Could not find value for parameter {id}' },
		sale: { error: '200640400001', error_description: 'payment is not exists' },
	});
	emu.options.codeStyle = 'number';
	const errors = obj(inner(await batch({ cmd })).result_error);
	assert.deepEqual([at(errors, 'nf', 'error'), at(errors, 'missing', 'error'), at(errors, 'sale', 'error')], [0, 100, 200640400001]);
	assert.deepEqual(emu.methodCalls().slice(-3).map((c) => c.error), ['0', '100', '200640400001'], 'the log keeps codes as strings');
});

test('faults: per command for JSON kinds, on the outer request otherwise', async () => {
	const pay = (id: number) => `crm.item.payment.pay?id=${id}`;
	// afterRun: the command ran (state changed), then its error is reported; without it, nothing ran.
	emu.injectFault({ kind: 'serverError', method: 'crm.item.payment.pay', afterRun: true });
	let b = inner(await batch({ cmd: [pay(P.UNPAID), `crm.item.payment.get?id=${P.UNPAID}`] }));
	// PHP: a map with the single key 0 is a list, one with the single key 1 is an object.
	assert.deepEqual(b.result_error, [{ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }]);
	assert.deepEqual(Object.keys(obj(b.result)), ['1']);
	assert.ok(!Array.isArray(b.result));
	assert.equal(at(b, 'result', '1', 'paid'), 'Y');
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'Y');

	emu.reset();
	emu.injectFault({ kind: 'queryLimit', method: 'CRM.ITEM.PAYMENT.PAY', times: 2 });
	emu.injectFault({ kind: 'overload', method: 'profile' });
	emu.injectFault({ kind: 'operationTimeLimit', method: 'scope' });
	b = inner(await batch({ cmd: [pay(P.UNPAID), pay(P.UNPAID_2), pay(P.UNPAID_2), 'profile', 'scope'] }));
	assert.deepEqual(b.result_error, {
		0: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
		1: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
		3: { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' },
		4: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' },
	});
	assert.deepEqual(Object.keys(obj(b.result)), ['2'], '`times` counts commands');
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'N');
	assert.equal(emu.state.payments.get(P.UNPAID_2)!.paid, 'Y');
	assert.deepEqual(emu.methodCalls().map((c) => [c.ran, c.fault]), [
		[false, 'queryLimit'], [false, 'queryLimit'], [true, undefined], [false, 'overload'], [false, 'operationTimeLimit'],
	]);

	// A transport fault naming a method waits for a plain request of it.
	emu.reset();
	emu.injectFault({ kind: 'reset', method: 'crm.item.payment.get' });
	assert.deepEqual(inner(await batch({ cmd: [`crm.item.payment.get?id=${P.UNPAID}`] })).result_error, []);
	await assert.rejects(call(`${hook}crm.item.payment.get?id=${P.UNPAID}`));

	// A fault with no method hits the outer request, before any command.
	emu.reset();
	emu.injectFault({ kind: 'serverError', times: 2 });
	let a = await batch({ cmd: [pay(P.UNPAID), pay(P.UNPAID_2)] });
	assert.deepEqual([a.status, a.json], [500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }]);
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'N');
	assert.equal(emu.restCalls('batch')[0].commands, undefined);
	assert.equal((await call(`${hook}profile`)).status, 500, 'the second hit is the next request, not a command');

	// The portal ran every command, then the connection dropped.
	emu.reset();
	emu.injectFault({ kind: 'reset', method: 'batch', afterRun: true });
	await assert.rejects(batch({ cmd: [pay(P.UNPAID), pay(P.UNPAID_2)] }));
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'Y');
	assert.equal(emu.state.payments.get(P.UNPAID_2)!.paid, 'Y');
	const rec = emu.restCalls('batch')[0];
	assert.deepEqual([rec.fault, rec.ran, rec.status], ['reset', true, 0]);
	assert.deepEqual(rec.commands!.map((c) => [c.key, c.method, c.ran, c.result]), [['0', 'crm.item.payment.pay', true, true], ['1', 'crm.item.payment.pay', true, true]]);

	// Outer faults of the other kinds, before running.
	emu.reset();
	emu.injectFault({ kind: 'overload', method: 'Batch' });
	a = await batch({ cmd: [pay(P.UNPAID)] });
	assert.deepEqual([a.status, at(a.json, 'error')], [401, 'OVERLOAD_LIMIT']);
	emu.injectFault({ kind: 'htmlPage', method: 'batch' });
	const html = await fetch(`${hook}batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd: [pay(P.UNPAID)] }) });
	assert.equal(html.status, 200);
	assert.match(await html.text(), /<html>/);
	assert.equal(emu.state.payments.get(P.UNPAID)!.paid, 'N');
	assert.deepEqual(emu.methodCalls(), [], 'outer requests are not method calls, and no command ran');
});

test('methodCalls: plain requests and batch commands in order', async () => {
	await call(`${hook}crm.item.payment.pay`, { json: { id: P.UNPAID } });
	await batch({ cmd: { a: `crm.item.payment.get?id=${P.UNPAID}`, b: 'crm.item.payment.get?id=1' } });
	await call(`${emu.baseUrl}/rest/1/wrong/crm.item.payment.get`, { json: { id: P.UNPAID } });
	const token = emu.issueToken();
	await call(`${emu.baseUrl}/rest/profile`, { json: { auth: token.access_token } });
	assert.deepEqual(emu.methodCalls(), [
		{ method: 'crm.item.payment.pay', params: { id: P.UNPAID }, via: 'request', ran: true, status: 200 },
		{ method: 'crm.item.payment.get', params: { id: String(P.UNPAID) }, via: 'batch', ran: true },
		{ method: 'crm.item.payment.get', params: { id: '1' }, via: 'batch', ran: false, error: '0' },
		{ method: 'crm.item.payment.get', params: { id: P.UNPAID }, via: 'request', ran: false, error: 'INVALID_CREDENTIALS', status: 401 },
		{ method: 'profile', params: {}, via: 'request', ran: true, status: 200 },
	]);
	assert.equal(emu.methodCalls('CRM.ITEM.PAYMENT.GET').length, 3);
	assert.equal(emu.restCalls().length, 4, 'restCalls still lists requests, the batch as one');
});
