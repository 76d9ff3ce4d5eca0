// event.bind / event.unbind / event.get (rest Bitrix\Rest\Api\Event, EventTable, HandlerHelper::checkCallback).
// Global scope (no scope needed), but only in an application context: an inbound webhook gets 403 WRONG_AUTH_TYPE.
// Parameter keys are case-insensitive (array_change_key_case), event codes are upper-cased, event_type lower-cased.
// Bindings (b_rest_event rows) belong to the calling app (its client id); a non-admin sees and changes only their own.
// Offline bindings also carry the request's connector (auth_connector): bind and unbind work on that connector's row.
//
// Sources: the portal's Api\Event code and the docs' event.bind error table (WRONG_AUTH_TYPE 403 "Current
// authorization type is denied for this method"; a second identical bind is 400 ERROR_CORE "Unable to set event
// handler: Handler already binded", EventTable::checkUniq - there is no ERROR_EVENT_ALREADY_INSTALLED code; an event
// outside the token's scopes is 400 ERROR_EVENT_NOT_FOUND "Event not found", so the payment events need `sale`).
// Where the English event.unbind page says "if no parameters are specified, all handlers are deleted", the code
// refuses an empty EVENT or HANDLER (ERROR_ARGUMENT); the code wins.

import { RestError } from '../errors';
import { phpIntCast, phpString, type Params } from '../php';
import type { EventHandlerRecord } from '../state';
import type { CallContext, MethodDef } from './context';

/** The events this portal can bind and fire, with the scope each needs (sale RestManager's description). */
export const PAYMENT_EVENTS: Readonly<Record<string, string>> = {
	ONPAYMENTENTITYSAVED: 'sale',
	ONPAYMENTDELETED: 'sale',
};

