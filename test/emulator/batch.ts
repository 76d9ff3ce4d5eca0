/* eslint-disable @n8n/community-nodes/require-node-api-error -- test-only emulator: an unexpected error inside a command is rethrown so the server turns it into a 500, never shipped */
// The `batch` method (rest CRestProvider::callBatch): up to 50 "method?query" commands run one after another
// as plain calls of their methods, with the outer request's caller; earlier answers are substituted into each
// command's values as CRestUtil::processBatchElement does (rest 23.100, below). The answer is always a 200: failed
// commands land in result_error.

import { RestError, errorBody, type CodeStyle } from './errors';
import { faultError, type Fault, type FaultKind } from './limits';
import { PagedResult } from './methods';
import { parsePhpQuery, phpBool, phpIsNumeric, phpString, type Params } from './php';

/** CRestUtil::BATCH_MAX_LENGTH */
export const BATCH_MAX_LENGTH = 50;

/** One command of a recorded batch request, in the order the portal went through them. */
export interface RecordedCommand {
	/** Its key in `cmd` ("0", "1", ... for a list). */
	key: string;
	/** Lowercased method name ('' for a command that is not a string past the 50th). */
	method: string;
	/** The parameters it was given, after references to earlier answers were substituted. */
	params: Params;
	/** Whether the method ran (and may have changed state). */
	ran: boolean;
	/** The injected fault this command met, if any. */
	fault?: FaultKind;
	/** Error code (as a string) when it failed. */
	error?: string;
	/** Its result when it succeeded (the list itself for paginated methods). */
	result?: unknown;
}

/** What a method call produced: its result (maybe a page) and its own `time` block. */
export interface Invocation {
	value: unknown;
	time: Record<string, number | string>;
}

/** What a batch needs from the server it runs in. */
export interface BatchHost {
	codeStyle: CodeStyle;
	/** Runs a method as a plain call would after auth (scope, operating time, run, charge), bucket aside; throws RestError. */
	run(method: string, params: Params): Invocation;
	/** Takes an injected fault waiting for a command of this method, if any. */
	takeFault(method: string): Fault | undefined;
	/** Logs a command once it is settled. */
	record(command: RecordedCommand): void;
}

