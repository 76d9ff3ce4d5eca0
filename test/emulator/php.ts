// PHP semantics the portal inherits from its runtime. Bitrix24 is PHP: how it reads
// form bodies, what it calls "numeric" or "empty", and how values look inside
// error messages all come from PHP, so the emulator copies those rules here.

export type Params = Record<string, unknown>;

/** PHP is_numeric(): ints, floats and numeric strings (leading/trailing blanks allowed, no hex). */
export function phpIsNumeric(value: unknown): boolean {
	if (typeof value === 'number') return Number.isFinite(value);
	if (typeof value !== 'string') return false;
	return /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(value);
}

/** PHP empty(): null, false, 0, 0.0, "", "0" and [] are empty. */
export function phpEmpty(value: unknown): boolean {
	if (value === undefined || value === null || value === false) return true;
	if (value === 0 || value === '' || value === '0') return true;
	if (Array.isArray(value)) return value.length === 0;
	if (typeof value === 'object') return Object.keys(value as object).length === 0;
	return false;
}

/** PHP (bool) cast: like empty() negated, so the string "false" is true and "0" is false. */
export function phpBool(value: unknown): boolean {
	return !phpEmpty(value);
}

/** How PHP prints a value inside a string ("{$value}"). */
export function phpString(value: unknown): string {
	if (value === null || value === undefined || value === false) return '';
	if (value === true) return '1';
	if (typeof value === 'number') {
		if (Number.isInteger(value)) return String(value);
		return String(value).replace(/e\+?(-?)(\d+)$/, (_m, sign: string, exp: string) => `E${sign || '+'}${exp}`);
	}
	if (typeof value === 'object') return 'Array';
	return String(value);
}

/** PHP (int) cast: leading number of a string, truncated; non-numbers give 0. */
export function phpIntCast(value: unknown): number {
	if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (typeof value !== 'string') return 0;
	const m = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(value);
	return m ? Math.trunc(Number(m[0].trim())) || 0 : 0;
}

/** PHP (float) cast. */
export function phpFloatCast(value: unknown): number {
	if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (typeof value !== 'string') return 0;
	const m = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(value);
	return m ? Number(m[0].trim()) || 0 : 0;
}

/** Does a request value select the row with this integer primary key (SQL "ID = value")? */
export function matchesId(value: unknown, id: number): boolean {
	return phpIsNumeric(value) && Number(String(value).trim()) === id;
}

/** parse_str(): query strings and x-www-form-urlencoded bodies with PHP bracket syntax. */
export function parsePhpQuery(input: string): Params {
	const root: Params = {};
	for (const pair of input.split('&')) {
		if (pair === '') continue;
		const eq = pair.indexOf('=');
		const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
		const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
		const path = splitKey(rawKey);
		if (path) assign(root, path, value);
	}
	return listify(root) as Params;
}

function decode(s: string): string {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return s;
	}
}

// "fields[paid]" -> ["fields", "paid"]; "a[]" -> ["a", ""]. PHP turns " " and "." in the base name into "_".
function splitKey(key: string): string[] | null {
	const open = key.indexOf('[');
	const base = (open < 0 ? key : key.slice(0, open)).replace(/[ .]/g, '_');
	if (base === '') return null;
	const path = [base];
	if (open < 0) return path;
	const re = /\[([^\]]*)\]/y;
	re.lastIndex = open;
	let m: RegExpExecArray | null;
	while ((m = re.exec(key))) path.push(m[1]);
	return path;
}

function assign(target: Params, path: string[], value: string): void {
	let cur = target;
	for (let i = 0; i < path.length; i++) {
		const key = path[i] === '' ? String(nextIndex(cur)) : path[i];
		if (key === '__proto__') return; // a plain-object hazard, not a PHP one
		if (i === path.length - 1) {
			cur[key] = value;
			return;
		}
		const existing = cur[key];
		if (typeof existing !== 'object' || existing === null) cur[key] = {};
		cur = cur[key] as Params;
	}
}

function nextIndex(obj: Params): number {
	const ints = Object.keys(obj).filter((k) => /^(0|[1-9]\d*)$/.test(k)).map(Number);
	return ints.length ? Math.max(...ints) + 1 : 0;
}

// PHP arrays with keys 0..n-1 are lists: JSON encodes them as arrays.
function listify(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) return value;
	const obj = value as Params;
	const keys = Object.keys(obj);
	for (const k of keys) obj[k] = listify(obj[k]);
	if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
	return obj;
}

/** PHP urlencode(): like encodeURIComponent, but also !'()*~ are escaped and a space is "+". */
export function phpUrlencode(value: string): string {
	return encodeURIComponent(value)
		.replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
		.replace(/%20/g, '+');
}

/**
 * http_build_query() with its defaults: nested keys in brackets (`data[FIELDS][ID]`, the brackets escaped as
 * %5B %5D), values through urlencode(), null skipped, true/false as 1/0, keys in insertion order (or as the pairs
 * give them: PHP keeps "5" where it was, a JS object moves it first).
 */
export function phpBuildQuery(data: Params | Array<[string, unknown]>): string {
	const pairs: string[] = [];
	const walk = (value: unknown, key: string) => {
		if (value === null || value === undefined) return;
		if (typeof value === 'object') {
			for (const [k, v] of Object.entries(value as Params)) walk(v, `${key}[${k}]`);
			return;
		}
		const text = value === true ? '1' : value === false ? '0' : phpString(value);
		pairs.push(`${phpUrlencode(key)}=${phpUrlencode(text)}`);
	};
	for (const [k, v] of Array.isArray(data) ? data : Object.entries(data)) walk(v, k);
	return pairs.join('&');
}
