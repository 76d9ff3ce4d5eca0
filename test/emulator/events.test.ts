/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only emulator check: a node:http receiver stands in for the handlers, timers wait out the queue's delay, never shipped */
// The emulator's events over real HTTP: event.bind / unbind / get as the portal's rest module answers them, outgoing
// webhooks, and what the event queue posts to handlers after payments are saved or deleted by any method.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { parsePhpQuery } from './php';
import { Bitrix24Emulator, SEED_IDS, type OAuthTokenData } from './server';

type Answer = { status: number; json: Record<string, unknown> };

const P = SEED_IDS.payments;

async function call(url: string, json: unknown = {}): Promise<Answer> {
	const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
	return { status: res.status, json: JSON.parse(await res.text()) as Record<string, unknown> };
}

interface Received {
	path: string;
	contentType: string | undefined;
	body: string;
	at: number;
}

/** A handler server: records every POST; `/fail` answers 500, `/slow` answers after 150 ms, the rest 200. */
class Receiver {
	readonly received: Received[] = [];
	private server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const path = req.url ?? '/';
			this.received.push({ path, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
			const answer = () => {
				res.writeHead(path.startsWith('/fail') ? 500 : 200, { 'Content-Type': 'text/plain' });
				res.end('ok');
			};
			if (path.startsWith('/slow')) setTimeout(answer, 150);
			else answer();
		});
	});
	url = '';

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	paths(): string[] {
		return this.received.map((r) => r.path);
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

/** A URL nothing listens on (a port that was just freed). */
async function deadUrl(): Promise<string> {
	const s = http.createServer();
	await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
	const port = (s.address() as AddressInfo).port;
	await new Promise<void>((resolve) => s.close(() => resolve()));
	return `http://127.0.0.1:${port}/hook`;
}

let emu: Bitrix24Emulator;
let rx: Receiver;
let hook: string;
let token: OAuthTokenData;
const oauth = (method: string, params: Record<string, unknown> = {}, t: OAuthTokenData = token) =>
	call(`${emu.baseUrl}/rest/${method}`, { ...params, auth: t.access_token });

beforeAll(async () => {
	emu = await Bitrix24Emulator.start({ bucket: null });
	rx = new Receiver();
	await rx.start();
});
beforeEach(() => {
	hook = emu.webhookUrl();
	token = emu.issueToken();
});
afterEach(async () => {
	await emu.deliveriesSettled();
	emu.reset();
	rx.received.length = 0;
});
afterAll(async () => {
	await emu.stop();
	await rx.stop();
});

test('bind via OAuth, pay through crm.item.payment.pay: one ONPAYMENTENTITYSAVED with the exact form fields', async () => {
	const handler = `${rx.url}/b24/events?source=app`;
	const bound = await oauth('event.bind', { event: 'OnPaymentEntitySaved', handler });
	expect(bound.status).toBe(200);
	expect(bound.json.result).toBe(true);
	const row = emu.state.eventHandlers[0];
	expect(row).toMatchObject({ clientId: emu.oauthApp.clientId, event: 'ONPAYMENTENTITYSAVED', handler, userId: 0 });

	const before = Math.floor(Date.now() / 1000);
	expect((await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID })).json.result).toBe(true);
	await emu.deliveriesSettled();

	expect(rx.received).toHaveLength(1);
	const got = rx.received[0];
	expect(got.path).toBe('/b24/events?source=app');
	expect(got.contentType).toBe('application/x-www-form-urlencoded');
	// http_build_query: brackets escaped, keys in the portal's order.
	expect(got.body.split('&').map((p) => decodeURIComponent(p.split('=')[0]))).toEqual([
		'event', 'event_handler_id', 'data[FIELDS][ID]', 'ts',
		'auth[access_token]', 'auth[expires_in]', 'auth[scope]', 'auth[domain]', 'auth[server_endpoint]', 'auth[status]',
		'auth[client_endpoint]', 'auth[member_id]', 'auth[application_token]',
	]);
	expect(got.body).toContain('data%5BFIELDS%5D%5BID%5D=1038');
	const form = parsePhpQuery(got.body) as Record<string, Record<string, unknown>> & Record<string, unknown>;
	const auth = form.auth as Record<string, string>;
	expect(form.event).toBe('ONPAYMENTENTITYSAVED');
	expect(form.event_handler_id).toBe(String(row.id));
	expect(form.data).toEqual({ FIELDS: { ID: '1038' } });
	expect(Number(form.ts)).toBeGreaterThanOrEqual(before);
	expect(Number(form.ts)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
	expect(auth).toMatchObject({
		expires_in: '3600',
		scope: emu.oauthApp.scopes.join(','),
		domain: new URL(emu.baseUrl).host,
		server_endpoint: `${emu.baseUrl}/oauth/rest/`,
		status: 'L',
		client_endpoint: `${emu.baseUrl}/rest/`,
		member_id: emu.state.memberId,
		application_token: emu.oauthApp.applicationToken,
	});
	expect(auth.refresh_token).toBeUndefined();
	// A fresh token of the app for the user who paid (webhook user 1): it works.
	expect(auth.access_token).toMatch(/^[0-9a-f]{32}$/);
	expect(auth.access_token).not.toBe(token.access_token);
	const get = await call(`${emu.baseUrl}/rest/crm.item.payment.get`, { id: P.UNPAID, auth: auth.access_token });
	expect(get.json.result).toMatchObject({ id: P.UNPAID, paid: 'Y' });
	expect(emu.state.tokens.get(auth.access_token)).toMatchObject({ userId: 1, clientId: emu.oauthApp.clientId });

	expect(emu.deliveries()).toEqual([
		{ event: 'ONPAYMENTENTITYSAVED', paymentId: P.UNPAID, handler, kind: 'app', eventHandlerId: row.id, body: got.body, status: 200, at: expect.any(Number) },
	]);
});