const lengthExceeded = () => new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
// Since rest 24.0.0 a batch inside a batch is refused.
const notAllowed = () => new RestError(400, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');

/** Runs `cmd` and answers {result, result_error, result_total, result_next, result_time}. */
export function runBatch(params: Params, host: BatchHost): Record<string, unknown> {
	// CRestProvider::methodsBatch: array_change_key_case(CASE_UPPER), so `HALT` and `Cmd` count too (the last wins).
	const query: Params = {};
	for (const [key, value] of Object.entries(params)) query[key.toLowerCase()] = value;
	const halt = phpBool(query.halt);
	const answer = new BatchAnswer();
	const store = newStore();
	let position = 0;
	for (const [key, command] of commandEntries(query.cmd)) {
		// The length check comes first, so a non-string past the 50th is refused too, not skipped.
		position++;
		const recorded =
			position > BATCH_MAX_LENGTH
				? refuse(key, command, lengthExceeded())
				: typeof command === 'string'
					? runCommand(key, command, store, host)
					: undefined;
		if (!recorded) continue;
		host.record(recorded.command);
		answer.add(key, recorded, host.codeStyle);
		remember(store, key, recorded.outcome, host.codeStyle);
		if (halt && recorded.outcome instanceof RestError) break;
	}
	return answer.encode();
}

type Outcome = Invocation | RestError;

interface Settled {
	command: RecordedCommand;
	outcome: Outcome;
}

/** The commands in the order PHP's foreach sees them; anything but an array gives none. */
function commandEntries(cmd: unknown): Array<[string, unknown]> {
	if (Array.isArray(cmd)) return cmd.map((c, i) => [String(i), c]);
	if (typeof cmd === 'object' && cmd !== null) return Object.entries(cmd);
	return [];
}

function refuse(key: string, command: unknown, error: RestError): Settled {
	const { method, params } = typeof command === 'string' ? parseCommand(command) : { method: '', params: {} };
	return settle({ key, method, params, ran: false }, error);
}

function runCommand(key: string, text: string, store: Store, host: BatchHost): Settled {
	const parsed = parseCommand(text);
	const params = substitute(parsed.params, store);
	const command: RecordedCommand = { key, method: parsed.method, params, ran: false };
	if (command.method === 'batch') return settle(command, notAllowed());

	const fault = host.takeFault(command.method);
	if (fault) command.fault = fault.kind;
	let outcome: Outcome | undefined;
	if (!fault || fault.afterRun) {
		try {
			outcome = host.run(command.method, params);
			command.ran = true;
		} catch (e) {
			if (!(e instanceof RestError)) throw e;
			outcome = e;
		}
	}
	// A fault wins over what the method answered, as on a plain request.
	return settle(command, (fault && faultError(fault.kind)) || outcome!);
}

function settle(command: RecordedCommand, outcome: Outcome): Settled {
	if (outcome instanceof RestError) command.error = String(outcome.code);
	else command.result = unpage(outcome.value);
	return { command, outcome };
}

function unpage(value: unknown): unknown {
	return value instanceof PagedResult ? value.result : value;
}

/**
 * "crm.item.payment.get.json?id=1": PHP's parse_url gives the path (the method, trimmed, any case) and the
 * query, which parse_str reads; a "#" starts the fragment, so an unencoded "#" cuts the query there.
 */
export function parseCommand(text: string): { method: string; params: Params } {
	const hash = text.indexOf('#');
	const beforeFragment = hash < 0 ? text : text.slice(0, hash);
	const mark = beforeFragment.indexOf('?');
	const path = mark < 0 ? beforeFragment : beforeFragment.slice(0, mark);
	const query = mark < 0 ? '' : beforeFragment.slice(mark + 1);
	const method = path.replace(/^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g, '').replace(/\.json$/i, '').toLowerCase();
	const params = parsePhpQuery(query);
	// The outer request's auth is what counts; the server strips it before the method sees its params.
	delete params.auth;
	delete params.access_token;
	delete params.auth_connector;
	return { method, params };
}

/**
 * CRestProvider::methodsBatch's `$arResult`: per name, the value each settled command's answer gave it, by command
 * key. It starts with these five (rest 23.100); every other key an answer brings joins it (an error's
 * `error_description`, the keys an error adds), so the names a reference may start with grow as the batch runs.
 */
type Store = Map<string, Map<string, unknown>>;

function newStore(): Store {
	return new Map(['result', 'next', 'total', 'time', 'error'].map((name) => [name, new Map<string, unknown>()]));
}

/**
 * What a command's answer adds: `{result, next?, total?, time}`, or the error answer with `error` made the whole
 * error answer (`if(isset($res['error'])) $res['error'] = $res;`).
 */
function remember(store: Store, key: string, outcome: Outcome, style: CodeStyle): void {
	let res: Record<string, unknown>;
	if (outcome instanceof RestError) {
		const body = errorBody(outcome, style);
		res = { ...body, error: body };
	} else {
		res = { result: unpage(outcome.value) };
		if (outcome.value instanceof PagedResult) {
			if (outcome.value.next !== undefined) res.next = outcome.value.next;
			if (outcome.value.total !== undefined) res.total = outcome.value.total;
		}
		res.time = outcome.time;
	}
	for (const [name, value] of Object.entries(res)) {
		if (!store.has(name)) store.set(name, new Map());
		store.get(name)!.set(key, value);
	}
}

/**
 * CRestUtil::processBatchStructure: every value of the parsed query, nested ones too, goes through
 * processBatchElement with the names the store has now; keys go through it with no name (only `$` itself), which
 * matters only for a key that is a whole reference (it becomes '').
 */
export function substitute(params: Params, store: Store): Params {
	const names = [...store.keys()];
	const walk = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(walk);
		if (typeof value !== 'object' || value === null) return element(value, store, names);
		const out: Params = {};
		for (const [key, inner] of Object.entries(value)) out[phpString(element(key, store, ['']))] = walk(inner);
		return out;
	};
	return walk(params) as Params;
}

