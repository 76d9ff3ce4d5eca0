// Portal time. Bitrix24 prints datetimes in the portal's time zone with its offset
// ("2024-05-20T12:32:02+03:00") and reads input loosely (PHP strtotime): a value
// WITHOUT an offset is taken as portal local time. That is a real trap for clients
// that send UTC without "Z", so the emulator reproduces it instead of guessing.

/** '+03:00' -> 180 (minutes east of UTC). */
export function offsetMinutes(tz: string): number {
	const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
	if (!m) throw new Error(`Invalid portal time zone offset "${tz}", expected like "+03:00"`);
	return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function normalizeOffset(tz: string): string {
	const min = offsetMinutes(tz);
	const abs = Math.abs(min);
	return `${min < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Epoch ms -> 'YYYY-MM-DDTHH:mm:ss+03:00' in the portal offset. */
export function formatPortal(ms: number, tz: string): string {
	const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes(tz) * 60000);
	return (
		`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
		`T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${normalizeOffset(tz)}`
	);
}

/** A stored datetime re-printed in the current portal offset (same instant). */
export function reformat(value: string | null, tz: string): string | null {
	if (value === null) return null;
	const ms = parseLoose(value, tz);
	return ms === null ? value : formatPortal(ms, tz);
}

/**
 * strtotime()-like parsing of the formats clients actually send. Returns epoch ms,
 * or null when PHP would return false (the portal then silently skips the field).
 */
export function parseLoose(value: unknown, tz: string): number | null {
	if (typeof value !== 'string') return null;
	const s = value.trim();
	if (s === '') return null;
	const at = /^@(-?\d+)$/.exec(s);
	if (at) return Number(at[1]) * 1000;

	// ISO-ish: 2024-04-10, 2024-04-10T10:00, 2024-04-10 10:00:00.123+02:00, ...Z
	let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
	if (m) return build(+m[1], +m[2], +m[3], m[4], m[5], m[6], m[7], m[8], tz);

	// Bitrix site format: 10.04.2024 or 10.04.2024 10:00:00
	m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
	if (m) return build(+m[3], +m[2], +m[1], m[4], m[5], m[6], undefined, undefined, tz);

	// RFC 2822 and similar, only when the zone is explicit (the local zone of this process is meaningless).
	if (/(GMT|UTC|Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
		const t = Date.parse(s);
		if (!Number.isNaN(t)) return t;
	}
	return null;
}

function build(
	y: number, mo: number, d: number,
	h: string | undefined, mi: string | undefined, sec: string | undefined, frac: string | undefined,
	zone: string | undefined, tz: string,
): number | null {
	const hh = h === undefined ? 0 : +h;
	const mm = mi === undefined ? 0 : +mi;
	const ss = sec === undefined ? 0 : +sec;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 24 || mm > 59 || ss > 59) return null;
	const utc = Date.UTC(y, mo - 1, d, hh, mm, ss, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
	const check = new Date(Date.UTC(y, mo - 1, d));
	if (check.getUTCDate() !== d) return null; // 2024-02-31
	let offset: number;
	if (!zone) offset = offsetMinutes(tz); // no offset given: portal local time
	else if (/^(Z|UTC|GMT)$/i.test(zone)) offset = 0;
	else offset = offsetMinutes(zone.length === 3 ? `${zone}:00` : zone);
	return utc - offset * 60000;
}

function pad(n: number): string {
	return String(n).padStart(2, '0');
}
