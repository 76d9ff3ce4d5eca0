import type { IDataObject } from 'n8n-workflow';

import type { CallContext } from './errors';
import type { Connection, PortalContext } from './connection';
import type { RequestSettings } from './settings';

/** One Bitrix24 method call of one item: everything the pipeline needs, built once. */
export interface Call {
	method: string;
	params: IDataObject;
	connection: Connection;
	settings: RequestSettings;
	/** The validated ids it acts on, by their n8n parameter names: they name the payment in outputs and errors. */
	ids: IDataObject;
	itemIndex: number;
	/** The n8n functions it is sent with and its error is built for. */
	context: PortalContext;
	/** Calls with the same key (one node run, one connection) may share a batch request; none: sent alone. */
	batchKey?: string;
	/** Requests sent for it so far and the time spent waiting between them: what Max Retries and Max Wait bound. */
	sent: number;
	waitedMs: number;
	startedAt: number;
}

export function newCall(fields: Omit<Call, 'sent' | 'waitedMs' | 'startedAt'>): Call {
	return { ...fields, sent: 0, waitedMs: 0, startedAt: Date.now() };
}

/** Another call on behalf of the same item (re-reading what it changed): same connection, settings and ids. */
export function followUpCall(call: Call, method: string, params: IDataObject): Call {
	return newCall({ ...call, method, params });
}

/** What an error about this call needs to know. */
export function describedCall(call: Call): CallContext {
	const { method, ids, itemIndex } = call;
	return { method, ids, itemIndex, authentication: call.connection.authentication, secrets: call.connection.secrets };
}
