import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { toPositiveInteger } from './validation';

/* What the portal posts to n8n (events, checkouts): its form fields, and the secret that proves it is the portal. */

/**
 * Bitrix24 posts `data[FIELDS][ID]=1038&auth[member_id]=...` or `BX_SYSTEM_PARAMS[SUM]=100` form-encoded. n8n parses such bodies with Node's
 * querystring, so the brackets stay in flat keys; a body posted as JSON comes nested. Both are read.
 */
export function formField(body: IDataObject, ...path: string[]): unknown {
	const flat = path[0] + path.slice(1).map((key) => `[${key}]`).join('');
	if (flat in body) return body[flat];
	let value: unknown = body;
	for (const key of path) value = value !== null && typeof value === 'object' ? (value as IDataObject)[key] : undefined;
	return value;
}

/** A posted value as text (trimmed); '' for anything else. */
export function postedText(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** A posted id, checked as the action node checks ids; undefined instead of its error. */
export function postedId(value: unknown): number | undefined {
	try {
		return toPositiveInteger(postedText(value), 'id');
	} catch {
		return undefined;
	}
}

/** Compares a secret in constant time: hashing first makes the lengths equal, so not even those leak. */
export function sameSecret(received: string, expected: string): boolean {
	if (!expected) return false;
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(received), digest(expected));
}
