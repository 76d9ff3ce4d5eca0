/* eslint-disable @n8n/community-nodes/require-node-api-error -- test-only emulator: an unexpected error inside a command is rethrown so the server turns it into a 500, never shipped */
// The `batch` method (rest CRestProvider::callBatch): up to 50 "method?query" commands run one after another
// as plain calls of their methods, with the outer request's caller; earlier results can be referenced as
// `$result[key][field]...`. The answer is always a 200: failed commands land in result_error.

import { RestError, errorBody, type CodeStyle } from './errors';
import { faultError, type Fault, type FaultKind } from './limits';
import { PagedResult } from './methods';
import { parsePhpQuery, phpBool, phpString, type Params } from './php';

/** CRestUtil::BATCH_MAX_LENGTH */
export const BATCH_MAX_LENGTH = 50;

/** One command of a recorded batch request, in the order the portal went through them. */
export interface RecordedCommand {
	/** Its key in `cmd` ("0", "1", ... for a list). */
	key: string;
	/** Lowercased method name ('' for a command that is not a string past the 50th). */
	method: string;
	/** The parameters it was given, after `$result[...]` references were substituted. */
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
	const halt = phpBool(params.halt);
	const answer = new BatchAnswer();
	let position = 0;
	for (const [key, command] of commandEntries(params.cmd)) {
		// The length check comes first, so a non-string past the 50th is refused too, not skipped.
		position++;
		const recorded =
			position > BATCH_MAX_LENGTH
				? refuse(key, command, lengthExceeded())
				: typeof command === 'string'
					? runCommand(key, command, answer.result, host)
					: undefined;
		if (!recorded) continue;
		host.record(recorded.command);
		answer.add(key, recorded, host.codeStyle);
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

function runCommand(key: string, text: string, results: Map<string, unknown>, host: BatchHost): Settled {
	const parsed = parseCommand(text);
	// References are looked for only once some command has a result.
	const params = results.size > 0 ? (substitute(parsed.params, results) as Params) : parsed.params;
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

// `$result[key][a][b]`: key, then the path.
const REFERENCE = /\$result\[([^\]]+)\]((?:\[[^\]]+\])*)/g;
const WHOLE_REFERENCE = new RegExp(`^${REFERENCE.source}$`);

/** Replaces references in every string value, nested ones included (`$error[...]` is not supported). */
export function substitute(value: unknown, results: Map<string, unknown>): unknown {
	if (typeof value === 'string') return substituteString(value, results);
	if (Array.isArray(value)) return value.map((v) => substitute(v, results));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
	}
	return value;
}

// A value that is one reference becomes the raw value (arrays too); inside a longer text it is printed as PHP
// prints it. Whatever is not found becomes "".
function substituteString(text: string, results: Map<string, unknown>): unknown {
	if (!text.includes('$result[')) return text;
	const whole = WHOLE_REFERENCE.exec(text);
	if (whole) return resolve(results, whole[1], whole[2]) ?? '';
	return text.replace(REFERENCE, (_m, key: string, path: string) => phpString(resolve(results, key, path)));
}

function resolve(results: Map<string, unknown>, key: string, path: string): unknown {
	if (!results.has(key)) return undefined;
	let cur = results.get(key);
	for (const [, step] of path.matchAll(/\[([^\]]+)\]/g)) {
		if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
		cur = (cur as Record<string, unknown>)[step];
	}
	return cur ?? undefined;
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
