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
interface Waiting {
	call: Call;
	answer: (reading: Reading) => void;
}

/** A seat is filled with a call waiting for its reading, or left empty. */
interface Seat {
	filled: Promise<Waiting | undefined>;
	fill(waiting: Waiting | undefined): void;
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
	let fill!: Seat['fill'];
	const filled = new Promise<Waiting | undefined>((resolve) => (fill = resolve));
	gathering.seats.push({ filled, fill });
	return {
		send: async (call) => await new Promise<Reading>((answer) => fill({ call, answer })),
		leave: () => fill(undefined),
	};
}

async function closeWhenQuiet(key: string, gathering: Gathering) {
	do {
		gathering.joined = false;
		await sleep(0);
	} while (gathering.joined);
	gatherings.delete(key);
	const seated = await Promise.all(gathering.seats.map(async (seat) => await seat.filled));
	await deliverTogether(seated.filter((waiting): waiting is Waiting => waiting !== undefined));
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