// PCRE's \s without the u flag: space, \t, \n, \v, \f, \r.
const NOT_SPACE = '[^ \\t\\n\\x0B\\f\\r]';

/**
 * CRestUtil::processBatchElement: `/\$(names)(\S*)/i` (no boundary after the name: `$results[x]` is `$result` with
 * the path `s[x]`); a match counts only when its rest holds `[...]` segments, which are walked from the store's value
 * of the name as typed (a name in another case is no value: null) with isset(), stopping, not failing, at the first
 * missing one. A whole value that is one match becomes what was reached, of any type; inside longer text, a number
 * is printed and a string put in its place (every occurrence), anything else leaves the text as it was.
 */
function element(value: unknown, store: Store, names: string[]): unknown {
	if (typeof value !== 'string') return value;
	const pattern = new RegExp(`\\$(${names.join('|')})(${NOT_SPACE}*)`, 'gi');
	let query: unknown = value;
	for (const [match, name, path] of [...value.matchAll(pattern)]) {
		const steps = [...path.matchAll(/\[([^\]]+)\]/g)].map((step) => step[1]);
		if (steps.length === 0) continue;
		let r: unknown = store.has(name) ? Object.fromEntries(store.get(name)!) : null;
		for (const step of steps) {
			if (!isset(r, step)) break;
			r = offset(r, step);
		}
		if (match === query) {
			query = r;
			continue;
		}
		if (typeof r === 'number' || phpIsNumeric(r)) r = phpString(r);
		if (typeof r !== 'string' || typeof query !== 'string') continue;
		query = query.split(match).join(r);
	}
	return query;
}

/** PHP's isset($r[$key]) on an array, a string (a numeric offset within it) or anything else. */
function isset(r: unknown, key: string): boolean {
	if (typeof r === 'string') return /^-?\d+$/.test(key) && Math.abs(Number(key)) < r.length + (Number(key) < 0 ? 1 : 0);
	if (typeof r !== 'object' || r === null) return false;
	const value = (r as Record<string, unknown>)[key];
	return Object.prototype.hasOwnProperty.call(r, key) && value !== null && value !== undefined;
}

function offset(r: unknown, key: string): unknown {
	if (typeof r === 'string') return r.at(Number(key));
	return (r as Record<string, unknown>)[key];
}

/** The five maps of the answer, in the order commands settled. */
class BatchAnswer {
	readonly result = new Map<string, unknown>();
	private readonly errors = new Map<string, unknown>();
	private readonly totals = new Map<string, unknown>();
	private readonly nexts = new Map<string, unknown>();
	private readonly times = new Map<string, unknown>();

	add(key: string, { outcome }: Settled, style: CodeStyle): void {
		if (outcome instanceof RestError) {
			this.errors.set(key, errorBody(outcome, style));
			return;
		}
		this.result.set(key, unpage(outcome.value));
		if (outcome.value instanceof PagedResult) {
			if (outcome.value.next !== undefined) this.nexts.set(key, outcome.value.next);
			if (outcome.value.total !== undefined) this.totals.set(key, outcome.value.total);
		}
		this.times.set(key, outcome.time);
	}

	encode(): Record<string, unknown> {
		return {
			result: phpArray(this.result),
			result_error: phpArray(this.errors),
			result_total: phpArray(this.totals),
			result_next: phpArray(this.nexts),
			result_time: phpArray(this.times),
		};
	}
}

/** json_encode of a PHP array: [] when empty, a list when the keys are 0..n-1 in order, else an object. */
export function phpArray(map: Map<string, unknown>): unknown {
	const entries = [...map.entries()];
	if (entries.every(([k], i) => k === String(i))) return entries.map(([, v]) => v);
	return Object.fromEntries(entries);
}
