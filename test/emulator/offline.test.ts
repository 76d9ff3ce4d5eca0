/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator check: a node:http receiver stands in for an online handler, never shipped */
// The offline event queue over real HTTP: offline bindings per connector, what Sender queues (and skips) when payments
// change, the merge, event.offline.get / clear / error / list, the license switch, feature.get, the clean-up of stale
// reservations, and changes made as a person in Bitrix24 (online posts and offline rows alike).

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Bitrix24Emulator, PROCESS_ID_LIFETIME, SEED_IDS, type OAuthTokenData } from './server';

type Answer = { status: number; json: Record<string, unknown> };
type OfflineRow = { ID: string; TIMESTAMP_X: string; EVENT_NAME: string; EVENT_DATA: unknown; EVENT_ADDITIONAL: unknown; MESSAGE_ID: string };
type GetResult = { process_id: string | null; events: OfflineRow[] };

const P = SEED_IDS.payments;
const SAVED = 'ONPAYMENTENTITYSAVED';

async function call(url: string, json: unknown = {}): Promise<Answer> {
	const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
	return { status: res.status, json: JSON.parse(await res.text()) as Record<string, unknown> };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const messageOf = (event: string, paymentId: number) => md5(`${event}|{"FIELDS":{"ID":${paymentId}}}`);

let emu: Bitrix24Emulator;
let hook: string;
let token: OAuthTokenData;
let received: string[] = [];
let receiverUrl = '';
const receiver = http.createServer((req, res) => {
	const chunks: Buffer[] = [];
	req.on('data', (c: Buffer) => chunks.push(c));
	req.on('end', () => {
		received.push(Buffer.concat(chunks).toString('utf8'));
		res.writeHead(200, { 'Content-Type': 'text/plain' });
		res.end('ok');
	});
});

/** An app call with the token `t` (default the seeded app's admin) and, when given, an auth_connector. */
const oauth = (method: string, params: Record<string, unknown> = {}, o: { t?: OAuthTokenData; connector?: string } = {}) =>
	call(`${emu.baseUrl}/rest/${method}`, {
		...params,
		auth: (o.t ?? token).access_token,
		...(o.connector === undefined ? {} : { auth_connector: o.connector }),
	});
const bindOffline = (connector?: string, event = SAVED) => oauth('event.bind', { event, event_type: 'offline' }, { connector });
const offlineGet = async (params: Record<string, unknown> = {}, connector?: string) => {
	const a = await oauth('event.offline.get', params, { connector });
	expect(a.status).toBe(200);
	return a.json.result as GetResult;
};
const ids = (rows: OfflineRow[]) => rows.map((r) => (r.EVENT_DATA as { FIELDS: { ID: number } }).FIELDS.ID);

beforeAll(async () => {
	emu = await Bitrix24Emulator.start({ bucket: null });
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
beforeEach(() => {
	hook = emu.webhookUrl();
	token = emu.issueToken();
});
afterEach(async () => {
	await emu.deliveriesSettled();
	emu.reset();
	received = [];
});
afterAll(async () => {
	await emu.stop();
	await new Promise<void>((resolve) => {
		receiver.close(() => resolve());
		receiver.closeAllConnections();
	});
});

test('offline bindings per connector: bind, get, unbind; each connector gets its own row; an app\'s own change skips only its own connector', async () => {
	expect((await bindOffline()).json.result).toBe(true);
	expect((await bindOffline('sync-x')).json.result).toBe(true);
	expect((await bindOffline('sync-y')).json.result).toBe(true);
	// EventTable::checkUniq counts the connector: the same one again is a duplicate.
	expect(await bindOffline('sync-x')).toEqual({
		status: 400,
		json: { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' },
	});
	expect((await oauth('event.get')).json.result).toEqual([
		{ event: SAVED, connector_id: '', offline: 1 },
		{ event: SAVED, connector_id: 'sync-x', offline: 1 },
		{ event: SAVED, connector_id: 'sync-y', offline: 1 },
	]);
	// auth_connector is auth data, not a parameter of the method.
	expect(emu.methodCalls('event.bind')[1].params).toEqual({ event: SAVED, event_type: 'offline' });

	// A webhook's change: every connector's queue gets it.
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	const rows = emu.offlineRecords();
	expect(rows.map((r) => [r.connectorId, r.eventData.FIELDS.ID])).toEqual([
		['', P.UNPAID],
		['sync-x', P.UNPAID],
		['sync-y', P.UNPAID],
	]);
	expect(rows[0]).toMatchObject({
		clientId: emu.oauthApp.clientId,
		event: SAVED,
		messageId: messageOf(SAVED, P.UNPAID),
		eventAdditional: { user_id: 1 },
		processId: '',
		error: false,
	});
	// Each connector reads only its own queue.
	expect(ids((await offlineGet({}, 'sync-x')).events)).toEqual([P.UNPAID]);
	expect(emu.offlineRecords().map((r) => r.connectorId)).toEqual(['', 'sync-y']);

	// The app changes a payment through connector sync-x: not queued for sync-x, queued for sync-y and ''.
	const own = await oauth('crm.item.payment.pay', { id: P.UNPAID_2 }, { connector: 'sync-x' });
	expect(own.json.result).toBe(true);
	expect(emu.offlineRecords({ connectorId: 'sync-x' })).toEqual([]);
	expect(emu.offlineRecords({ connectorId: 'sync-y' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID, P.UNPAID_2]);
	expect(emu.offlineRecords({ connectorId: '' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID, P.UNPAID_2]);
	// Its change without a connector is not queued for its '' binding (it is for sync-x and sync-y); inside a batch the
	// outer request's connector counts.
	await oauth('crm.item.payment.unpay', { id: P.UNPAID_2 });
	expect(emu.offlineRecords({ connectorId: '' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID, P.UNPAID_2]);
	expect(emu.offlineRecords({ connectorId: 'sync-x' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID_2]);
	await oauth('batch', { cmd: [`crm.item.payment.pay?id=${P.FLAKY}&auth_connector=sync-y`] }, { connector: 'sync-x' });
	expect(emu.offlineRecords({ connectorId: 'sync-x' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID_2]);
	expect(emu.offlineRecords({ connectorId: 'sync-y' }).map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID, P.UNPAID_2, P.FLAKY]);

	// Another app's change is queued for all of this app's connectors; another app's bindings are its own.
	const other = emu.addOAuthApp({ clientId: 'local.other.app', clientSecret: 'other-secret' });
	const otherToken = emu.issueToken({ clientId: other.clientId });
	expect((await oauth('event.bind', { event: SAVED, event_type: 'offline' }, { t: otherToken, connector: 'sync-x' })).json.result).toBe(true);
	await oauth('crm.item.payment.unpay', { id: P.UNPAID }, { t: otherToken, connector: 'sync-x' });
	expect(emu.offlineRecords({ clientId: other.clientId })).toEqual([]);
	expect(emu.offlineRecords({ clientId: emu.oauthApp.clientId, connectorId: 'sync-x' }).map((r) => r.eventData.FIELDS.ID)).toEqual([
		P.UNPAID_2,
		P.UNPAID,
	]);

	// unbind removes the binding of the request's connector only.
	expect((await oauth('event.unbind', { event: SAVED, event_type: 'offline' }, { connector: 'sync-y' })).json.result).toEqual({ count: 1 });
	expect((await oauth('event.unbind', { event: SAVED, event_type: 'offline' }, { connector: 'sync-y' })).json.result).toEqual({ count: 0 });
	expect((await oauth('event.get')).json.result).toEqual([
		{ event: SAVED, connector_id: '', offline: 1 },
		{ event: SAVED, connector_id: 'sync-x', offline: 1 },
	]);
	// Offline only, with nothing online: changes are still watched.
	await call(`${hook}crm.item.payment.pay`, { id: P.SALE_DOC });
	expect(emu.offlineRecords({ clientId: emu.oauthApp.clientId, connectorId: '' }).map((r) => r.eventData.FIELDS.ID)).toContain(P.SALE_DOC);
	expect(emu.offlineRecords({ connectorId: 'sync-y' }).map((r) => r.eventData.FIELDS.ID)).not.toContain(P.SALE_DOC);
});

test('event.offline.*: an inbound webhook gets WRONG_AUTH_TYPE, a non-admin ACCESS_DENIED', async () => {
	const methods = ['event.offline.get', 'event.offline.clear', 'event.offline.error', 'event.offline.list'];
	for (const method of methods) {
		expect([method, await call(`${hook}${method}`, { process_id: 'x' })]).toEqual([
			method,
			{ status: 403, json: { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' } },
		]);
		expect([method, await oauth(method, { process_id: 'x' }, { t: emu.issueToken({ userId: 9 }) })]).toEqual([
			method,
			{ status: 403, json: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } },
		]);
	}
	// A non-admin cannot bind offline either (kept as it was).
	expect((await oauth('event.bind', { event: SAVED, event_type: 'offline' }, { t: emu.issueToken({ userId: 9 }) })).json).toEqual({
		error: 'ACCESS_DENIED',
		error_description: 'Access denied! Offline events binding requires administrator access rights',
	});
});

test('merge: one row per payment; a repeat moves TIMESTAMP_X and keeps the ID; a change while reserved adds a second row', async () => {
	await bindOffline();
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID_2 });
	const [first] = emu.offlineRecords();
	// Make the row look a minute old, then change the payment again.
	emu.state.offlineEvents[0].timestampX -= 60_000;
	await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	const rows = emu.offlineRecords();
	expect(rows.map((r) => [r.id, r.eventData.FIELDS.ID])).toEqual([
		[first.id, P.UNPAID],
		[first.id + 1, P.UNPAID_2],
	]);
	expect(rows[0].timestampX).toBeGreaterThanOrEqual(first.timestampX); // moved forward again from a minute back
	expect(rows[0].timestampX % 1000).toBe(0);

	// Reserve both (clear=0); a change of 1038 now gets a new, free row next to the reserved one.
	const got = await offlineGet({ clear: 0 });
	expect(got.process_id).toMatch(/^[a-z0-9]{32}$/);
	await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID });
	const after = emu.offlineRecords();
	expect(after.map((r) => [r.id, r.eventData.FIELDS.ID, r.processId])).toEqual([
		[first.id, P.UNPAID, got.process_id],
		[first.id + 1, P.UNPAID_2, got.process_id],
		[first.id + 2, P.UNPAID, ''],
	]);
	expect(after[2].messageId).toBe(after[0].messageId);
	// A delete is another message of the same payment.
	await bindOffline(undefined, 'ONPAYMENTDELETED');
	expect((await call(`${hook}crm.item.payment.delete`, { id: P.UNPAID })).json.result).toBe(true);
	expect(emu.offlineRecords().at(-1)).toMatchObject({ event: 'ONPAYMENTDELETED', messageId: messageOf('ONPAYMENTDELETED', P.UNPAID) });
});

test('event.offline.get: clear=1 reads and deletes; clear=0 reserves under a process id that reads them again; clear by process, ids, message ids', async () => {
	await bindOffline();
	const payments = emu.seedOrderPayments(6);
	for (const id of payments) await call(`${hook}sale.payment.update`, { id, fields: { paySystemId: 2, comments: 'x' } });

	// Default: the first 50 in TIMESTAMP_X order, deleted, no process id.
	const cleared = await offlineGet({ limit: 2 });
	expect(cleared.process_id).toBeNull();
	expect(ids(cleared.events)).toEqual(payments.slice(0, 2));
	const row = cleared.events[0];
	expect(Object.keys(row)).toEqual(['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'EVENT_DATA', 'EVENT_ADDITIONAL', 'MESSAGE_ID']);
	expect(row).toEqual({
		ID: expect.stringMatching(/^\d+$/),
		TIMESTAMP_X: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/),
		EVENT_NAME: SAVED,
		EVENT_DATA: { FIELDS: { ID: payments[0] } },
		EVENT_ADDITIONAL: { user_id: 1 },
		MESSAGE_ID: messageOf(SAVED, payments[0]),
	});
	expect(emu.offlineRecords()).toHaveLength(4);

	// clear=0: reserved, not deleted; a second get reserves the next ones; the process id reads its own again.
	const a = await offlineGet({ CLEAR: '0', Limit: 2 });
	const b = await offlineGet({ clear: 0, limit: 1 });
	expect(a.process_id).not.toBe(b.process_id);
	expect(ids(a.events)).toEqual(payments.slice(2, 4));
	expect(ids(b.events)).toEqual(payments.slice(4, 5));
	expect((await offlineGet({ clear: 0, process_id: a.process_id })).events).toEqual(a.events);
	expect(emu.offlineRecords().map((r) => r.processId)).toEqual([a.process_id, a.process_id, b.process_id, '']);
	// A given process id comes back even with clear=1; all of that process's rows go, not only those read.
	const again = await offlineGet({ process_id: a.process_id, limit: 1 });
	expect(again.process_id).toBe(a.process_id);
	expect(ids(again.events)).toEqual([payments[2]]);
	expect(emu.offlineRecords().map((r) => r.processId)).toEqual([b.process_id, '']);
	// Nothing read: nothing deleted.
	expect(await offlineGet({ process_id: 'nosuchprocess' })).toEqual({ process_id: 'nosuchprocess', events: [] });

	// event.offline.clear: the process's rows, only the ids or message ids given.
	const c = await offlineGet({ clear: 0 });
	expect(ids(c.events)).toEqual([payments[5]]);
	expect((await oauth('event.offline.clear', { process_id: b.process_id, id: [Number(c.events[0].ID)] })).json.result).toBe(true);
	expect(emu.offlineRecords()).toHaveLength(2); // another process's id: nothing
	expect((await oauth('event.offline.clear', { process_id: b.process_id, message_id: [messageOf(SAVED, payments[0])] })).json.result).toBe(true);
	expect(emu.offlineRecords()).toHaveLength(2);
	expect((await oauth('event.offline.clear', { process_id: c.process_id, message_id: [c.events[0].MESSAGE_ID] })).json.result).toBe(true);
	expect(emu.offlineRecords().map((r) => r.processId)).toEqual([b.process_id]);
	expect((await oauth('event.offline.clear', { process_id: b.process_id })).json.result).toBe(true);
	expect(emu.offlineRecords()).toEqual([]);

	// Arguments.
	expect(await oauth('event.offline.clear', {})).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: "Argument 'PROCESS_ID' is null or empty", argument: 'PROCESS_ID' },
	});
	expect(await oauth('event.offline.clear', { process_id: 'p', id: ['1', 'x'] })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: 'Value must be array of integers', argument: 'id' },
	});
	expect(await oauth('event.offline.clear', { process_id: 'p', id: 5 })).toMatchObject({ status: 400, json: { argument: 'id' } });
	expect(await oauth('event.offline.clear', { process_id: 'p', message_id: ['short'] })).toMatchObject({
		status: 400,
		json: { error: 'ERROR_ARGUMENT' },
	});
	for (const limit of [0, -1, 'abc']) {
		expect(await oauth('event.offline.get', { limit })).toEqual({
			status: 400,
			json: { error: 'ERROR_ARGUMENT', error_description: 'Value must be positive integer', argument: 'LIMIT' },
		});
	}
});

test('event.offline.get: limit, order and filter (prefixes, portal datetimes); no upper cap on limit', async () => {
	await bindOffline();
	const payments = emu.seedChangedPayments(60);
	// Spread the rows over time: payment i changed i minutes ago.
	const base = Math.floor(Date.now() / 60_000) * 60_000;
	for (const [i, r] of emu.state.offlineEvents.entries()) r.timestampX = base - i * 60_000;
	const list = async (params: Record<string, unknown>) => ids((await offlineGet({ clear: 0, ...params })).events);
	const release = () => {
		for (const r of emu.state.offlineEvents) r.processId = '';
	};

	// Default order TIMESTAMP_X ASC: the oldest first, 50 of them.
	expect(await list({})).toEqual([...payments].reverse().slice(0, 50));
	release();
	expect(await list({ limit: 100 })).toHaveLength(60);
	release();
	expect(await list({ order: { ID: 'DESC' }, limit: 3 })).toEqual(payments.slice(-3).reverse());
	release();
	expect(await list({ filter: { '>=ID': emu.state.offlineEvents[57].id }, order: { ID: 'ASC' } })).toEqual(payments.slice(57));
	release();
	expect(await list({ filter: { MESSAGE_ID: messageOf(SAVED, payments[7]) } })).toEqual([payments[7]]);
	release();
	expect(await list({ filter: { EVENT_NAME: 'ONPAYMENTDELETED' } })).toEqual([]);
	release();
	// TIMESTAMP_X in portal time (+03:00), with or without an offset.
	const tz = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
	expect(await list({ filter: { '>TIMESTAMP_X': tz(base - 3 * 60_000) }, order: { TIMESTAMP_X: 'DESC' } })).toEqual(payments.slice(0, 3));
	release();
	expect(await list({ filter: { '<=TIMESTAMP_X': new Date(base - 58 * 60_000).toISOString() } })).toEqual([payments[59], payments[58]]);
	release();
	// Keys in any case.
	expect(await list({ filter: { event_name: SAVED }, limit: 2 })).toHaveLength(2);
	release();
	// The filter holds when reading a process again.
	const p = (await offlineGet({ clear: 0, limit: 5, order: { ID: 'ASC' } })).process_id;
	expect(ids((await offlineGet({ clear: 0, process_id: p, filter: { '>ID': emu.state.offlineEvents[3].id } })).events)).toEqual([payments[4]]);
});

test('event.offline.error marks rows, event.offline.get error=1 reads them; other copies of the message go', async () => {
	await bindOffline();
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID_2 });
	const got = await offlineGet({ clear: 0 });
	// 1038 changes again while reserved: a second, free copy.
	await call(`${hook}crm.item.payment.unpay`, { id: P.UNPAID });
	expect(emu.offlineRecords()).toHaveLength(3);

	const m1038 = messageOf(SAVED, P.UNPAID);
	expect((await oauth('event.offline.error', { process_id: got.process_id, message_id: [m1038] })).json.result).toBe(true);
	const rows = emu.offlineRecords();
	expect(rows.map((r) => [r.eventData.FIELDS.ID, r.processId, r.error])).toEqual([
		[P.UNPAID, '', true],
		[P.UNPAID_2, got.process_id, false],
	]);
	// Errors are read apart: error=1 gets only them, the default only the others.
	expect(ids((await offlineGet({ clear: 0, process_id: got.process_id })).events)).toEqual([P.UNPAID_2]);
	const errors = await offlineGet({ error: 1 });
	expect(ids(errors.events)).toEqual([P.UNPAID]);
	expect(emu.offlineRecords().map((r) => r.eventData.FIELDS.ID)).toEqual([P.UNPAID_2]);

	expect(await oauth('event.offline.error', { message_id: [m1038] })).toMatchObject({ status: 400, json: { argument: 'PROCESS_ID' } });
	expect(await oauth('event.offline.error', { process_id: 'p' })).toMatchObject({ status: 400, json: { error: 'ERROR_ARGUMENT' } });
	expect(await oauth('event.offline.error', { process_id: 'p', message_id: 'abc' })).toMatchObject({ status: 400, json: { error: 'ERROR_ARGUMENT' } });
});

