/**
 * `npm run bench`: the built node (dist/) on n8n's real engine, against the Bitrix24 emulator over real HTTP.
 *
 * 1. Standard bucket: N items of CRM Payment > Mark as Paid through the portal's leaky bucket (2/s, burst 50)
 *    with the credential's Standard plan: with Batch Requests (against ceil(N / 50) requests) and without
 *    (against the bucket's own minimum (N - 50) / 2 s).
 *    Then the same bucket shared by 1, 2 and 4 copies of the node (each its own copy of the bucket, as queue mode's
 *    workers have): failed items, refusals, and the time against the bucket's minimum.
 * 2. No bucket: the node's cost per item, batched and one request per item, against the engine's floor (a bare
 *    routing-only node making one request per item through the same harness) and a plain `fetch` loop.
 * 3. Order Payment > Get Many, Return All over 10 000 payments through the Standard bucket, with and without
 *    Batch Requests.
 * 4. Bitrix24 Payments Polling Trigger (OAuth2): one look over an offline queue of 1 000 changed payments through the
 *    Standard bucket, against the floor of ceil(1 000 / 50) batched payment reads plus the queue's own requests.
 * 5. Settling lost answers: Mark as Paid batches whose answer the portal drops (after running them, or before),
 *    against the same run with every answer; what reading them back costs in requests and time.
 *
 * The emulators run in a child process (`bench/emulator-host.ts`), so this process's time and CPU are the
 * client's alone. Prints a table and writes it to bench/results.md with the machine and versions.
 * `BENCH_SECTIONS=bucket,cost,list,queue,settle` runs only some sections; `BENCH_BUCKET_SIZES` sizes section 1, `BENCH_REPS` and
 * `BENCH_ITEMS` section 2; such
 * partial runs write bench/results-partial.md instead.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a command-line program: reads its environment, measures this process, prints and writes its report */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// n8n-core's settings for a run in this process (no task runners, a throwaway user folder), as the tests have them.
import '../test/helpers/setup-env';

type Helpers = typeof import('../test/helpers/bitrix24');
type Package = typeof import('../test/helpers/package');
type Engine = typeof import('../test/helpers/engine');
type Emulator = import('../test/emulator/server').Bitrix24Emulator;
type Item = import('n8n-workflow').INodeExecutionData;
type Credentials = import('n8n-workflow').ICredentialDataDecryptedObject;
type RemoteEmulator = import('./remote-emulator').RemoteEmulator;
type EmulatorHost = import('./remote-emulator').EmulatorHost;

