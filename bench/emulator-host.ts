/**
 * Child process of `npm run bench`: hosts the Bitrix24 emulators, so the node under measurement has the
 * benchmark's process (and its CPU time) to itself and the portal answers from another core, as a real
 * portal would. Driven over IPC by `bench/remote-emulator.ts`; every emulator is a real HTTP server on its
 * own port (a new portal for the node's process-wide limiter).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a benchmark helper process: talks to its parent over process IPC, never shipped */
import type { EmulatorOptions } from '../test/emulator/options';
import type { SalePayment } from '../test/emulator/state';
import type { Fault } from '../test/emulator/server';
import { Bitrix24Emulator } from '../test/emulator/server';

export interface HostRequest {
	id: number;
	command: 'start' | 'seed' | 'seedChanged' | 'issueToken' | 'queueReport' | 'reset' | 'report' | 'injectFault' | 'stop';
	key?: number;
	options?: EmulatorOptions;
	count?: number;
	overrides?: Partial<Omit<SalePayment, 'id'>>;
	/** `report`: the method whose writes are counted, and the ids that should now be paid. */
	method?: string;
	paidIds?: number[];
	/** `injectFault`: what the next matching requests meet. */
	fault?: Fault;
}

/** What the portal saw, summed up (the request log itself stays here: list answers are large). */
export interface HostReport {
	/** Every REST request that reached the portal. */
	requests: number;
	/** Plain requests of `method`. */
	methodRequests: number;
	/** Batch requests. */
	batchRequests: number;
	/** Commands per method inside batch requests. */
	inBatches: Record<string, number>;
	/** Calls of `method` the portal ran, plain or inside a batch, and how many ran more than once per id. */
	ran: number;
	duplicateWrites: number;
	refusedByBucket: number;
	/** Status code -> count, over all REST requests. */
	statuses: Record<string, number>;
	/** Of `paidIds`, how many are not paid. */
	unpaid: number;
	/** The raw body of the first request, to compare what different clients sent. */
	firstBody?: string;
	firstHeaders?: Record<string, unknown>;
}

/** What the portal saw of a polling look, and what its offline queue still holds. */
export interface QueueReport {
	requests: number;
	/** Plain requests per method (`batch` for batch requests). */
	byMethod: Record<string, number>;
	/** Commands per method inside batch requests. */
	inBatches: Record<string, number>;
	refusedByBucket: number;
	/** Records nobody has reserved (what a next look would read). */
	unreserved: number;
}

const emulators = new Map<number, Bitrix24Emulator>();
let nextKey = 1;

function emulatorOf(key: number | undefined): Bitrix24Emulator {
	const emulator = emulators.get(key ?? -1);
	if (!emulator) throw new Error(`no emulator ${String(key)}`);
	return emulator;
}

function report(emulator: Bitrix24Emulator, method: string, paidIds: number[]): HostReport {
	const all = emulator.restCalls();
	const calls = emulator.restCalls(method);
	const runs = new Map<string, number>();
	let ran = 0;
	for (const call of emulator.methodCalls(method)) {
		if (!call.ran) continue;
		ran++;
		const id = String(call.params.id);
		runs.set(id, (runs.get(id) ?? 0) + 1);
	}
	const statuses: Record<string, number> = {};
	for (const call of all) statuses[String(call.status)] = (statuses[String(call.status)] ?? 0) + 1;
	const unpaid = paidIds.filter((id) => emulator.state.payments.get(id)?.paid !== 'Y').length;
	const inBatches: Record<string, number> = {};
	for (const call of all) for (const command of call.commands ?? []) inBatches[command.method] = (inBatches[command.method] ?? 0) + 1;
	return {
		inBatches,
		requests: all.length,
		methodRequests: calls.length,
		batchRequests: emulator.restCalls('batch').length,
		ran,
		duplicateWrites: [...runs.values()].reduce((sum, count) => sum + count - 1, 0),
		refusedByBucket: emulator.refusedByBucket,
		statuses,
		unpaid,
		firstBody: all[0] ? String(all[0].rawBody) : undefined,
		firstHeaders: all[0]?.headers,
	};
}

async function handle(request: HostRequest): Promise<unknown> {
	switch (request.command) {
		case 'start': {
			const emulator = await Bitrix24Emulator.start(request.options);
			const key = nextKey++;
			emulators.set(key, emulator);
			return { key, baseUrl: emulator.baseUrl, webhookUrl: emulator.webhookUrl() };
		}
		case 'seed':
			return emulatorOf(request.key).seedOrderPayments(request.count ?? 0, request.overrides);
		case 'seedChanged':
			return emulatorOf(request.key).seedChangedPayments(request.count ?? 0);
		case 'issueToken': {
			const emulator = emulatorOf(request.key);
			return { token: emulator.issueToken(), clientId: emulator.oauthApp.clientId, clientSecret: emulator.oauthApp.clientSecret };
		}
		case 'queueReport': {
			const emulator = emulatorOf(request.key);
			const byMethod: Record<string, number> = {};
			const inBatches: Record<string, number> = {};
			for (const call of emulator.restCalls()) {
				byMethod[String(call.restMethod)] = (byMethod[String(call.restMethod)] ?? 0) + 1;
				for (const command of call.commands ?? []) inBatches[command.method] = (inBatches[command.method] ?? 0) + 1;
			}
			const unreserved = emulator.offlineRecords().filter((record) => record.processId === '').length;
			const report: QueueReport = { requests: emulator.restCalls().length, byMethod, inBatches, refusedByBucket: emulator.refusedByBucket, unreserved };
			return report;
		}
		case 'reset':
			emulatorOf(request.key).reset();
			return null;
		case 'report':
			return report(emulatorOf(request.key), request.method ?? '', request.paidIds ?? []);
		case 'injectFault':
			if (request.fault) emulatorOf(request.key).injectFault(request.fault);
			return null;
		case 'stop':
			await emulatorOf(request.key).stop();
			emulators.delete(request.key ?? -1);
			return null;
	}
}

process.on('message', (request: HostRequest) => {
	handle(request).then(
		(result) => process.send?.({ id: request.id, result }),
		(error: Error) => process.send?.({ id: request.id, error: error.stack ?? String(error) }),
	);
});
process.on('disconnect', () => process.exit(0));