test('event.offline.list: read only, pages of 50 with total and next, PROCESS_ID and ERROR as strings', async () => {
	await bindOffline();
	emu.seedChangedPayments(120);
	const page = async (params: Record<string, unknown>) => (await oauth('event.offline.list', params)).json;
	const first = await page({});
	expect(first.total).toBe(120);
	expect(first.next).toBe(50);
	const rows = first.result as Array<Record<string, unknown>>;
	expect(rows).toHaveLength(50);
	expect(Object.keys(rows[0])).toEqual(['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'EVENT_DATA', 'EVENT_ADDITIONAL', 'MESSAGE_ID', 'PROCESS_ID', 'ERROR']);
	expect(rows[0]).toMatchObject({ ID: String(emu.state.offlineEvents[0].id), PROCESS_ID: '', ERROR: '0' });
	const last = await page({ start: 100 });
	expect((last.result as unknown[]).length).toBe(20);
	expect(last.total).toBe(120);
	expect(last.next).toBeUndefined();

	const p = (await offlineGet({ clear: 0, limit: 3 })).process_id;
	const reserved = await page({ filter: { PROCESS_ID: p }, order: { ID: 'DESC' } });
	expect(reserved.total).toBe(3);
	expect((reserved.result as Array<Record<string, unknown>>).map((r) => r.PROCESS_ID)).toEqual([p, p, p]);
	expect(((await page({ filter: { ERROR: 0, PROCESS_ID: '' } })).total)).toBe(117);
	expect(emu.offlineRecords()).toHaveLength(120);
});

test('filters of event.offline.get and list go through sanitizeFilter: eight operations, no negation, known fields only, 400 otherwise', async () => {
	await bindOffline();
	emu.seedChangedPayments(3);
	const refused = (text: string) => ({ status: 400, json: { error: 'ERROR_ARGUMENT', error_description: text } });

	for (const method of ['event.offline.get', 'event.offline.list']) {
		expect(await oauth(method, { filter: { '!=PROCESS_ID': '' } })).toEqual(refused('Filter operation not allowed: !='));
		expect(await oauth(method, { filter: { '!EVENT_NAME': SAVED } })).toEqual(refused('Filter operation not allowed: !'));
		expect(await oauth(method, { filter: { '><ID': [1, 2] } })).toEqual(refused('Filter operation not allowed: ><'));
		expect(await oauth(method, { filter: { CONNECTOR_ID: '' } })).toEqual(refused('Filter field not allowed: CONNECTOR_ID'));
		expect(await oauth(method, { filter: 'ID=1' })).toEqual(refused('The filter is not an array.'));
	}
	// get knows four fields; PROCESS_ID and ERROR only list.
	expect(await oauth('event.offline.get', { filter: { PROCESS_ID: '' } })).toEqual(refused('Filter field not allowed: PROCESS_ID'));
	expect(await oauth('event.offline.get', { filter: { ERROR: 0 } })).toEqual(refused('Filter field not allowed: ERROR'));
	expect(emu.offlineRecords()).toHaveLength(3);

	// A reservation is found with an operation the portal takes: PROCESS_ID > '' (unreserved rows hold '').
	const p = (await offlineGet({ clear: 0, limit: 2 })).process_id;
	const reserved = await oauth('event.offline.list', { filter: { '>PROCESS_ID': '' } });
	expect(((reserved.json.result as Array<{ PROCESS_ID: string }>) ?? []).map((r) => r.PROCESS_ID)).toEqual([p, p]);
	expect((await oauth('event.offline.list', { filter: { '=PROCESS_ID': '' } })).json.total).toBe(1);
	expect((await oauth('event.offline.list', { filter: { '@ID': emu.state.offlineEvents.slice(0, 2).map((r) => r.id) } })).json.total).toBe(2);
});

test('sanitizeOrder, and what clear and error take: the portal\'s Api\\Event, not the docs\' reading', async () => {
	await bindOffline();
	emu.seedChangedPayments(3);
	const refused = (text: string) => ({ status: 400, json: { error: 'ERROR_ARGUMENT', error_description: text } });
	expect(await oauth('event.offline.list', { order: { CONNECTOR_ID: 'ASC' } })).toEqual(refused('Order field not allowed: CONNECTOR_ID'));
	expect(await oauth('event.offline.get', { order: { PROCESS_ID: 'ASC' } })).toEqual(refused('Order field not allowed: PROCESS_ID'));
	expect(await oauth('event.offline.list', { order: { id: 'down' } })).toEqual(refused('Order direction should be one of {ASC|DESC}'));
	expect(await oauth('event.offline.list', { order: 'ID' })).toEqual(refused('The order is not an array.'));
	expect(await oauth('event.offline.list', { filter: '' })).toEqual(refused('The filter is not an array.'));
	const list = await oauth('event.offline.list', { order: { id: 'desc' } });
	expect((list.json.result as Array<{ ID: string }>).map((r) => Number(r.ID))).toEqual(emu.state.offlineEvents.map((r) => r.id).reverse());

	// clear: message_id wins over id; error: message_id must be an array.
	const p = (await offlineGet({ clear: 0 })).process_id!;
	const [first, second] = emu.state.offlineEvents;
	expect((await oauth('event.offline.clear', { process_id: p, id: [first.id], message_id: [second.messageId] })).json.result).toBe(true);
	expect(emu.offlineRecords().map((r) => r.id)).toEqual(emu.state.offlineEvents.map((r) => r.id));
	expect(emu.offlineRecords().some((r) => r.id === second.id)).toBe(false);
	expect(emu.offlineRecords().some((r) => r.id === first.id)).toBe(true);
	expect(await oauth('event.offline.clear', { process_id: p, message_id: ['short'] })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: 'Value must be array of MESSAGE_ID values', argument: 'messsage_id' },
	});
	expect(await oauth('event.offline.error', { process_id: p })).toEqual({
		status: 400,
		json: { error: 'ERROR_ARGUMENT', error_description: 'Value must be array of MESSAGE_ID values', argument: 'message_id' },
	});
});

