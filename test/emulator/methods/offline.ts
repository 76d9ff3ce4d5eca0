// event.offline.get / clear / error / list (rest Bitrix\Rest\Api\Event, EventOfflineTable; b24restdocs
// api-reference/events/event-offline-*.md, offline-events.md). The queue itself and how rows get into it: offline.ts.
//
// All four: global scope, application context only (an inbound webhook gets 403 WRONG_AUTH_TYPE as event.bind does),
// the app's user must be an admin (AccessException without text: 403 ACCESS_DENIED "Access denied!"). Parameter keys
// are case-insensitive (array_change_key_case, lower). Each sees only the rows of the calling app and of the
// request's connector (auth_connector; '' without one).

import { randomBytes } from 'node:crypto';

import { parseLoose } from '../datetime';
import { RestError } from '../errors';
import { offlineGetRow, offlineListRow } from '../offline';
import { phpIntCast, phpIsNumeric, phpString, type Params } from '../php';
import { allows } from '../plan';
import type { OfflineEventRecord } from '../state';
import { LIST_LIMIT, PagedResult, type CallContext, type MethodDef } from './context';
import { appContext, argumentNull, isAdmin } from './events';
import { applyOrder, matches, parseFilterKey } from './listing';

// AccessException() without a message.
const accessDenied = () => new RestError(403, 'ACCESS_DENIED', 'Access denied!');
// LicenseException('extended offline events handling') when clear=0 and the plan lacks rest_offline_extended.
const wrongLicense = () =>
	new RestError(403, 'WRONG_LICENSE', 'This feature is not enabled for the current license: extended offline events handling');
const argumentError = (text: string, name: string) => new RestError(400, 'ERROR_ARGUMENT', text, { argument: name });

/**
 * IRestService::sanitizeFilter (rest/classes/general/rest.php), as rest Event::eventOfflineGet and eventOfflineList
 * call it: keys upper-cased, the operation is whatever precedes the first letter and must be one of these (no
 * negation), the field one of the method's; anything else is 400 ERROR_ARGUMENT before the method reads a row.
 */
const FILTER_OPERATIONS = new Set(['', '=', '>', '<', '>=', '<=', '@', '%']);
// A RestException of its own (no `argument` key, unlike an ArgumentException's).
const sanitizeError = (text: string) => new RestError(400, 'ERROR_ARGUMENT', text);

type Getter = (r: OfflineEventRecord) => unknown;

// event.offline.get filters and sorts on these; event.offline.list also on PROCESS_ID and ERROR. Names as the
// table has them (upper case); others are dropped.
const GET_FIELDS: Record<string, Getter> = {
	ID: (r) => r.id,
	TIMESTAMP_X: (r) => r.timestampX,
	EVENT_NAME: (r) => r.event,
	MESSAGE_ID: (r) => r.messageId,
};
const LIST_FIELDS: Record<string, Getter> = {
	...GET_FIELDS,
	PROCESS_ID: (r) => r.processId,
	ERROR: (r) => (r.error ? 1 : 0),
};

function lowerKeys(params: Params): Params {
	const out: Params = {};
	for (const [k, v] of Object.entries(params)) out[k.toLowerCase()] = v;
	return out;
}

/** Application context, an admin user, and the connector of the request: whose rows the call works on. */
function offlineContext(ctx: CallContext): { own: (r: OfflineEventRecord) => boolean } {
	const clientId = appContext(ctx);
	if (!isAdmin(ctx)) throw accessDenied();
	const connectorId = ctx.caller.connectorId;
	return { own: (r) => r.clientId === clientId && r.connectorId === connectorId };
}

/** A datetime of the filter, read as the portal reads user input (portal time unless it has an offset). */
function toMs(value: unknown, tz: string): unknown {
	if (Array.isArray(value) || (typeof value === 'object' && value !== null)) return Object.values(value).map((v) => toMs(v, tz));
	return parseLoose(value, tz);
}