test('a batch of 3 pays: 3 deliveries, in command order', async () => {
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/hook` });
	const c = await call(`${hook}batch`, {
		cmd: { a: `crm.item.payment.pay?id=${P.UNPAID}`, b: `crm.item.payment.pay?id=${P.UNPAID_2}`, c: `crm.item.payment.pay?id=${P.FLAKY}` },
	});
	expect(c.json.result).toMatchObject({ result: { a: true, b: true, c: true } });
	await emu.deliveriesSettled();
	expect(emu.deliveries().map((d) => d.paymentId)).toEqual([P.UNPAID, P.UNPAID_2, P.FLAKY]);
	expect(emu.deliveries().every((d) => d.status === 200 && d.event === 'ONPAYMENTENTITYSAVED')).toBe(true);
	const sentIds = () => rx.received.map((r) => (parsePhpQuery(r.body).data as { FIELDS: { ID: string } }).FIELDS.ID);
	expect(sentIds()).toEqual([P.UNPAID, P.UNPAID_2, P.FLAKY].map(String));

	// The same through sale.payment.update commands (shop payments crm.item.payment.* cannot see).
	const ids = emu.seedOrderPayments(3);
	const b = await call(`${hook}batch`, { cmd: ids.map((id) => `sale.payment.update?id=${id}&fields[paid]=Y&fields[paySystemId]=2`) });
	expect((b.json.result as Record<string, unknown>).result_error).toEqual([]);
	await emu.deliveriesSettled();
	expect(sentIds().slice(3)).toEqual(ids.map(String));
});

test('outgoing webhook: application_token of the webhook, no OAuth tokens', async () => {
	const { id, applicationToken } = emu.addOutgoingWebhook({ handler: `${rx.url}/outgoing`, events: ['OnPaymentEntitySaved', 'onpaymentdeleted'] });
	expect(id).toBe(1);
	expect(applicationToken).toMatch(/^[0-9a-f]{32}$/);
	expect(applicationToken).not.toBe(emu.oauthApp.applicationToken);
	expect(emu.state.eventHandlers.map((h) => h.event)).toEqual(['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED']);

	await call(`${hook}crm.item.payment.unpay`, { id: P.PAID });
	await emu.deliveriesSettled();
	expect(rx.received).toHaveLength(1);
	const form = parsePhpQuery(rx.received[0].body);
	expect(form.event_handler_id).toBe(String(emu.state.eventHandlers[0].id));
	expect(form.auth).toEqual({
		domain: new URL(emu.baseUrl).host,
		client_endpoint: `${emu.baseUrl}/rest/`,
		server_endpoint: `${emu.baseUrl}/oauth/rest/`,
		member_id: emu.state.memberId,
		application_token: applicationToken,
	});
	expect(Object.keys(form.auth as object)).toEqual(['domain', 'client_endpoint', 'server_endpoint', 'member_id', 'application_token']);
	expect(emu.deliveries()[0]).toMatchObject({ kind: 'outgoing', paymentId: P.PAID, status: 200 });
	expect(() => emu.addOutgoingWebhook({ handler: rx.url, events: ['ONCRMDEALADD'] })).toThrow(/unknown event/);
});

test('an inbound webhook gets WRONG_AUTH_TYPE from event.bind, event.unbind and event.get', async () => {
	for (const method of ['event.bind', 'event.unbind', 'event.get']) {
		const a = await call(`${hook}${method}`, { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/hook` });
		expect(a).toEqual({ status: 403, json: { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' } });
	}
	// Inside a batch too.
	const b = await call(`${hook}batch`, { cmd: ['event.get'] });
	expect((b.json.result as Record<string, unknown>).result_error).toEqual([
		{ error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' },
	]);
	expect(emu.state.eventHandlers).toEqual([]);
});

test('event.bind: duplicates, unknown events, missing scope, bad handlers, bad arguments', async () => {
	const handler = `${rx.url}/hook`;
	expect((await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler })).json.result).toBe(true);
	const dup = { status: 400, json: { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' } };
	expect(await oauth('event.bind', { event: 'onPaymentEntitySaved', handler })).toEqual(dup);
	expect(await oauth('event.bind', { EVENT: 'ONPAYMENTENTITYSAVED', HANDLER: handler, auth_type: 0 })).toEqual(dup);
	// Another auth_type or handler is another binding.
	expect((await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler, auth_type: 7 })).json.result).toBe(true);
	expect(await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler, auth_type: '7' })).toEqual(dup);

	const notFound = { status: 400, json: { error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' } };
	expect(await oauth('event.bind', { event: 'ONCRMDEALADD', handler })).toEqual(notFound);
	const crmOnly = emu.issueToken({ scopes: ['crm'] });
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler }, crmOnly)).toEqual(notFound);

	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler: 'http://localhost:3000/hook' })).toEqual({
		status: 400,
		json: { error: 'ERROR_WRONG_HANDLER_URL', error_description: 'Wrong handler URL' },
	});
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler: 'ftp://files.example.com/hook' })).toEqual({
		status: 400,
		json: { error: 'ERROR_UNSUPPORTED_PROTOCOL', error_description: 'Unsupported handler protocol' },
	});
	expect(await oauth('event.bind', { handler })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: "Argument 'EVENT' is null or empty", argument: 'EVENT' },
	});
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED' })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: "Argument 'HANDLER' is null or empty", argument: 'HANDLER' },
	});
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler, event_type: 'sometimes' })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: 'Value must be one of {online|offline}', argument: 'EVENT_TYPE' },
	});

	// A non-admin binds for themselves only, and no offline events.
	const carl = emu.issueToken({ userId: 9 });
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler, auth_type: 1 }, carl)).toEqual({
		status: 403,
		json: { error: 'ACCESS_DENIED', error_description: 'Access denied! Event binding with AUTH_TYPE requires administrator access rights' },
	});
	expect(await oauth('event.bind', { event: 'ONPAYMENTDELETED', event_type: 'offline' }, carl)).toEqual({
		status: 403,
		json: { error: 'ACCESS_DENIED', error_description: 'Access denied! Offline events binding requires administrator access rights' },
	});
	expect((await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler }, carl)).json.result).toBe(true);
	expect(emu.state.eventHandlers.map((h) => [h.event, h.userId])).toEqual([
		['ONPAYMENTENTITYSAVED', 0],
		['ONPAYMENTENTITYSAVED', 7],
		['ONPAYMENTDELETED', 9],
	]);
});