test('plans (feature.get, clear=0, auth_connector): cloud with reservations and source keys, cloud with neither, self-hosted', async () => {
	const license = (feature: string) => ({ status: 403, json: { error: 'WRONG_LICENSE', error_description: `This feature is not enabled for the current license: ${feature}` } });
	expect(await call(`${hook}feature.get`, {})).toEqual({ status: 400, json: { error: 'CODE_EMPTY', error_description: "CODE can't be empty" } });

	// The default: a cloud plan with both.
	expect(emu.options.plan).toBe('cloudExtended');
	expect((await call(`${hook}feature.get`, { CODE: 'rest_offline_extended' })).json.result).toEqual({ value: 'Y' });
	expect((await oauth('feature.get', { code: 'rest_auth_connector' })).json.result).toEqual({ value: 'Y' });
	expect((await oauth('feature.get', { code: 'some_other_feature' })).json.result).toEqual({ value: 'N' });
	expect((await bindOffline('n8n_wf1')).json.result).toBe(true);
	expect((await offlineGet({ clear: 0 }, 'n8n_wf1')).process_id).toMatch(/^[a-z0-9]{32}$/);

	// A cloud plan with neither: clear=0 and any call carrying a connector (feature.get too) are refused.
	emu.options.plan = 'cloudBasic';
	expect((await call(`${hook}feature.get`, { code: 'rest_offline_extended' })).json.result).toEqual({ value: 'N' });
	expect((await oauth('feature.get', { code: 'rest_auth_connector' })).json.result).toEqual({ value: 'N' });
	expect(await oauth('feature.get', { code: 'rest_auth_connector' }, { connector: 'n8n_wf1' })).toEqual(license('auth_connector'));
	expect(await bindOffline('n8n_wf1')).toEqual(license('auth_connector'));
	expect(await oauth('event.offline.get', { clear: 0 })).toEqual(license('extended offline events handling'));
	// "0" passes the check (PHP truthiness) and is a connector of its own; without one, the app's single queue.
	expect((await bindOffline('0')).json.result).toBe(true);
	expect((await bindOffline()).json.result).toBe(true);
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID });
	expect(ids((await offlineGet()).events)).toEqual([P.UNPAID]);
	expect(ids((await offlineGet({}, '0')).events)).toEqual([P.UNPAID]);

	// Self-hosted: no bitrix24 module, so both work, while feature.get answers neither Y nor N.
	emu.options.plan = 'selfHosted';
	expect((await oauth('feature.get', { code: 'rest_offline_extended' })).json.result).toEqual({ value: 'en_selfhosted' });
	expect((await oauth('feature.get', { code: 'rest_auth_connector' })).json.result).toEqual({ value: 'en_selfhosted' });
	await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID_2 });
	expect((await offlineGet({ clear: 0 }, 'n8n_wf1')).process_id).toMatch(/^[a-z0-9]{32}$/);
	emu.reset();
	expect(emu.options.plan).toBe('cloudExtended');
});

