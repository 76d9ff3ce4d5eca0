// List semantics the portal's list methods share: filter keys with operation prefixes
// (the ORM / CSqlUtil::GetFilterOperation rules), `order` maps {FIELD: ASC|DESC}, and the
// key conversion controllers apply to incoming camelCase keys.

import { parseLoose } from '../datetime';
import { RestError } from '../errors';
import { phpIsNumeric, phpString, type Params } from '../php';

/**
 * Converter(TO_SNAKE | TO_UPPER) as controllers apply it to incoming keys: StringHelper::camel2snake
 * (`(.)([A-Z])` -> `$1_$2`), then upper case. Lossy on purpose, as on the portal: "paySystemId" ->
 * "PAY_SYSTEM_ID", but "id1c" -> "ID1C" (not ID_1C) and an UPPER key like "ID" -> "I_D", so such keys
 * match no field and are dropped.
 */
export function bitrixUpperSnake(key: string): string {
	return key.replace(/(.)([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * sale.payment.* keys: Sale\Rest\Entity\Base converts with TO_SNAKE | TO_SNAKE_DIGIT | TO_UPPER (`id1c` ->
 * `ID_1_C`) and then maps the 1C columns back (`ID_1_C` -> `ID_1C`, `UPDATED_1_C`, `VERSION_1_C`).
 */
export function saleUpperSnake(key: string): string {
	const snake = key.replace(/(.)([A-Z])/g, '$1_$2').replace(/([a-zA-Z])(\d)/g, '$1_$2').replace(/(\d)([a-zA-Z])/g, '$1_$2').toUpperCase();
	return snake.replace(/^(ID|UPDATED|VERSION)_1_C$/, '$1_1C');
}

export type FilterOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '%' | '!%' | '@' | '!@' | 'like' | '!like';

// Longest prefixes first. '%' is a substring search; '=%' / '%=' take SQL LIKE patterns.
const PREFIXES: Array<[string, FilterOp]> = [
	['!=%', '!like'], ['!%=', '!like'], ['!@', '!@'], ['!%', '!%'], ['!=', '!='], ['>=', '>='], ['<=', '<='],
	['=%', 'like'], ['%=', 'like'], ['!', '!='], ['=', '='], ['>', '>'], ['<', '<'], ['%', '%'], ['@', '@'],
];

export function parseFilterKey(raw: string): { field: string; op: FilterOp } {
	for (const [prefix, op] of PREFIXES) if (raw.startsWith(prefix)) return { field: raw.slice(prefix.length), op };
	return { field: raw, op: '=' };
}

/** Orders two values as the database would: numbers numerically, datetimes by instant, text case-insensitively. */
function compare(a: unknown, b: unknown): number | null {
	if (a === null || a === undefined || b === null || b === undefined) return null;
	if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
	if ((typeof a === 'number' || phpIsNumeric(a)) && (typeof b === 'number' || phpIsNumeric(b))) {
		return Math.sign(Number(a) - Number(b));
	}
	if (typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(a)) {
		const ta = parseLoose(a, '+00:00');
		const tb = parseLoose(b, '+00:00') ?? parseLoose(b.replace(/^(\d{1,2})\.(\d{1,2})\.(\d{4})/, '$3-$2-$1'), '+00:00');
		if (ta !== null && tb !== null) return Math.sign(ta - tb);
	}
	const sa = phpString(a).toLowerCase();
	const sb = phpString(b).toLowerCase();
	return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function equals(value: unknown, expected: unknown): boolean {
	if (expected === null || expected === '') return value === null || value === undefined || value === '';
	return compare(value, expected) === 0;
}

function likeToRegExp(pattern: string): RegExp {
	const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
	return new RegExp(`^${body}$`, 'is');
}

function asList(expected: unknown): unknown[] {
	if (Array.isArray(expected)) return expected;
	if (typeof expected === 'object' && expected !== null) return Object.values(expected);
	return [expected];
}

export function matches(value: unknown, op: FilterOp, expected: unknown): boolean {
	switch (op) {
		case '=':
			return Array.isArray(expected) || (typeof expected === 'object' && expected !== null)
				? asList(expected).some((e) => equals(value, e))
				: equals(value, expected);
		case '!=':
			return !matches(value, '=', expected);
		case '@':
			return asList(expected).some((e) => equals(value, e));
		case '!@':
			return !asList(expected).some((e) => equals(value, e));
		case '>':
		case '>=':
		case '<':
		case '<=': {
			const c = compare(value, expected);
			if (c === null) return false;
			return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
		}
		case '%':
			return value !== null && value !== undefined && phpString(value).toLowerCase().includes(phpString(expected).toLowerCase());
		case '!%':
			return !matches(value, '%', expected);
		case 'like':
			return value !== null && value !== undefined && likeToRegExp(phpString(expected)).test(phpString(value));
		case '!like':
			return !matches(value, 'like', expected);
	}
}

/** Reads one field of a row, or says the field does not exist (undefined resolver). */
export type FieldResolver<T> = (field: string) => ((row: T) => unknown) | undefined;

/**
 * Filters rows by a Bitrix filter. `toField` turns the key's field part into the table's field name
 * (e.g. bitrixUpperSnake); keys naming no field are dropped, as the portal's whitelists do.
 */
export function applyFilter<T>(rows: T[], filter: Params | undefined, resolve: FieldResolver<T>, toField: (k: string) => string): T[] {
	if (!filter) return rows;
	const tests: Array<(row: T) => boolean> = [];
	for (const [raw, expected] of Object.entries(filter)) {
		const { field, op } = parseFilterKey(raw);
		const get = resolve(toField(field));
		if (!get) continue;
		tests.push((row) => matches(get(row), op, expected));
	}
	return rows.filter((row) => tests.every((t) => t(row)));
}

/**
 * Sorts rows by an `order` map. Keys naming no field are dropped first (when none is left, the
 * `fallback` order applies); a direction other than ASC/DESC is the ORM's ArgumentException, which a
 * controller answers as code 0: 'Invalid order "X"'.
 */
export function applyOrder<T>(
	rows: T[],
	order: Params | undefined,
	resolve: FieldResolver<T>,
	toField: (k: string) => string,
	fallback: Array<[string, 'ASC' | 'DESC']>,
): T[] {
	const toKeys = (entries: Array<[string, unknown]>) => {
		const keys: Array<[(row: T) => unknown, 'ASC' | 'DESC']> = [];
		for (const [key, dir] of entries) {
			const get = resolve(toField(key));
			if (!get) continue;
			const direction = phpString(dir).trim().toUpperCase();
			if (direction !== 'ASC' && direction !== 'DESC') throw new RestError(400, '0', `Invalid order "${direction}"`);
			keys.push([get, direction]);
		}
		return keys;
	};
	let keys = toKeys(order ? Object.entries(order) : []);
	if (keys.length === 0) keys = toKeys(fallback);
	// Each row's sort values are read once, not at every comparison (lists of 10 000 rows in tests).
	return rows
		.map((row, index) => ({ row, index, values: keys.map(([get]) => get(row)) }))
		.sort((x, y) => {
			for (const [position, [, direction]] of keys.entries()) {
				const a = x.values[position];
				const b = y.values[position];
				// NULL sorts first ascending, as in MySQL.
				const c = a === null || a === undefined ? (b === null || b === undefined ? 0 : -1) : b === null || b === undefined ? 1 : (compare(a, b) ?? 0);
				if (c !== 0) return direction === 'ASC' ? c : -c;
			}
			return x.index - y.index;
		})
		.map((x) => x.row);
}
