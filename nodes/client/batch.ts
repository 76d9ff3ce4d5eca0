import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { Reading } from './answer';
import type { Call, Connection } from './call';
import type { Gathering } from './registry';
import { registry } from './registry';
import { sendAlone, sendBatch } from './send';

/**
 * Stage 1, batch: the calls of one node run that are ready at the same time go out together, in batch requests of
 * up to 50 commands per connection (a lone call, or one a query string cannot carry, goes as a plain call); each
 * request then goes on to stage 2 (send.ts paces it). n8n's routing engine starts every item's request at once;
 * each item takes a seat here before it reads its credential, so the seats of one run are all taken within one
 * turn of the event loop. The gathering closes after a turn in which no seat was taken (retries that wake
 * together regroup the same way), once every seat is filled or left.
 */

/** The most commands Bitrix24 runs in one batch request. */
const BATCH_LIMIT = 50;

interface Waiting {
	call: Call;
	answer: (reading: Reading) => void;
}

/** A place in the next request of a node run: a call joins through it, or leaves it when it could not be built. */
export interface Seat {
	join(call: Call): Promise<Reading>;
	leave(): void;
}

export function takeSeat(key: string): Seat {
	let gathering = registry.gatherings.get(key);
	if (!gathering) {
		gathering = { seats: [], joined: false };
		registry.gatherings.set(key, gathering);
		void closeWhenQuiet(key, gathering);
	}
	gathering.joined = true;
	let fill!: (waiting: Waiting | undefined) => void;
	gathering.seats.push(new Promise<Waiting | undefined>((resolve) => (fill = resolve)));
	return {
		join: async (call) => await new Promise<Reading>((answer) => fill({ call, answer })),
		leave: () => fill(undefined),
	};
}

/** A seat in the next request of a node run, for a call that may be batched (`batchKey`); none: it goes alone. */
export function nextSeat(batchKey: string | undefined): Seat | undefined {
	return batchKey ? takeSeat(batchKey) : undefined;
}

async function closeWhenQuiet(key: string, gathering: Gathering) {
	do {
		gathering.joined = false;
		await sleep(0);
	} while (gathering.joined);
	registry.gatherings.delete(key);
	const seated = await Promise.all(gathering.seats);
	await sendTogether(seated.filter((waiting): waiting is Waiting => waiting !== undefined));
}

/** Per connection, batches of up to 50; a lone call, or one a query string cannot carry, goes as a plain call. */
async function sendTogether(waiting: Waiting[]) {
	const byConnection = new Map<string, Array<Waiting & { command: string }>>();
	const requests: Array<Promise<void>> = [];
	for (const entry of waiting) {
		const command = toCommand(entry.call.method, entry.call.params);
		if (command === undefined) {
			requests.push(deliver([entry], sendAlone(entry.call).then((reading) => [reading])));
			continue;
		}
		const key = connectionKey(entry.call.connection);
		if (!byConnection.has(key)) byConnection.set(key, []);
		byConnection.get(key)!.push({ ...entry, command });
	}
	for (const group of byConnection.values()) {
		for (let start = 0; start < group.length; start += BATCH_LIMIT) {
			const chunk = group.slice(start, start + BATCH_LIMIT);
			const readings =
				chunk.length === 1
					? sendAlone(chunk[0].call).then((reading) => [reading])
					: sendBatch(
							chunk.map((entry) => entry.call),
							chunk.map((entry) => entry.command),
						);
			requests.push(deliver(chunk, readings));
		}
	}
	await Promise.all(requests);
}

/** Hands each waiting call its reading; an unexpected error reaches every one of them as it is. */
async function deliver(waiting: Waiting[], readings: Promise<Reading[]>) {
	try {
		const read = await readings;
		waiting.forEach((entry, index) => entry.answer(read[index]));
	} catch (error) {
		const failure = { code: '', description: '' };
		for (const entry of waiting) entry.answer({ ok: false, failure, n8nError: error as Error });
	}
}

/** `$`, then no whitespace (PCRE's \s) up to a `[...]` holding at least one character: all a reference needs. */
const REFERENCE_LIKE = /\$[^ \t\n\v\f\r]*\[[^\]]+\]/;

/**
 * A batch command is `method?query`, the query in PHP's bracket syntax (`fields[paid]=Y&select[0]=id`), which
 * the portal reads with parse_str. Only what that syntax carries exactly is batched: the rest goes as a plain
 * call, where JSON keeps it as it is.
 */
function toCommand(method: string, params: IDataObject): string | undefined {
	const pairs: string[] = [];
	for (const [key, value] of Object.entries(params)) {
		// parse_str turns "." and " " in a top-level name into "_", and "[" would open a bracket.
		if (/[.\s[\]]/.test(key) || !addPairs(pairs, encodeURIComponent(key), value)) return undefined;
	}
	// PHP reads at most 1000 variables of a query (max_input_vars) and drops the rest.
	if (pairs.length > 1000) return undefined;
	return `${method}?${pairs.join('&')}`;
}
/** Adds `name=value` pairs for a value; false when the query string cannot carry it exactly. */
function addPairs(pairs: string[], name: string, value: unknown): boolean {
	if (typeof value === 'string') {
		// The portal rewrites a command's value where `$` and a name of its earlier answers (result, error, time and
		// more, any case) run without a space into `[...]` (rest CRestUtil::processBatchElement; URL-encoding is no
		// escape): any such text is kept out of batches.
		if (REFERENCE_LIKE.test(value)) return false;
		pairs.push(`${name}=${encodeURIComponent(value)}`);
		return true;
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return false;
		pairs.push(`${name}=${encodeURIComponent(String(value))}`);
		return true;
	}
	if (value !== null && typeof value === 'object') {
		// An empty array or object vanishes from a query string; null and booleans have no query form that PHP
		// reads back as the same type.
		const entries = Object.entries(value as IDataObject);
		if (entries.length === 0) return false;
		return entries.every(([key, inner]) => !/[[\]]/.test(key) && addPairs(pairs, `${name}[${encodeURIComponent(key)}]`, inner));
	}
	return false;
}

/** Calls that share this key can go out in one batch: same address, same way of signing. */
function connectionKey(connection: Connection): string {
	return `${connection.authentication} ${connection.restUrl}`;
}