test('a plan without REST: 401 ACCESS_DENIED before any method runs, worded for webhooks and apps', async () => {
	emu.options.restAvailable = false;
	expect(await call(`${hook}crm.item.payment.pay`, { id: P.UNPAID })).toEqual({
		status: 401,
		json: { error: 'ACCESS_DENIED', error_description: 'REST is available only by subscription.' },
	});
	expect(await oauth('crm.item.payment.pay', { id: P.UNPAID })).toEqual({
		status: 401,
		json: { error: 'ACCESS_DENIED', error_description: 'REST is available only on commercial plans' },
	});
	expect(emu.state.payments.get(P.UNPAID)!.paid).toBe('N');
	// A wrong secret is still told as such first.
	expect((await call(emu.webhookUrl(1, 'wrongsecret'), {})).json.error).toBe('INVALID_CREDENTIALS');
	emu.options.plan = 'selfHosted';
	expect((await call(`${hook}profile`, {})).json.error_description).toBe('REST is available only on commercial plans.');
	expect((await oauth('profile')).status).toBe(200);
});

test('reservations nobody clears are deleted after PROCESS_ID_LIFETIME; free rows stay', async () => {
	await bindOffline();
	emu.seedChangedPayments(3);
	await offlineGet({ clear: 0, limit: 2 });
	const now = Date.now();
	expect(emu.cleanStaleReservations(now)).toBe(0);
	expect(emu.cleanStaleReservations(now + (PROCESS_ID_LIFETIME + 5) * 1000)).toBe(2);
	expect(emu.offlineRecords().map((r) => r.processId)).toEqual(['']);
});