test('event.get lists the app\'s bindings; event.unbind answers the count it removed', async () => {
	const handler = `${rx.url}/hook`;
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler });
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler, auth_type: 7 });
	await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler });
	await oauth('event.bind', { event: 'ONPAYMENTDELETED', event_type: 'OFFLINE' });
	expect((await oauth('event.get')).json.result).toEqual([
		{ event: 'ONPAYMENTENTITYSAVED', handler, auth_type: '0', offline: 0 },
		{ event: 'ONPAYMENTENTITYSAVED', handler, auth_type: '7', offline: 0 },
		{ event: 'ONPAYMENTDELETED', handler, auth_type: '0', offline: 0 },
		{ event: 'ONPAYMENTDELETED', connector_id: '', offline: 1 },
	]);

	// Bindings belong to the app: another app sees none and removes none.
	const other = emu.addOAuthApp({ clientId: 'local.other.app', clientSecret: 'other-secret' });
	const otherToken = emu.issueToken({ clientId: other.clientId });
	expect((await oauth('event.get', {}, otherToken)).json.result).toEqual([]);
	expect((await oauth('event.unbind', { event: 'ONPAYMENTENTITYSAVED', handler }, otherToken)).json.result).toEqual({ count: 0 });
	// A non-admin of this app sees only their own.
	expect((await oauth('event.get', {}, emu.issueToken({ userId: 7 }))).json.result).toEqual([
		{ event: 'ONPAYMENTENTITYSAVED', handler, auth_type: '7', offline: 0 },
	]);

	expect((await oauth('event.unbind', { event: 'onpaymententitysaved', handler, auth_type: 0 })).json.result).toEqual({ count: 1 });
	expect((await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler })).json.result).toBe(true);
	// No auth_type (an admin): every user's binding of that event and handler.
	expect((await oauth('event.unbind', { event: 'ONPAYMENTENTITYSAVED', handler })).json.result).toEqual({ count: 2 });
	expect((await oauth('event.unbind', { event: 'ONPAYMENTENTITYSAVED', handler })).json.result).toEqual({ count: 0 });
	expect((await oauth('event.unbind', { event: 'ONPAYMENTDELETED', event_type: 'offline' })).json.result).toEqual({ count: 1 });
	expect((await oauth('event.unbind', { event: 'ONPAYMENTDELETED' })).json).toEqual({
		error: 'ERROR_ARGUMENT',
		error_description: "Argument 'HANDLER' is null or empty",
		argument: 'HANDLER',
	});
	expect((await oauth('event.unbind', { event: 'ONPAYMENTDELETED', handler, auth_type: 1 }, emu.issueToken({ userId: 9 }))).json).toEqual({
		error: 'ACCESS_DENIED',
		error_description: 'Access denied! Event unbinding with AUTH_TYPE requires administrator access rights',
	});
	expect((await oauth('event.get')).json.result).toEqual([{ event: 'ONPAYMENTDELETED', handler, auth_type: '0', offline: 0 }]);
});