// AuthTypeException without a message.
const wrongAuthType = () => new RestError(403, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
// AccessException: "Access denied!" and the reason.
const accessDenied = (reason: string) => new RestError(403, 'ACCESS_DENIED', `Access denied! ${reason}`);
// ArgumentNullException / ArgumentException become ERROR_ARGUMENT with the argument's name next to the text
// (the `argument` key as the placement.bind page shows it).
export const argumentNull = (name: string) =>
	new RestError(400, 'ERROR_ARGUMENT', `Argument '${name}' is null or empty`, { argument: name });
const wrongEventType = () =>
	new RestError(400, 'ERROR_ARGUMENT', 'Value must be one of {online|offline}', { argument: 'EVENT_TYPE' });
const eventNotFound = () => new RestError(400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');
const alreadyBound = () => new RestError(400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');

/** The calling app's client id; anything but an OAuth token is refused. */
export function appContext(ctx: CallContext): string {
	if (ctx.caller.kind !== 'oauth' || ctx.caller.clientId === undefined) throw wrongAuthType();
	return ctx.caller.clientId;
}

export function isAdmin(ctx: CallContext): boolean {
	return ctx.state.users.get(ctx.caller.userId)?.admin === true;
}

/** array_change_key_case($query, CASE_UPPER): a later key wins over an earlier one of another case. */
function upperKeys(params: Params): Params {
	const out: Params = {};
	for (const [k, v] of Object.entries(params)) out[k.toUpperCase()] = v;
	return out;
}

function eventType(q: Params): 'online' | 'offline' {
	const type = phpString(q.EVENT_TYPE ?? '').toLowerCase();
	if (type === '') return 'online';
	if (type !== 'online' && type !== 'offline') throw wrongEventType();
	return type;
}

/**
 * HandlerHelper::checkCallback: parse_url must find a host with a dot after its first character (so `localhost`
 * fails, 127.0.0.1 passes), then the scheme must be exactly `http` or `https` (case-sensitive, as PHP compares).
 */
export function checkCallback(url: string): void {
	const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(url);
	const authority = m ? m[2].slice(m[2].lastIndexOf('@') + 1) : '';
	const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d*$/, '');
	if (!m || host === '' || host.indexOf('.') <= 0) throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
	if (m[1] !== 'http' && m[1] !== 'https') throw new RestError(400, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol');
}

export const eventMethods: Record<string, MethodDef> = {
	'event.bind': {
		scope: null,
		run(ctx) {
			const clientId = appContext(ctx);
			const q = upperKeys(ctx.params);
			const event = phpString(q.EVENT ?? '').toUpperCase();
			let userId = phpIntCast(q.AUTH_TYPE ?? null);
			let handler = phpString(q.HANDLER ?? '');
			const admin = isAdmin(ctx);
			if (userId > 0) {
				if (!admin && userId !== ctx.caller.userId) throw accessDenied('Event binding with AUTH_TYPE requires administrator access rights');
			} else if (!admin) {
				userId = ctx.caller.userId; // a non-admin's handlers always get their own tokens
			}
			if (event === '') throw argumentNull('EVENT');
			const type = eventType(q);
			// An offline binding belongs to the request's connector (auth_connector of the app's call): one queue per
			// data exchange channel. Online bindings have none.
			let connectorId = '';
			if (type === 'offline') {
				if (!admin) throw accessDenied('Offline events binding requires administrator access rights');
				handler = '';
				userId = 0;
				connectorId = ctx.caller.connectorId;
			} else if (handler === '') {
				throw argumentNull('HANDLER');
			}
			if (handler !== '') checkCallback(handler);
			// The event must be one of the token's scopes (or the global scope, which has no payment events).
			const scope = PAYMENT_EVENTS[event];
			if (scope === undefined || !ctx.caller.scopes.includes(scope)) throw eventNotFound();
			// EventTable::checkUniq: app, event, handler, user, connector.
			const same = (h: EventHandlerRecord) =>
				h.clientId === clientId && h.event === event && h.handler === handler && h.userId === userId && h.connectorId === connectorId;
			if (ctx.state.eventHandlers.some(same)) throw alreadyBound();
			ctx.state.eventHandlers.push({
				id: ++ctx.state.lastIds.eventHandler,
				clientId,
				event,
				handler,
				userId,
				offline: type === 'offline',
				connectorId,
				outgoingWebhookId: null,
			});
			return true;
		},
	},
	'event.unbind': {
		scope: null,
		run(ctx) {
			const clientId = appContext(ctx);
			const q = upperKeys(ctx.params);
			const event = phpString(q.EVENT ?? '').toUpperCase();
			let handler = phpString(q.HANDLER ?? '');
			const admin = isAdmin(ctx);
			if (event === '') throw argumentNull('EVENT');
			const type = eventType(q);
			if (type === 'offline') {
				if (!admin) throw accessDenied('Offline events unbinding requires administrator access rights');
				handler = '';
			} else if (handler === '') {
				throw argumentNull('HANDLER');
			}
			let userId: number | undefined;
			if (type === 'online') {
				if (q.AUTH_TYPE !== undefined && q.AUTH_TYPE !== null) {
					// The portal compares the raw value with `!==` to the user's int id: only a JSON number can pass.
					if (!admin && q.AUTH_TYPE !== ctx.caller.userId) {
						throw accessDenied('Event unbinding with AUTH_TYPE requires administrator access rights');
					}
					userId = phpIntCast(q.AUTH_TYPE);
				} else if (!admin) {
					userId = ctx.caller.userId;
				}
			}
			const matches = (h: EventHandlerRecord) =>
				h.clientId === clientId &&
				h.event === event &&
				h.handler === handler &&
				(type === 'offline' ? h.connectorId === ctx.caller.connectorId : userId === undefined || h.userId === userId);
			const before = ctx.state.eventHandlers.length;
			ctx.state.eventHandlers = ctx.state.eventHandlers.filter((h) => !matches(h));
			return { count: before - ctx.state.eventHandlers.length };
		},
	},
	'event.get': {
		scope: null,
		run(ctx) {
			const clientId = appContext(ctx);
			const admin = isAdmin(ctx);
			return ctx.state.eventHandlers
				.filter((h) => h.clientId === clientId && (admin || h.userId === ctx.caller.userId))
				.sort((a, b) => a.id - b.id)
				.map((h) =>
					h.handler !== ''
						? // USER_ID comes from the database as a string.
							{ event: h.event, handler: h.handler, auth_type: String(h.userId), offline: 0 }
						: { event: h.event, connector_id: h.connectorId, offline: 1 },
				);
		},
	},
};