const MAIN_ORDER = 200; // SEED_IDS.orders.MAIN: deal 10, so crm.item.payment.pay finds the payments
const PLAIN_ORDER = 202; // SEED_IDS.orders.PLAIN: no payments until seeded
const STANDARD = { rate: 2, burst: 50 };
const PAY = { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BUCKET_SIZES = (process.env.BENCH_BUCKET_SIZES ?? '80,200,400,1000').split(',').map(Number);
const ALL_SECTIONS = ['bucket', 'cost', 'list', 'queue', 'settle'];
const sections = new Set((process.env.BENCH_SECTIONS ?? ALL_SECTIONS.join(',')).split(',').map((s) => s.trim()));
const QUEUE_SIZE = 1000;
const SHARED_ITEMS = 200;
const SHARED_PROCESSES = [1, 2, 4];
const COST_ITEMS = Number(process.env.BENCH_ITEMS ?? 300);
const COST_REPS = Number(process.env.BENCH_REPS ?? 11);

let helpers: Helpers;
let built: Package;
let engine: Engine;
let host: EmulatorHost;
const problems: string[] = [];

/** The harness's `run` reads only `webhookUrl()` of the emulator when credentials are given. */
function portal(emulator: RemoteEmulator): Emulator {
	return { webhookUrl: () => emulator.webhookUrl() } as unknown as Emulator;
}

function credentials(emulator: RemoteEmulator, plan: Credentials): Credentials {
	return { ...helpers.credentialData(portal(emulator), 'webhook'), ...plan };
}

function idItems(ids: number[]): Item[] {
	return helpers.itemsOf(...ids.map((id) => ({ id })));
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const verdict = (ratio: number) => `${ratio.toFixed(3)}x${ratio <= 1.25 ? '' : ' (over the target)'}`;
const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function failedItems(items: Item[], ids: number[]): number {
	const ok = items.filter((item, index) => !item.error && item.json.success === true && item.json.paymentId === ids[index]).length;
	return ids.length - ok;
}

// ---- 1. Standard bucket ----

interface BucketRow {
	n: number;
	batch: boolean;
	wallMs: number;
	minimumMs: number;
	failed: number;
	duplicates: number;
	refused: number;
	requests: number;
	unpaid: number;
}

async function standardBucket(n: number, batch: boolean): Promise<BucketRow> {
	// A new emulator = a new port = a new portal for the node's process-wide limiter.
	const emulator = await host.emulator({ bucket: STANDARD });
	try {
		const ids = await emulator.seedOrderPayments(n, { orderId: MAIN_ORDER });
		gc();
		const started = performance.now();
		const result = await engine.runNode({
			emulator: portal(emulator),
			parameters: { ...PAY, requestOptions: { batch } },
			items: idItems(ids),
			credentials: credentials(emulator, { rateLimit: 'standard' }),
			continueOnFail: true,
		});
		const wallMs = performance.now() - started;
		const seen = await emulator.report('crm.item.payment.pay', ids);
		if (result.error) problems.push(`standard bucket N=${n}: the node failed: ${result.error.message}`);
		return {
			n,
			batch,
			wallMs,
			minimumMs: ((n - STANDARD.burst) / STANDARD.rate) * 1000,
			failed: result.error ? n : failedItems(result.items, ids),
			duplicates: seen.duplicateWrites,
			refused: seen.refusedByBucket,
			requests: seen.requests,
			unpaid: seen.unpaid,
		};
	} finally {
		await emulator.stop();
	}
}

// ---- 1b. Several processes, one bucket ----

/** A row of section 1 with the number of processes in place of the batching switch (always off here). */
type SharedRow = Omit<BucketRow, 'batch'> & { processes: number };

/**
 * `processes` copies of the node (each its own module copy, so its own copy of the bucket, as queue mode's workers
 * have), SHARED_ITEMS items between them, one request per item, at once against one Standard bucket.
 */
async function sharedBucket(processes: number): Promise<SharedRow> {
	const emulator = await host.emulator({ bucket: STANDARD });
	try {
		const ids = await emulator.seedOrderPayments(SHARED_ITEMS, { orderId: MAIN_ORDER });
		const share = Math.ceil(SHARED_ITEMS / processes);
		const data = credentials(emulator, { rateLimit: 'standard' });
		const copies = Array.from({ length: processes }, () => built.freshNodeType());
		gc();
		const started = performance.now();
		const results = await Promise.all(
			copies.map(async (nodeType, p) => {
				const mine = ids.slice(p * share, (p + 1) * share);
				const result = await engine.runNode({
					nodeType,
					credentialTypes: built.credentialTypes,
					credential: { type: 'bitrix24PaymentsWebhookApi', data },
					parameters: { ...PAY, requestOptions: { batch: false } },
					items: idItems(mine),
					continueOnFail: true,
				});
				if (result.error) problems.push(`shared bucket, ${processes} processes: the node failed: ${result.error.message}`);
				return result.error ? mine.length : failedItems(result.items, mine);
			}),
		);
		const wallMs = performance.now() - started;
		const seen = await emulator.report('crm.item.payment.pay', ids);
		return {
			processes,
			n: SHARED_ITEMS,
			wallMs,
			minimumMs: ((SHARED_ITEMS - STANDARD.burst) / STANDARD.rate) * 1000,
			failed: results.reduce((sum, failed) => sum + failed, 0),
			duplicates: seen.duplicateWrites,
			refused: seen.refusedByBucket,
			requests: seen.requests,
			unpaid: seen.unpaid,
		};
	} finally {
		await emulator.stop();
	}
}

// ---- 2. Cost per item without a bucket ----

type VariantName = 'batched' | 'node' | 'hookless' | 'floor' | 'fetchConcurrent' | 'fetchSequential';

const VARIANT_LABELS: Record<VariantName, string> = {
	batched: 'Bitrix24 Payments node, Batch Requests on (default)',
	node: 'Bitrix24 Payments node, Batch Requests off',
	hookless: 'the same node, every hook removed (surface floor)',
	floor: 'bare routing-only node (engine floor)',
	fetchConcurrent: 'plain fetch, all items at once',
	fetchSequential: 'plain fetch, one after another',
};

interface Sample {
	wallMs: number;
	cpuMs: number;
}

async function payWithFetch(url: string, id: number): Promise<boolean> {
	const response = await fetch(`${url}crm.item.payment.pay`, {
		method: 'POST',
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: JSON.stringify({ id }),
	});
	const body = (await response.json()) as { result?: unknown };
	return response.status === 200 && body.result === true;
}

async function runVariant(variant: VariantName, emulator: RemoteEmulator, ids: number[]): Promise<number> {
	const url = emulator.webhookUrl();
	switch (variant) {
		case 'batched':
		case 'node': {
			const result = await engine.runNode({
			emulator: portal(emulator),
				parameters: { ...PAY, requestOptions: { batch: variant === 'batched' } },
				items: idItems(ids),
				credentials: credentials(emulator, { rateLimit: 'none' }),
				continueOnFail: true,
			});
			return result.error ? ids.length : failedItems(result.items, ids);
		}
		case 'floor': {
			const { bareNodeType } = await import('./bare-node');
			const result = await engine.runNode({
				nodeType: bareNodeType,
				nodeName: 'Bare Bitrix24 Pay',
				credentialTypes: [built.webhookCredentialType],
				parameters: { operation: 'pay', paymentId: '={{ $json.id }}' },
				credential: { type: 'bitrix24PaymentsWebhookApi', data: credentials(emulator, { rateLimit: 'none' }) },
				items: idItems(ids),
				continueOnFail: true,
			});
			if (result.error) return ids.length;
			return ids.length - result.items.filter((item) => !item.error && item.json.result === true).length;
		}
		case 'hookless': {
			const { hooklessNodeType } = await import('./bare-node');
			const result = await engine.runNode({
				nodeType: hooklessNodeType(built.nodeType),
				nodeName: 'Hookless Bitrix24 Payments',
				credentialTypes: [built.webhookCredentialType, built.oauthCredentialType],
				parameters: PAY,
				credential: { type: 'bitrix24PaymentsWebhookApi', data: credentials(emulator, { rateLimit: 'none' }) },
				items: idItems(ids),
				continueOnFail: true,
			});
			if (result.error) return ids.length;
			return ids.length - result.items.filter((item) => !item.error && item.json.result === true).length;
		}
		case 'fetchConcurrent': {
			const answers = await Promise.all(ids.map(async (id) => await payWithFetch(url, id)));
			return answers.filter((ok) => !ok).length;
		}
		case 'fetchSequential': {
			let failed = 0;
			for (const id of ids) if (!(await payWithFetch(url, id))) failed++;
			return failed;
		}
	}
}

interface CostRow {
	variant: VariantName;
	wallMsPerItem: number;
	cpuMsPerItem: number;
	minWallMsPerItem: number;
	failed: number;
	duplicates: number;
	requests: number;
}

/** Per round, a's time over b's (they ran back to back), then the median and range over the rounds. */
interface PairedRatio {
	wall: number;
	cpu: number;
	wallRange: [number, number];
}

function pairedRatio(samples: Map<VariantName, Sample[]>, a: VariantName, b: VariantName): PairedRatio {
	const [as, bs] = [samples.get(a)!, samples.get(b)!];
	const wall = as.map((sample, round) => sample.wallMs / bs[round].wallMs);
	const cpu = as.map((sample, round) => sample.cpuMs / bs[round].cpuMs);
	return { wall: median(wall), cpu: median(cpu), wallRange: [Math.min(...wall), Math.max(...wall)] };
}

async function costPerItem(): Promise<{
	rows: CostRow[];
	bodies: Record<string, string | undefined>;
	toFloor: PairedRatio;
	toSurface: PairedRatio;
}> {
	const variants: VariantName[] = ['batched', 'node', 'hookless', 'floor', 'fetchConcurrent', 'fetchSequential'];
	const emulator = await host.emulator({ bucket: null });
	const samples = new Map<VariantName, Sample[]>(variants.map((v) => [v, []]));
	const totals = new Map<VariantName, { failed: number; duplicates: number; requests: number }>(
		variants.map((v) => [v, { failed: 0, duplicates: 0, requests: 0 }]),
	);
	const bodies: Record<string, string | undefined> = {};
	try {
		// Round 0 warms up the JIT and the connection pools and is not counted. Each round runs every variant
		// once, starting one later each time, so that no variant always follows the same one.
		for (let round = 0; round <= COST_REPS; round++) {
			for (const variant of [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)]) {
				await emulator.reset();
				const ids = await emulator.seedOrderPayments(COST_ITEMS, { orderId: MAIN_ORDER });
				gc();
				const cpu = process.cpuUsage();
				const started = performance.now();
				const failed = await runVariant(variant, emulator, ids);
				const wallMs = performance.now() - started;
				const used = process.cpuUsage(cpu);
				const seen = await emulator.report('crm.item.payment.pay', ids);
				bodies[variant] ??= seen.firstBody;
				if (seen.ran !== ids.length || seen.unpaid || failed) {
					problems.push(`${variant}: ${failed} failed items, ${seen.ran} of ${ids.length} payments paid, ${seen.unpaid} unpaid`);
				}
				if (round === 0) continue;
				samples.get(variant)!.push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
				const total = totals.get(variant)!;
				total.failed += failed;
				total.duplicates += seen.duplicateWrites;
				total.requests += seen.requests;
			}
		}
	} finally {
		await emulator.stop();
	}
	const rows = variants.map((variant) => {
		const list = samples.get(variant)!;
		return {
			variant,
			wallMsPerItem: median(list.map((s) => s.wallMs)) / COST_ITEMS,
			cpuMsPerItem: median(list.map((s) => s.cpuMs)) / COST_ITEMS,
			minWallMsPerItem: Math.min(...list.map((s) => s.wallMs)) / COST_ITEMS,
			...totals.get(variant)!,
		};
	});
	return { rows, bodies, toFloor: pairedRatio(samples, 'node', 'floor'), toSurface: pairedRatio(samples, 'node', 'hookless') };
}

// ---- 3. Get Many, Return All ----

interface ListRow {
	batch: boolean;
	payments: number;
	items: number;
	requests: number;
	pageRequests: number;
	wallMs: number;
	minimumMs: number;
	refused: number;
	failed: boolean;
}

async function getManyReturnAll(count: number, batch: boolean): Promise<ListRow> {
	const emulator = await host.emulator({ bucket: STANDARD });
	try {
		await emulator.seedOrderPayments(count, { orderId: PLAIN_ORDER });
		gc();
		const started = performance.now();
		// Order 202 holds only the seeded payments: 10 000 of them are 200 pages of 50.
		const result = await engine.runNode({
			emulator: portal(emulator),
			parameters: {
				resource: 'orderPayment',
				operation: 'getAll',
				returnAll: true,
				filters: { orderId: PLAIN_ORDER },
				requestOptions: { batch },
			},
			credentials: credentials(emulator, { rateLimit: 'standard' }),
		});
		const wallMs = performance.now() - started;
		const seen = await emulator.report('sale.payment.list');
		if (result.error) problems.push(`Get Many: the node failed: ${result.error.message}`);
		if (result.items.length !== count || new Set(result.items.map((item) => item.json.id)).size !== count) {
			problems.push(`Get Many (batch ${String(batch)}): ${result.items.length} items, not ${count} distinct payments`);
		}
		const pages = Math.ceil(count / 50);
		return {
			batch,
			payments: count,
			items: result.items.length,
			requests: seen.requests,
			pageRequests: seen.methodRequests,
			wallMs,
			minimumMs: Math.max(0, ((pages - STANDARD.burst) / STANDARD.rate) * 1000),
			refused: seen.refusedByBucket,
			failed: Boolean(result.error),
		};
	} finally {
		await emulator.stop();
	}
}

// ---- 4. Polling trigger over the offline queue ----

interface QueueRow {
	records: number;
	runs: number;
	wallMs: number;
	requests: number;
	queueReads: number;
	batchRequests: number;
	paymentReads: number;
	other: string;
	refused: number;
	left: number;
}

async function pollTheQueue(count: number): Promise<QueueRow> {
	const emulator = await host.emulator({ bucket: STANDARD });
	try {
		const { token, clientId, clientSecret } = await emulator.issueToken();
		const { PollHarness } = await import('../test/helpers/poll');
		built.resetProcessState();
		const trigger = new PollHarness({
			authentication: 'oAuth2',
			events: ['paymentPaid'],
			nodeType: built.pollingTriggerType,
			credentials: {
				bitrix24PaymentsOAuth2Api: {
					rateLimit: 'standard',
					grantType: 'authorizationCode',
					domain: new URL(emulator.baseUrl).host,
					clientId,
					clientSecret,
					accessTokenUrl: `${emulator.baseUrl}/oauth/token/`,
					authUrl: `${emulator.baseUrl}/oauth/authorize/`,
					scope: '',
					authQueryParameters: '',
					authentication: 'body',
					oauthTokenData: { ...token },
				},
			},
		});
		// Activation binds the queue (and asks feature.get); then 1 000 payments are paid in Bitrix24.
		await trigger.activate();
		await emulator.seedChangedPayments(count);
		gc();
		const before = await emulator.queueReport();
		const started = performance.now();
		const look = await trigger.look();
		const wallMs = performance.now() - started;
		const seen = await emulator.queueReport();
		if (look.error) problems.push(`polling trigger: the look failed: ${look.error.message}`);
		if (look.runs.length !== count) problems.push(`polling trigger: ${look.runs.length} runs for ${count} changed payments`);
		const of = (method: string) => (seen.byMethod[method] ?? 0) - (before.byMethod[method] ?? 0);
		const known = new Set(['event.offline.get', 'batch']);
		const other = Object.keys(seen.byMethod)
			.filter((method) => !known.has(method) && of(method) > 0)
			.map((method) => `${method} ${of(method)}`)
			.join(', ');
		return {
			records: count,
			runs: look.runs.length,
			wallMs,
			requests: seen.requests - before.requests,
			queueReads: of('event.offline.get'),
			batchRequests: of('batch'),
			paymentReads: (seen.inBatches['sale.payment.get'] ?? 0) - (before.inBatches['sale.payment.get'] ?? 0),
			other,
			refused: seen.refusedByBucket - before.refusedByBucket,
			left: seen.unreserved,
		};
	} finally {
		await emulator.stop();
	}
}

// ---- report ----

// ---- 5. Settling lost answers ----

interface SettleRow {
	label: string;
	items: number;
	lost: number;
	wallMs: number;
	requests: number;
	reads: number;
	confirmed: number;
	notApplied: number;
	unknown: number;
	failedOtherwise: number;
	duplicates: number;
}

/** `items` of Mark as Paid, batched, Standard bucket; the first `lost` batch answers dropped (after running or before). */
async function settleLostAnswers(label: string, items: number, lost: number, afterRun: boolean): Promise<SettleRow> {
	const emulator = await host.emulator({ bucket: STANDARD });
	try {
		const ids = await emulator.seedOrderPayments(items, { orderId: MAIN_ORDER });
		if (lost > 0) await emulator.injectFault({ kind: 'reset', method: 'batch', afterRun, times: lost });
		gc();
		const started = performance.now();
		const result = await engine.runNode({
			emulator: portal(emulator),
			parameters: PAY,
			items: idItems(ids),
			credentials: credentials(emulator, { rateLimit: 'standard' }),
			continueOnFail: true,
		});
		const wallMs = performance.now() - started;
		const seen = await emulator.report('crm.item.payment.pay', ids);
		const errors = result.items.map((item) => String(item.json.error ?? ''));
		const notApplied = errors.filter((error) => error.endsWith('reading it back shows the change was not applied')).length;
		const unknown = errors.filter((error) => error.endsWith('is unknown')).length;
		const confirmed = result.items.filter((item) => item.json.confirmedByReadBack === true).length;
		const succeeded = result.items.filter((item) => item.json.success === true).length;
		return {
			label,
			items,
			lost,
			wallMs,
			requests: seen.requests,
			reads: seen.inBatches['crm.item.payment.get'] ?? 0,
			confirmed,
			notApplied,
			unknown,
			failedOtherwise: items - succeeded - notApplied - unknown,
			duplicates: seen.duplicateWrites,
		};
	} finally {
		await emulator.stop();
	}
}

function versionOf(name: string): string {
	try {
		return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}

function machine(): string[] {
	const cpu = cpus();
	const own = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { name: string; version: string };
	return [
		`- Date: ${new Date().toISOString()}`,
		`- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores`,
		`- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
		`- OS: ${osType()} ${release()} (${process.platform}/${process.arch})`,
		`- Node.js: ${process.version}`,
		`- ${own.name} ${own.version}, n8n-core ${versionOf('n8n-core')}, n8n-workflow ${versionOf('n8n-workflow')}`,
	];
}

async function main() {
	const totalStarted = performance.now();
	helpers = await import('../test/helpers/bitrix24');
	built = await import('../test/helpers/package');
	engine = await import('../test/helpers/engine');
	const { EmulatorHost: Host } = await import('./remote-emulator');
	host = Host.start();
	const out: string[] = ['# Benchmark results', '', ...machine(), ''];
	const show = (lines: string[]) => {
		for (const line of lines) console.log(line);
		out.push(...lines);
	};
	console.log(out.join('\n'));

	try {
		if (sections.has('bucket')) {
			const rows: BucketRow[] = [];
			for (const batch of [true, false]) {
				for (const n of BUCKET_SIZES) {
					console.log(`(standard bucket: ${n} items, Batch Requests ${batch ? 'on' : 'off'} ...)`);
					rows.push(await standardBucket(n, batch));
				}
			}
			const counts = (r: BucketRow) => `${r.failed} | ${r.duplicates} | ${r.refused} | ${r.unpaid}`;
			show([
				'## 1. Standard bucket: CRM Payment > Mark as Paid',
				'',
				'Emulator bucket {rate 2/s, burst 50}, credential Rate Limit "Standard", a new emulator (portal) per run.',
				'',
				'With Batch Requests (the default): one request per 50 items.',
				'',
				'| N | wall time | requests | ceil(N / 50) | failed items | duplicate writes | portal refusals | unpaid after |',
				'|---:|---:|---:|---:|---:|---:|---:|---:|',
				...rows
					.filter((r) => r.batch)
					.map((r) => `| ${r.n} | ${seconds(r.wallMs)} s | ${r.requests} | ${Math.ceil(r.n / 50)} | ${counts(r)} |`),
				'',
				'With Batch Requests off: one request per item, paced to the bucket.',
				'',
				'| N | wall time | bucket minimum (N - 50) / 2 | ratio (target <= 1.10) | requests | failed items | duplicate writes | portal refusals | unpaid after |',
				'|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
				...rows
					.filter((r) => !r.batch)
					.map((r) => {
						const ratio = r.wallMs / r.minimumMs;
						return `| ${r.n} | ${seconds(r.wallMs)} s | ${seconds(r.minimumMs)} s | ${ratio.toFixed(3)}${ratio <= 1.1 ? '' : ' (over)'} | ${r.requests} | ${counts(r)} |`;
					}),
				'',
			]);
			for (const r of rows.filter((row) => row.batch)) {
				if (r.requests > Math.ceil(r.n / 50)) problems.push(`batched N=${r.n}: ${r.requests} requests, more than ceil(N / 50)`);
			}

			const shared: SharedRow[] = [];
			for (const processes of SHARED_PROCESSES) {
				console.log(`(standard bucket shared by ${processes} processes: ${SHARED_ITEMS} items between them ...)`);
				shared.push(await sharedBucket(processes));
			}
			show([
				`Several processes, one bucket: ${SHARED_ITEMS} items split between 1, 2 and 4 copies of the node, each loaded on its own (so each has its`,
				"own copy of the bucket, as n8n's queue-mode workers have), started at once, Batch Requests off. The portal's refusals are the",
				'only thing the copies share.',
				'',
				'| processes | wall time | bucket minimum (N - 50) / 2 | ratio | requests | refused (share of requests) | failed items | duplicate writes | unpaid after |',
				'|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
				...shared.map(
					(r) =>
						`| ${r.processes} | ${seconds(r.wallMs)} s | ${seconds(r.minimumMs)} s | ${(r.wallMs / r.minimumMs).toFixed(3)} | ${r.requests} | ${r.refused} (${Math.round((100 * r.refused) / r.requests)}%) | ${r.failed} | ${r.duplicates} | ${r.unpaid} |`,
				),
				'',
			]);
			for (const r of shared) {
				if (r.failed || r.duplicates || r.unpaid) problems.push(`shared bucket, ${r.processes} processes: ${r.failed} failed, ${r.duplicates} paid twice, ${r.unpaid} unpaid`);
			}
		}

		if (sections.has('cost')) {
			console.log(`(cost per item: ${COST_ITEMS} items x ${COST_REPS} rounds + 1 warm-up ...)`);
			const { rows, bodies, toFloor, toSurface } = await costPerItem();
			const floor = rows.find((r) => r.variant === 'floor')!;
			const batched = rows.find((r) => r.variant === 'batched')!;
			const hooklessProperties = built.nodeType.description.properties.length;
			show([
				'## 2. No bucket: cost per item',
				'',
				`Emulator bucket null, credential Rate Limit "None". ${COST_ITEMS} items of Mark as Paid per run, ${COST_REPS} rounds of one run per`,
				'variant after one warm-up round, in rotating order; median (and best) wall time per item, and the median CPU time per item of',
				"this process (the client's: the emulator runs in a child process). The engine starts every item's request before",
				'awaiting any, so "all at once" is the same concurrency as the engine.',
				'',
				'| variant | wall ms/item (median) | wall ms/item (best) | CPU ms/item (median) | x floor (wall) | x floor (CPU) | failed items | duplicate writes | requests |',
				'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
				...rows.map(
					(r) =>
						`| ${VARIANT_LABELS[r.variant]} | ${r.wallMsPerItem.toFixed(3)} | ${r.minWallMsPerItem.toFixed(3)} | ${r.cpuMsPerItem.toFixed(3)} | ${(r.wallMsPerItem / floor.wallMsPerItem).toFixed(2)} | ${(r.cpuMsPerItem / floor.cpuMsPerItem).toFixed(2)} | ${r.failed} | ${r.duplicates} | ${r.requests} |`,
				),
				'',
				`Batched, the node sends ${batched.requests / COST_REPS} requests per run instead of ${COST_ITEMS}: its time per item is the engine's`,
				'and its own work, not the network. The ratios below compare the one-request-per-item node with the floor, which',
				'makes one request per item too.',
				'',
				'Paired per round (the two ran back to back, so a slower moment of the machine slows both), median over the rounds:',
				'',
				`- the node (Batch Requests off) against the floor (target <= 1.25): wall ${verdict(toFloor.wall)} (rounds ${toFloor.wallRange.map((r) => r.toFixed(2)).join(' to ')}), CPU ${verdict(toFloor.cpu)};`,
				`- the node against itself without its hooks (its ${hooklessProperties} parameters, same routing): wall ${toSurface.wall.toFixed(3)}x (rounds ${toSurface.wallRange.map((r) => r.toFixed(2)).join(' to ')}), CPU ${toSurface.cpu.toFixed(3)}x.`,
				'',
				"n8n's routing engine resolves every property of a node for every item, twice, and runs the expression of",
				'a parameter once per property of that name: the first ratio is mostly what the parameter surface costs in',
				"the engine, the second what the node's own code (pacing, retries, validation, errors, output) costs.",
				'',
				'Request bodies the portal received (first request of each variant):',
				'',
				...Object.entries(bodies).map(([variant, body]) => `- ${VARIANT_LABELS[variant as VariantName]}: \`${String(body)}\``),
				'',
			]);
		}

		if (sections.has('list')) {
			const rows: ListRow[] = [];
			for (const batch of [true, false]) {
				console.log(`(Get Many, Return All over 10 000 payments, Batch Requests ${batch ? 'on' : 'off'} ...)`);
				rows.push(await getManyReturnAll(10_000, batch));
			}
			show([
				'## 3. Order Payment > Get Many, Return All over 10 000 payments, Standard bucket',
				'',
				'Emulator bucket {rate 2/s, burst 50}, credential Rate Limit "Standard"; filter Order ID 202, which holds exactly the 10 000 seeded payments (200 pages of 50).',
				'',
				'| Batch Requests | items out (distinct) | requests (target with batching <= 5) | plain sale.payment.list requests | wall time | portal refusals | failed |',
				'|---|---:|---:|---:|---:|---:|---|',
				...rows.map(
					(r) =>
						`| ${r.batch ? 'on' : 'off'} | ${r.items} | ${r.requests} | ${r.pageRequests} | ${seconds(r.wallMs)} s | ${r.refused} | ${r.failed ? 'yes' : 'no'} |`,
				),
				'',
				`Without batching the bucket sets the pace: 200 requests, at least ${seconds(rows[1]?.minimumMs ?? 0)} s ((200 - 50) / 2).`,
				'',
			]);
			if (rows[0] && rows[0].requests > 5) problems.push(`Get Many with batching: ${rows[0].requests} requests, more than 5`);
		}
		if (sections.has('queue')) {
			console.log(`(polling trigger: one look over an offline queue of ${QUEUE_SIZE} changed payments ...)`);
			const r = await pollTheQueue(QUEUE_SIZE);
			const floor = Math.ceil(QUEUE_SIZE / 50) + 1;
			show([
				`## 4. Bitrix24 Payments Polling Trigger: one look over an offline queue of ${QUEUE_SIZE} changed payments, Standard bucket`,
				'',
				`OAuth2, Payment Paid; the workflow active (the queue bound), then ${QUEUE_SIZE} order payments paid in Bitrix24 (one record each), then one look.`,
				`The floor: ceil(${QUEUE_SIZE} / 50) = ${Math.ceil(QUEUE_SIZE / 50)} batched payment reads plus one read of the queue.`,
				'',
				'| records | runs started | wall time | requests (floor) | event.offline.get | batch requests | payments read in them | other requests | portal refusals | records left unread |',
				'|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
				`| ${r.records} | ${r.runs} | ${seconds(r.wallMs)} s | ${r.requests} (${floor}) | ${r.queueReads} | ${r.batchRequests} | ${r.paymentReads} | ${r.other || 'none'} | ${r.refused} | ${r.left} |`,
				'',
				"The other requests are the look's own: clearing the previous look's reservation (none here) and looking for a reservation a crash left behind (event.offline.list).",
				'',
			]);
		}
		if (sections.has('settle')) {
			console.log('(settling lost answers ...)');
			// A first run warms the engine up, so that the rows compare the settling alone.
			await settleLostAnswers('warm-up', 50, 0, true);
			const rows = [
				await settleLostAnswers('every answer came', 50, 0, true),
				await settleLostAnswers('the batch answer lost after the portal ran it', 50, 1, true),
				await settleLostAnswers('the batch answer lost before the portal ran it', 50, 1, false),
				await settleLostAnswers('2 of 8 batch answers lost after the portal ran them', 400, 2, true),
			];
			show([
				'## 5. Settling lost answers: CRM Payment > Mark as Paid, batched, Standard bucket',
				'',
				'The emulator drops the connection of the first batch requests (after running their commands, or before); the node',
				'never sends those writes again and reads the payments back (crm.item.payment.get, batched).',
				'',
				'| case | items | answers lost | wall time | requests | payments read back | applied (confirmed by reading back) | not applied | unknown | failed otherwise | duplicate writes |',
				'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
				...rows.map(
					(r) =>
						`| ${r.label} | ${r.items} | ${r.lost} | ${seconds(r.wallMs)} s | ${r.requests} | ${r.reads} | ${r.confirmed} | ${r.notApplied} | ${r.unknown} | ${r.failedOtherwise} | ${r.duplicates} |`,
				),
				'',
			]);
			for (const r of rows) {
				if (r.duplicates > 0 || r.unknown > 0 || r.failedOtherwise > 0) problems.push(`settle "${r.label}": ${r.duplicates} duplicates, ${r.unknown} unknown, ${r.failedOtherwise} failed otherwise`);
			}
		}
	} finally {
		host.stop();
	}

	show([
		`Problems: ${problems.length ? problems.join('; ') : 'none'}.`,
		'',
		`Whole benchmark: ${seconds(performance.now() - totalStarted)} s (without the build).`,
	]);
	// Only a whole run at the default sizes replaces the recorded results.
	const whole = sections.size === ALL_SECTIONS.length && !process.env.BENCH_ITEMS && !process.env.BENCH_REPS && !process.env.BENCH_BUCKET_SIZES;
	const file = join(__dirname, whole ? 'results.md' : 'results-partial.md');
	writeFileSync(file, `${out.join('\n')}\n`);
	console.log(`\nWritten to ${file}`);
	process.exit(problems.length ? 1 : 0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
