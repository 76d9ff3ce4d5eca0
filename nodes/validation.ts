/**
 * Checks that run before a request is sent, so bad input fails its own item with a message naming the
 * field, and never reaches the portal (which would guess: Bitrix24 reads a date without an offset in the
 * portal's time zone, and `"12abc"` as 12).
 */

export class InvalidValueError extends Error {}

/** The value as the user would recognise it: strings quoted, numbers (Infinity too) as they print. */
export function show(value: unknown): string {
	return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

export function toPositiveInteger(value: unknown, label: string): number {
	const text = typeof value === 'string' ? value.trim() : value;
	if (text === undefined || text === null || text === '') {
		throw new InvalidValueError(`${label} is empty`);
	}
	const number = typeof text === 'number' ? text : typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
	if (!Number.isSafeInteger(number) || number <= 0) {
		throw new InvalidValueError(`${label} must be a positive whole number, not ${show(value)}`);
	}
	return number;
}

export function toFiniteNumber(value: unknown, label: string): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw new InvalidValueError(`${label} must be a number, not ${show(value)}`);
	}
	return number;
}

function offsetMinutes(instant: Date, timeZone: string): number {
	const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
		.formatToParts(instant)
		.find((part) => part.type === 'timeZoneName')?.value;
	const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
	if (!match) return 0;
	return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

function formatWithOffset(instant: Date, minutes: number): string {
	const local = new Date(instant.getTime() + minutes * 60_000).toISOString().slice(0, 19);
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const ISO_DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date-time with an explicit offset. A value without one (what n8n's date picker gives) is read in
 * the workflow's time zone, as the user saw it, not in the portal's.
 */
export function toDateTimeWithOffset(value: unknown, label: string, timeZone: string): string {
	let text: string | undefined;
	if (value instanceof Date) text = value.toISOString();
	else if (value !== null && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		text = String((value as { toISO: () => string }).toISO());
	} else if (typeof value === 'string') text = value.trim();
	const match = text ? ISO_DATE_TIME.exec(text) : null;
	if (!match) {
		throw new InvalidValueError(
			`${label} must be a date and time like 2024-04-10T10:00:00+03:00, not ${show(value)}`,
		);
	}
	const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
	const check = new Date(wall);
	if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
		throw new InvalidValueError(`${label} is not a real date and time: ${show(value)}`);
	}
	if (zone) {
		const minutes = /^z$/i.test(zone)
			? 0
			: (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
		return formatWithOffset(new Date(wall - minutes * 60_000), minutes);
	}
	// Two passes find the offset in force at that wall time, also across a DST change.
	let minutes = offsetMinutes(new Date(wall), timeZone);
	minutes = offsetMinutes(new Date(wall - minutes * 60_000), timeZone);
	return formatWithOffset(new Date(wall - minutes * 60_000), minutes);
}