/** The rows a filter keeps, once sanitizeFilter has let it through; TIMESTAMP_X values are portal datetimes. */
function offlineFilter(filter: unknown, fields: Record<string, Getter>, tz: string): (r: OfflineEventRecord) => boolean {
	// `isset($query['filter']) ? $query['filter'] : array()`: only an absent (or null) filter is none.
	if (filter === undefined || filter === null) return () => true;
	if (typeof filter !== 'object') throw sanitizeError('The filter is not an array.');
	const tests: Array<(r: OfflineEventRecord) => boolean> = [];
	for (const [key, expected] of Object.entries(filter as Params)) {
		const raw = key.toUpperCase();
		const [, operation, field] = /^([^a-zA-Z]*)(.*)$/s.exec(raw)!;
		if (!FILTER_OPERATIONS.has(operation)) throw sanitizeError(`Filter operation not allowed: ${operation}`);
		if (!Object.prototype.hasOwnProperty.call(fields, field)) throw sanitizeError(`Filter field not allowed: ${field}`);
		const { op } = parseFilterKey(raw);
		const get = fields[field];
		const value = field === 'TIMESTAMP_X' ? toMs(expected, tz) : expected;
		// A datetime the portal cannot read matches nothing.
		if (value === null) {
			tests.push(() => false);
			continue;
		}
		tests.push((r) => matches(get(r), op, value));
	}
	return (r) => tests.every((t) => t(r));
}

/**
 * IRestService::sanitizeOrder: keys upper-cased; a named key must be one of the method's fields and its direction
 * ASC or DESC in any case; a numbered one (`order: ['ID']`) names the field, ascending; else 400 ERROR_ARGUMENT.
 * An absent order is the method's default.
 */
function offlineOrder(
	rows: OfflineEventRecord[],
	order: unknown,
	fields: Record<string, Getter>,
	fallback: Array<[string, 'ASC' | 'DESC']>,
): OfflineEventRecord[] {
	const known = (field: string) => Object.prototype.hasOwnProperty.call(fields, field);
	let sorted: Params | undefined;
	if (order !== undefined && order !== null) {
		if (typeof order !== 'object') throw sanitizeError('The order is not an array.');
		sorted = {};
		for (const [key, value] of Object.entries(order as Params)) {
			if (phpIsNumeric(key)) {
				if (!known(phpString(value))) throw sanitizeError(`Order field not allowed: ${phpString(value)}`);
				sorted[phpString(value)] = 'ASC';
				continue;
			}
			const field = key.toUpperCase();
			if (!known(field)) throw sanitizeError(`Order field not allowed: ${field}`);
			const direction = phpString(value).toUpperCase();
			if (direction !== 'ASC' && direction !== 'DESC') throw sanitizeError('Order direction should be one of {ASC|DESC}');
			sorted[field] = direction;
		}
	}
	return applyOrder(rows, sorted, (field) => (known(field) ? fields[field] : undefined), (k) => k, fallback);
}

