import { sleep } from 'n8n-workflow';

import type { Reading } from './answer';
import type { Call } from './call';
import { toCommand } from './command';
import { connectionKey } from './connection';
import { BATCH_LIMIT, deliverAlone, deliverBatch } from './deliver';

/**
 * Stage 2, coalesce: the calls of one node run that are ready at the same time go out together. n8n's routing
 * engine starts every item's request at once; each item takes a seat here before it reads its credential, so
 * the seats of one run are all taken within one turn of the event loop. The gathering closes after a turn in
 * which no seat was taken (retries that wake together regroup the same way), once every seat is filled or left.
 */
interface Seat {
	filled: Promise<Call | undefined>;
	fill(call: Call | undefined): void;
	reading?: (reading: Reading) => void;
}

interface Gathering {
	seats: Seat[];
	joined: boolean;
}

const gatherings = new Map<string, Gathering>();

/** A place in the next request of `key`: send a call through it, or leave it when the call could not be built. */
export interface Ticket {
	send(call: Call): Promise<Reading>;
	leave(): void;
}

export function takeSeat(key: string): Ticket {
	let gathering = gatherings.get(key);
	if (!gathering) {
		gathering = { seats: [], joined: false };
		gatherings.set(key, gathering);
		void closeWhenQuiet(key, gathering);
	}
	gathering.joined = true;
	let fill!: (call: Call | undefined) => void;
	const seat: Seat = { filled: new Promise((resolve) => (fill = resolve)), fill: (call) => fill(call) };
	gathering.seats.push(seat);
	return {
		send: async (call) =>
			await new Promise<Reading>((resolve) => {
				seat.reading = resolve;
				seat.fill(call);
			}),
		leave: () => seat.fill(undefined),
	};
}

async function closeWhenQuiet(key: string, gathering: Gathering) {
	do {
		gathering.joined = false;
		await sleep(0);
	} while (gathering.joined);
	gatherings.delete(key);
	const waiting: Waiting[] = [];
	for (const seat of gathering.seats) {
		const call = await seat.filled;
		if (call) waiting.push({ call, answer: seat.reading! });
	}
	await deliverTogether(waiting);
}

interface Waiting {
	call: Call;
	answer: (reading: Reading) => void;
}

/** Per connection, batches of up to 50; a lone call, or one a query string cannot carry, goes as a plain call. */
async function deliverTogether(waiting: Waiting[]) {
	const byConnection = new Map<string, Array<Waiting & { command: string }>>();
	const deliveries: Array<Promise<void>> = [];
	for (const entry of waiting) {
		const command = toCommand(entry.call.method, entry.call.params);
		if (command === undefined) {
			deliveries.push(settle([entry], deliverAlone(entry.call).then((reading) => [reading])));
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
					? deliverAlone(chunk[0].call).then((reading) => [reading])
					: deliverBatch(
							chunk.map((entry) => entry.call),
							chunk.map((entry) => entry.command),
						);
			deliveries.push(settle(chunk, readings));
		}
	}
	await Promise.all(deliveries);
}

/** Hands each waiting call its reading; an unexpected error reaches every one of them as it is. */
async function settle(waiting: Waiting[], readings: Promise<Reading[]>) {
	try {
		const read = await readings;
		waiting.forEach((entry, index) => entry.answer(read[index]));
	} catch (error) {
		const failure = { code: '', description: '' };
		for (const entry of waiting) entry.answer({ ok: false, failure, n8nError: error as Error });
	}
}