test('a person in Bitrix24 pays, unpays, edits and deletes: online posts and offline rows, attributed to the user', async () => {
	await oauth('event.bind', { event: SAVED, handler: `${receiverUrl}/saved` });
	await oauth('event.bind', { event: 'ONPAYMENTDELETED', handler: `${receiverUrl}/deleted` });
	await bindOffline();
	await bindOffline('sync-x');
	await bindOffline(undefined, 'ONPAYMENTDELETED');

	expect(emu.person.pay(P.UNPAID, { datePaid: '2024-06-01 10:00:00' })).toEqual([{ event: SAVED, paymentId: P.UNPAID }]);
	expect(emu.state.payments.get(P.UNPAID)).toMatchObject({ paid: 'Y', datePaid: '2024-06-01T10:00:00+03:00', empPaidId: 1 });
	expect(emu.person.pay(P.UNPAID)).toEqual([]); // already paid: nothing saved, nothing fired
	expect(emu.person.unpay(P.UNPAID, { userId: 9 })).toEqual([{ event: SAVED, paymentId: P.UNPAID }]);
	expect(emu.state.payments.get(P.UNPAID)).toMatchObject({ paid: 'N', datePaid: '2024-06-01T10:00:00+03:00' });
	expect(emu.person.edit(P.UNPAID_2, { comments: 'called the client', paySystemId: SEED_IDS.paySystems.CASH })).toHaveLength(1);
	expect(emu.state.payments.get(P.UNPAID_2)).toMatchObject({ comments: 'called the client', paySystemName: 'Cash', paySystemIsCash: 'Y' });
	expect(emu.person.edit(P.UNPAID_2, { comments: 'called the client' })).toEqual([]);
	expect(emu.person.delete(P.UNPAID_2)).toEqual([{ event: 'ONPAYMENTDELETED', paymentId: P.UNPAID_2 }]);
	expect(() => emu.person.delete(P.PAID)).toThrow(/paid/);
	expect(() => emu.person.pay(999_999)).toThrow(/no payment/);
	const before = Date.now();
	emu.person.pay(P.SALE_DOC);
	expect(Date.parse(emu.state.payments.get(P.SALE_DOC)!.datePaid!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

	await emu.deliveriesSettled();
	// Each handler gets its posts in order (the two handlers independently of each other).
	const saved = emu.deliveries().filter((d) => d.event === SAVED);
	expect(saved.map((d) => [d.paymentId, d.status])).toEqual([
		[P.UNPAID, 200],
		[P.UNPAID, 200],
		[P.UNPAID_2, 200],
		[P.SALE_DOC, 200],
	]);
	expect(emu.deliveries().filter((d) => d.event === 'ONPAYMENTDELETED').map((d) => [d.paymentId, d.status])).toEqual([[P.UNPAID_2, 200]]);
	expect(received).toHaveLength(5);
	// The unpay was user 9's: the app's token in the post is for them.
	const auth = new URLSearchParams(saved[1].body).get('auth[access_token]')!;
	expect(emu.state.tokens.get(auth)?.userId).toBe(9);

	// A person is no app: every connector's queue has it, merged per payment and event.
	const queue = (connectorId: string) => emu.offlineRecords({ connectorId }).map((r) => [r.event, r.eventData.FIELDS.ID, r.eventAdditional]);
	expect(queue('')).toEqual([
		[SAVED, P.UNPAID, { user_id: 9 }],
		[SAVED, P.UNPAID_2, { user_id: 1 }],
		['ONPAYMENTDELETED', P.UNPAID_2, { user_id: 1 }],
		[SAVED, P.SALE_DOC, { user_id: 1 }],
	]);
	expect(queue('sync-x')).toEqual([
		[SAVED, P.UNPAID, { user_id: 9 }],
		[SAVED, P.UNPAID_2, { user_id: 1 }],
		[SAVED, P.SALE_DOC, { user_id: 1 }],
	]);
});

test('seedChangedPayments fills an app\'s offline queue with 1000 payments quickly', async () => {
	await bindOffline();
	const started = Date.now();
	const seeded = emu.seedChangedPayments(1000);
	expect(Date.now() - started).toBeLessThan(3000);
	expect(seeded).toHaveLength(1000);
	expect(emu.offlineRecords().map((r) => r.eventData.FIELDS.ID)).toEqual(seeded);
	expect(emu.state.payments.get(seeded[0])).toMatchObject({ paid: 'Y', empPaidId: 1 });
	const got = await offlineGet({ limit: 1000 });
	expect(ids(got.events)).toHaveLength(1000);
	expect(emu.offlineRecords()).toEqual([]);
});