/** Random::getString(32): lower-case letters and digits. */
function newProcessId(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
	return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

function given(value: unknown): boolean {
	return value !== undefined && value !== null;
}

/** An array parameter's values (PHP arrays: a JSON list or a bracket map); undefined when it is not an array. */
function listOf(value: unknown): unknown[] | undefined {
	if (Array.isArray(value)) return value;
	if (typeof value === 'object' && value !== null) return Object.values(value);
	return undefined;
}

/** message_id[]: MESSAGE_ID values are 32 characters. */
/** message_id[] of event.offline.clear: an array, each value 32 characters once trimmed (the portal names it 'messsage_id' then). */
function messageIds(value: unknown): string[] {
	const list = listOf(value);
	if (!list) throw argumentError('Value must be array of MESSAGE_ID values', 'message_id');
	const trimmed = list.map((m) => phpString(m).trim());
	if (trimmed.some((m) => m.length !== 32)) throw argumentError('Value must be array of MESSAGE_ID values', 'messsage_id');
	return trimmed;
}

export const offlineEventMethods: Record<string, MethodDef> = {
	'event.offline.get': {
		scope: null,
		run(ctx) {
			const { own } = offlineContext(ctx);
			const q = lowerKeys(ctx.params);
			const clear = given(q.clear) ? phpIntCast(q.clear) !== 0 : true;
			const error = given(q.error) && phpIntCast(q.error) !== 0;
			const passed = phpString(q.process_id ?? '').trim();
			// Event::isExtendedModeEnabled(): `!Loader::includeModule('bitrix24') || Feature::isFeatureEnabled(...)`.
			if (!clear && !allows(ctx.options.plan, 'rest_offline_extended')) throw wrongLicense();
			const limit = given(q.limit) ? phpIntCast(q.limit) : LIST_LIMIT;
			if (limit <= 0) throw argumentError('Value must be positive integer', 'LIMIT');
			const tz = ctx.options.timeZone;
			const where = offlineFilter(q.filter, GET_FIELDS, tz);
			const order = q.order;
			const fallback: Array<[string, 'ASC' | 'DESC']> = [['TIMESTAMP_X', 'ASC']];
			const mine = (r: OfflineEventRecord) => own(r) && r.error === error && where(r);

			// Without a process id the first `limit` free rows are reserved under a new one (parallel callers get
			// different rows); with one, the rows it already holds are read again.
			let processId = passed;
			if (processId === '') {
				processId = newProcessId();
				const free = ctx.state.offlineEvents.filter((r) => mine(r) && r.processId === '');
				for (const r of offlineOrder(free, order, GET_FIELDS, fallback).slice(0, limit)) r.processId = processId;
			}
			const held = ctx.state.offlineEvents.filter((r) => mine(r) && r.processId === processId);
			const selected = offlineOrder(held, order, GET_FIELDS, fallback).slice(0, limit);
			const events = selected.map((r) => offlineGetRow(r, tz));
			// clear: every row of the process goes, not only those read.
			if (clear && selected.length > 0) {
				ctx.state.offlineEvents = ctx.state.offlineEvents.filter((r) => !(own(r) && r.processId === processId));
			}
			return { process_id: passed !== '' || !clear ? processId : null, events };
		},
	},
	'event.offline.clear': {
		scope: null,
		run(ctx) {
			const { own } = offlineContext(ctx);
			const q = lowerKeys(ctx.params);
			// Only an absent process id is refused: '' names the free rows, which are then deleted.
			if (!given(q.process_id)) throw argumentNull('PROCESS_ID');
			const processId = phpString(q.process_id).trim();
			let pick: (r: OfflineEventRecord) => boolean = () => true;
			// Event::eventOfflineClear: message_id wins; id only counts without it. Empty lists name nothing: the whole
			// process goes.
			if (given(q.message_id)) {
				const wanted = new Set(messageIds(q.message_id));
				if (wanted.size > 0) pick = (r) => wanted.has(r.messageId);
			} else if (given(q.id)) {
				const ids = listOf(q.id);
				// intval() of each, which must be positive.
				if (!ids || ids.some((id) => phpIntCast(id) <= 0)) throw argumentError('Value must be array of integers', 'id');
				const wanted = new Set(ids.map((id) => phpIntCast(id)));
				if (wanted.size > 0) pick = (r) => wanted.has(r.id);
			}
			ctx.state.offlineEvents = ctx.state.offlineEvents.filter((r) => !(own(r) && r.processId === processId && pick(r)));
			return true;
		},
	},
	'event.offline.error': {
		scope: null,
		run(ctx) {
			const { own } = offlineContext(ctx);
			const q = lowerKeys(ctx.params);
			if (!given(q.process_id)) throw argumentNull('PROCESS_ID');
			const processId = phpString(q.process_id).trim();
			// Event::eventOfflineError: message_id must be an array (absent too); its values go to markError as they are.
			const list = listOf(q.message_id);
			if (!list) throw argumentError('Value must be array of MESSAGE_ID values', 'message_id');
			for (const messageId of new Set(list.map((m) => phpString(m)))) {
				const copies = ctx.state.offlineEvents.filter((r) => own(r) && r.messageId === messageId);
				const marked = copies.find((r) => !r.error && r.processId === processId);
				if (!marked) continue;
				// The reserved row becomes the message's one error row, free for event.offline.get with error=1; any other
				// copy still waiting (reserved elsewhere or a newer free one) goes, and so does an older free error row of
				// the same message (it would hold the same unique key).
				const drop = new Set(copies.filter((r) => r !== marked && (!r.error || r.processId === '')));
				marked.error = true;
				marked.processId = '';
				ctx.state.offlineEvents = ctx.state.offlineEvents.filter((r) => !drop.has(r));
			}
			return true;
		},
	},
	'event.offline.list': {
		scope: null,
		run(ctx) {
			const { own } = offlineContext(ctx);
			const q = lowerKeys(ctx.params);
			// Read only. IRestService::getNavData with the ORM: offset = start (a negative start: the first page).
			const start = given(q.start) ? Math.max(0, phpIntCast(q.start)) : 0;
			const tz = ctx.options.timeZone;
			const where = offlineFilter(q.filter, LIST_FIELDS, tz);
			const rows = offlineOrder(
				ctx.state.offlineEvents.filter((r) => own(r) && where(r)),
				q.order,
				LIST_FIELDS,
				[['ID', 'ASC']],
			);
			const page = rows.slice(start, start + LIST_LIMIT);
			const next = start + page.length < rows.length ? start + page.length : undefined;
			return new PagedResult(
				page.map((r) => offlineListRow(r, tz)),
				next,
				rows.length,
			);
		},
	},
};
