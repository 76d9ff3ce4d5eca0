// The offline event queue (rest EventOfflineTable, b_rest_event_offline) and what rest's Event\Sender writes to it.
//
// An offline binding (event.bind with event_type=offline) has no handler: when its event fires, Sender adds a row
// for every offline binding of that event, one per app and connector (EventOfflineTable::callEvent), unless the change
// was made by a REST call of that same app with that same auth_connector (both '' included): an app is not told of
// its own changes on the channel it made them through (b24restdocs api-reference/events/offline-events.md, "How to
// avoid cycles"). callEvent is a MERGE on (MESSAGE_ID, APP_ID, CONNECTOR_ID, PROCESS_ID) with PROCESS_ID '': an
// unreserved row of the same object and event only gets a new TIMESTAMP_X (and data), so one payment changed 1000
// times is one row; a row already reserved by event.offline.get (PROCESS_ID set) is not touched and a second row is
// added. The app reads the queue with event.offline.* (methods/offline.ts).

import { createHash } from 'node:crypto';

import { formatPortal } from './datetime';
import type { EmulatorState, OfflineEventRecord } from './state';

/** EventOfflineTable::PROCESS_ID_LIFETIME: a reservation nobody cleared is deleted after this many seconds. */
export const PROCESS_ID_LIFETIME = 2_952_000;

/** Who made a change through REST: the app and its auth_connector (null for webhooks and people in the UI). */
export interface ChangeSource {
	clientId: string;
	connectorId: string;
}

/** md5(EVENT_NAME|json_encode(EVENT_DATA)): the same object and event give the same MESSAGE_ID. */
export function offlineMessageId(event: string, data: unknown): string {
	return createHash('md5').update(`${event}|${JSON.stringify(data)}`).digest('hex');
}

/**
 * Sender's offline part for one fired payment event: one row per offline binding (app x connector), merged into the
 * unreserved row of the same message if there is one. `userId` is who made the change (0: nobody, automation).
 * Answers the rows written.
 */
export function queueOffline(
	state: EmulatorState,
	event: string,
	paymentId: number,
	userId: number,
	source: ChangeSource | null,
	now: number,
): OfflineEventRecord[] {
	const written: OfflineEventRecord[] = [];
	const bindings = state.eventHandlers.filter((h) => h.offline && h.event === event && h.clientId !== null).sort((a, b) => a.id - b.id);
	const seen = new Set<string>();
	for (const h of bindings) {
		const clientId = h.clientId as string;
		const key = JSON.stringify([clientId, h.connectorId]);
		if (seen.has(key)) continue;
		seen.add(key);
		if (source && source.clientId === clientId && source.connectorId === h.connectorId) continue;
		written.push(callEvent(state, { clientId, connectorId: h.connectorId, event, paymentId, userId, now }));
	}
	return written;
}

/** EventOfflineTable::callEvent: the MERGE on (MESSAGE_ID, APP_ID, CONNECTOR_ID, PROCESS_ID = ''). */
function callEvent(
	state: EmulatorState,
	e: { clientId: string; connectorId: string; event: string; paymentId: number; userId: number; now: number },
): OfflineEventRecord {
	const eventData = { FIELDS: { ID: e.paymentId } };
	const messageId = offlineMessageId(e.event, eventData);
	// The portal keeps `user_id` when the change had a local user; nothing (an empty array) otherwise.
	const eventAdditional = e.userId > 0 ? { user_id: e.userId } : [];
	const timestampX = Math.floor(e.now / 1000) * 1000;
	const existing = state.offlineEvents.find(
		(r) => r.messageId === messageId && r.clientId === e.clientId && r.connectorId === e.connectorId && r.processId === '',
	);
	if (existing) {
		existing.timestampX = timestampX;
		existing.eventData = eventData;
		existing.eventAdditional = eventAdditional;
		return existing;
	}
	const row: OfflineEventRecord = {
		id: ++state.lastIds.offlineEvent,
		timestampX,
		messageId,
		clientId: e.clientId,
		event: e.event,
		eventData,
		eventAdditional,
		processId: '',
		connectorId: e.connectorId,
		error: false,
	};
	state.offlineEvents.push(row);
	return row;
}

/**
 * EventOfflineTable's clean-up agent: deletes reserved rows (PROCESS_ID set) whose TIMESTAMP_X is older than
 * PROCESS_ID_LIFETIME, i.e. reservations nobody cleared. Answers how many went.
 */
export function cleanStaleReservations(state: EmulatorState, now: number): number {
	const before = state.offlineEvents.length;
	const limit = now - PROCESS_ID_LIFETIME * 1000;
	state.offlineEvents = state.offlineEvents.filter((r) => r.processId === '' || r.timestampX >= limit);
	return before - state.offlineEvents.length;
}

/** A row as event.offline.get answers it: ID as the database gives it (a string), TIMESTAMP_X in portal time. */
export function offlineGetRow(r: OfflineEventRecord, tz: string): Record<string, unknown> {
	return {
		ID: String(r.id),
		TIMESTAMP_X: formatPortal(r.timestampX, tz),
		EVENT_NAME: r.event,
		EVENT_DATA: structuredClone(r.eventData),
		EVENT_ADDITIONAL: structuredClone(r.eventAdditional),
		MESSAGE_ID: r.messageId,
	};
}

/** A row as event.offline.list answers it: the get row plus PROCESS_ID and ERROR ("0" / "1"). */
export function offlineListRow(r: OfflineEventRecord, tz: string): Record<string, unknown> {
	return { ...offlineGetRow(r, tz), PROCESS_ID: r.processId, ERROR: r.error ? '1' : '0' };
}