test('delete fires ONPAYMENTDELETED; add, lines and sale/pay-system writes fire ONPAYMENTENTITYSAVED; no change, no event', async () => {
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/saved` });
	await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler: `${rx.url}/deleted` });

	expect((await call(`${hook}crm.item.payment.delete`, { id: P.UNPAID_2 })).json.result).toBe(true);
	const added = (await call(`${hook}crm.item.payment.add`, { entityTypeId: 2, entityId: 10 })).json.result as number;
	await call(`${hook}crm.item.payment.product.add`, { paymentId: added, rowId: SEED_IDS.productRows.ROW_A, quantity: 1 });
	await call(`${hook}sale.payment.update`, { id: P.SALE_DOC, fields: { paySystemId: 1, comments: 'checked' } });
	await call(`${hook}sale.paysystem.pay.payment`, { PAYMENT_ID: P.UNPAID, PAY_SYSTEM_ID: 2 });
	await emu.deliveriesSettled();
	expect(emu.deliveries().map((d) => [d.event, d.paymentId])).toEqual([
		['ONPAYMENTDELETED', P.UNPAID_2],
		['ONPAYMENTENTITYSAVED', added],
		['ONPAYMENTENTITYSAVED', added],
		['ONPAYMENTENTITYSAVED', P.SALE_DOC],
		['ONPAYMENTENTITYSAVED', P.UNPAID],
	]);
	expect(parsePhpQuery(emu.deliveries()[0].body)).toMatchObject({ event: 'ONPAYMENTDELETED', data: { FIELDS: { ID: String(P.UNPAID_2) } } });
	expect(rx.paths()[0]).toBe('/deleted');

	// Saving what is already there changes nothing: Payment::save() fires no event. Nor do failed calls, reads,
	// a pay system whose save fails (the flaky one), or the handler that refuses.
	const n = emu.deliveries().length;
	await call(`${hook}crm.item.payment.pay`, { id: P.PAID });
	await call(`${hook}sale.payment.update`, { id: P.SALE_DOC, fields: { paySystemId: 1, comments: 'checked' } });
	await call(`${hook}crm.item.payment.delete`, { id: P.PAID });
	await call(`${hook}crm.item.payment.get`, { id: P.UNPAID });
	await call(`${hook}sale.paysystem.pay.payment`, { PAYMENT_ID: P.FLAKY, PAY_SYSTEM_ID: 4 });
	await call(`${hook}sale.paysystem.pay.payment`, { PAYMENT_ID: P.HANDLER_FAILS, PAY_SYSTEM_ID: 3 });
	await emu.deliveriesSettled();
	expect(emu.deliveries()).toHaveLength(n);
});

test('eventDelayMs: nothing reaches the handler before the delay; the answer comes first', async () => {
	emu.options.eventDelayMs = 300;
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/hook` });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	const answered = Date.now();
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect(rx.received).toHaveLength(0);
	await emu.deliveriesSettled();
	expect(rx.received).toHaveLength(1);
	expect(rx.received[0].at - answered).toBeGreaterThanOrEqual(150);
	expect(emu.deliveries()[0].status).toBe(200);
});

