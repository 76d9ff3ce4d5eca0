import { createHash, timingSafeEqual } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { toPositiveInteger } from '../validation';

/** What a Bitrix24 event delivery says, read from its form body; nothing in it is trusted but the payment id. */
export interface Delivery {
	/** The event code as sent (upper case): ONPAYMENTENTITYSAVED, ONPAYMENTDELETED. */
	event: string;
	/** `data[FIELDS][ID]`, when it is a positive whole number. */
	paymentId?: number;
	/** `ts`: when the portal queued the event (unix seconds). */
	ts?: number;
	domain: string;
	memberId: string;
	applicationToken: string;
}

/**
 * Bitrix24 posts `data[FIELDS][ID]=1038&auth[member_id]=...` form-encoded. n8n parses such bodies with Node's
 * querystring, so the brackets stay in flat keys; a body posted as JSON comes nested. Both are read.
 */
function field(body: IDataObject, ...path: string[]): unknown {
	const flat = path[0] + path.slice(1).map((key) => `[${key}]`).join('');
	if (flat in body) return body[flat];
	let value: unknown = body;
	for (const key of path) value = value !== null && typeof value === 'object' ? (value as IDataObject)[key] : undefined;
	return value;
}

function text(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The same check as the action node's ids; undefined instead of its error. */
function positiveInteger(value: unknown): number | undefined {
	try {
		return toPositiveInteger(text(value), 'id');
	} catch {
		return undefined;
	}
}

export function readDelivery(body: unknown): Delivery {
	const data = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
	return {
		event: text(field(data, 'event')).trim().toUpperCase(),
		paymentId: positiveInteger(field(data, 'data', 'FIELDS', 'ID')),
		ts: positiveInteger(field(data, 'ts')),
		domain: text(field(data, 'auth', 'domain')),
		memberId: text(field(data, 'auth', 'member_id')),
		applicationToken: text(field(data, 'auth', 'application_token')),
	};
}

/** Compares a secret in constant time: hashing first makes the lengths equal, so not even those leak. */
export function sameSecret(received: string, expected: string): boolean {
	if (!expected) return false;
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(received), digest(expected));
}
