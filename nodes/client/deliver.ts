import type { Reading } from './answer';
import { readAnswer, readBatch } from './answer';
import type { Call } from './call';
import { noteOperatingTime } from './operatingTime';
import { pace } from './pace';
import { withRefresh } from './refresh';
import { send } from './send';

/** The most commands Bitrix24 runs in one batch request. */
export const BATCH_LIMIT = 50;

function noteTimes(calls: Call[], readings: Reading[]) {
	readings.forEach((reading, index) => {
		const { connection, method } = calls[index];
		if (reading.ok) noteOperatingTime(connection.portal, method, reading.time);
	});
}

/** One plain request for one call: its turn in the bucket, sent (token refreshed if need be), read. */
export async function deliverAlone(call: Call): Promise<Reading> {
	const { connection, context, method, params, settings } = call;
	await pace(connection.portal, connection.plan);
	call.sent++;
	const sent = await withRefresh(connection, async (statusErrors) =>
		await send({ connection, context, method, params, timeoutMs: settings.timeoutMs, statusErrors }),
	);
	const reading = readAnswer(sent);
	noteTimes([call], [reading]);
	return reading;
}

/**
 * One batch request for up to 50 calls of one connection: one place in the bucket, `halt=0` so that each
 * command is answered on its own; `commands[i]` is the encoded command of `calls[i]`.
 */
export async function deliverBatch(calls: Call[], commands: string[]): Promise<Reading[]> {
	const [{ connection, context }] = calls;
	const keys = commands.map((_command, index) => `c${index}`);
	const params = { halt: 0, cmd: Object.fromEntries(keys.map((key, index) => [key, commands[index]])) };
	const timeoutMs = Math.max(...calls.map((call) => call.settings.timeoutMs));
	await pace(connection.portal, connection.plan);
	for (const call of calls) call.sent++;
	const sent = await withRefresh(connection, async (statusErrors) =>
		await send({ connection, context, method: 'batch', params, timeoutMs, statusErrors }),
	);
	const readings = readBatch(sent, keys);
	noteTimes(calls, readings);
	return readings;
}