test('an unreachable handler is recorded with status 0, a failing one with its status; neither is retried', async () => {
	const dead = await deadUrl();
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: dead });
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/fail` });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	await emu.deliveriesSettled();
	await new Promise((resolve) => setTimeout(resolve, 200));
	const d = emu.deliveries().sort((a, b) => a.eventHandlerId - b.eventHandlerId);
	expect(d.map((x) => [x.handler, x.status])).toEqual([
		[dead, 0],
		[`${rx.url}/fail`, 500],
	]);
	expect(d[0].error).toEqual(expect.any(String));
	expect(rx.received).toHaveLength(1);
});

test('per handler in order, a slow handler does not hold up another; reset drops the queue', async () => {
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/slow` });
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/fast` });
	await call(`${hook}batch`, { cmd: [`crm.item.payment.pay?id=${P.UNPAID}`, `crm.item.payment.pay?id=${P.UNPAID_2}`] });
	await emu.deliveriesSettled();
	const slow = emu.deliveries().filter((d) => d.handler.endsWith('/slow'));
	expect(slow.map((d) => d.paymentId)).toEqual([P.UNPAID, P.UNPAID_2]);
	// Both /fast posts went while the first /slow one was still being answered.
	expect(rx.paths()).toHaveLength(4);
	expect(rx.paths()[3]).toBe('/slow');

	emu.options.eventDelayMs = 200;
	await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID });
	emu.reset();
	await emu.deliveriesSettled();
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(emu.deliveries()).toEqual([]);
	expect(rx.received).toHaveLength(4);
	expect(emu.state.eventHandlers).toEqual([]);
	expect(emu.state.outgoingWebhooks).toEqual([]);
	expect(emu.options.eventDelayMs).toBe(0);
});

test('automation events carry no tokens unless the binding names a user; sendEvent posts forged bodies', async () => {
	emu.options.automationEvents = true;
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/anyone` });
	await oauth('event.bind', { event: 'ONPAYMENTENTITYSAVED', handler: `${rx.url}/as-anna`, auth_type: 1 });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	await emu.deliveriesSettled();
	const authOf = (path: string, n = 0) =>
		parsePhpQuery(emu.deliveries().filter((d) => d.handler.endsWith(path))[n].body).auth as Record<string, string>;
	const anyone = authOf('/anyone');
	const asAnna = authOf('/as-anna');
	expect(Object.keys(anyone)).toEqual(['domain', 'client_endpoint', 'server_endpoint', 'member_id', 'application_token']);
	expect(anyone.application_token).toBe(emu.oauthApp.applicationToken);
	expect(emu.state.tokens.get(asAnna.access_token)?.userId).toBe(1);

	emu.options.automationEvents = false;
	emu.options.eventRefreshToken = true;
	await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID });
	await emu.deliveriesSettled();
	const withRefresh = authOf('/anyone', 1);
	expect(Object.keys(withRefresh).slice(-2)).toEqual(['refresh_token', 'application_token']);
	expect(emu.state.refreshTokens.has(withRefresh.refresh_token)).toBe(true);

	const status = await emu.sendEvent(`${rx.url}/forged`, {
		event: 'ONPAYMENTENTITYSAVED',
		data: { FIELDS: { ID: 1038 } },
		auth: { application_token: 'not-the-real-one', member_id: emu.state.memberId },
	});
	expect(status).toBe(200);
	expect(rx.received.at(-1)!.body).toBe(
		`event=ONPAYMENTENTITYSAVED&data%5BFIELDS%5D%5BID%5D=1038&auth%5Bapplication_token%5D=not-the-real-one&auth%5Bmember_id%5D=${emu.state.memberId}`,
	);
	expect(await emu.sendEvent(await deadUrl(), 'event=X')).toBe(0);
	expect(emu.deliveries()).toHaveLength(4);
});

test('every payment write fires, whatever the method: updates, lines, sale add/delete, a write whose answer was lost', async () => {
	emu.addOutgoingWebhook({ handler: `${rx.url}/all`, events: ['ONPAYMENTENTITYSAVED', 'ONPAYMENTDELETED'] });
	const steps: Array<[string, Record<string, unknown>]> = [
		['crm.item.payment.update', { id: P.UNPAID, fields: { paid: 'Y' } }],
		['crm.item.payment.unpay', { id: P.UNPAID }],
		['crm.item.payment.product.setQuantity', { id: SEED_IDS.paymentProducts.ON_UNPAID, quantity: 2 }],
		['crm.item.payment.product.delete', { id: SEED_IDS.paymentProducts.ON_UNPAID }],
		['crm.item.payment.delivery.setDelivery', { id: SEED_IDS.paymentDeliveries.ON_UNPAID, deliveryId: SEED_IDS.shipments.SECOND }],
		['crm.item.payment.delivery.delete', { id: SEED_IDS.paymentDeliveries.ON_UNPAID }],
		['crm.item.payment.delivery.add', { paymentId: P.UNPAID, deliveryId: SEED_IDS.shipments.MAIN }],
		['crm.item.payment.update', { id: P.UNPAID, fields: { paySystemId: SEED_IDS.paySystems.CASH } }],
	];
	for (const [method, params] of steps) {
		const a = await call(`${hook}${method}`, params);
		expect([method, a.status]).toEqual([method, 200]);
	}
	const added = (await call(`${hook}sale.payment.add`, { fields: { orderId: SEED_IDS.orders.PLAIN, paySystemId: 2, sum: 5 } })).json
		.result as { payment: { id: number } };
	await call(`${hook}sale.payment.delete`, { id: added.payment.id });
	emu.injectFault({ kind: 'reset', method: 'crm.item.payment.pay', afterRun: true });
	await expect(call(`${hook}crm.item.payment.pay`, { id: P.UNPAID_2 })).rejects.toThrow();
	await emu.deliveriesSettled();
	expect(emu.deliveries().map((d) => [d.event, d.paymentId])).toEqual([
		...steps.map(() => ['ONPAYMENTENTITYSAVED', P.UNPAID]),
		['ONPAYMENTENTITYSAVED', added.payment.id],
		['ONPAYMENTDELETED', added.payment.id],
		['ONPAYMENTENTITYSAVED', P.UNPAID_2],
	]);
	// A fault before the method runs: nothing saved, nothing sent.
	emu.injectFault({ kind: 'serverError', method: 'crm.item.payment.unpay' });
	expect((await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID_2 })).status).toBe(500);
	await emu.deliveriesSettled();
	expect(emu.deliveries()).toHaveLength(steps.length + 3);
});
