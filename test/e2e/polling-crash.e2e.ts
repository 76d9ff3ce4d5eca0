/**
 * `npm run test:e2e`, part 4: Bitrix24 Payments Polling Trigger (OAuth2, the offline event queue) against a portal of
 * each kind of plan (cloud with reservations and source keys, cloud with neither, self-hosted), in a real n8n of each
 * line, polling every minute, and n8n killed with SIGKILL (no shutdown code runs: an OOM kill, a container killed)
 * just as a look starts (its first request held at the portal), while its runs run (their chat posts held), and once
 * they have run. Payments are paid before each kill and while n8n is down. Checked in n8n's own executions: every
 * change to paid starts exactly one run, in every workflow, and no chat message comes twice.
 */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator } from '../emulator/server';
import type { Plan } from '../emulator/plan';
import { credentialData } from '../helpers/bitrix24';
import { Chat, pollingToChat } from './stage';
import { N8n, N8N_LINES, sleep, until } from './n8n';

const PLANS: Plan[] = ['cloudExtended', 'cloudBasic', 'selfHosted'];
/** A minute for the next look, and the time its runs take. */
const NEXT_LOOK_MS = 75_000;

/** One workflow per portal: polling trigger (OAuth2) -> one chat message per run, "<plan> <payment id>". */
function workflow(plan: Plan, chatUrl: string) {
	const index = PLANS.indexOf(plan);
	return pollingToChat({
		id: `e2eCrash${plan}`.slice(0, 16),
		name: `Polling after a crash (${plan})`,
		authentication: 'oAuth2',
		credential: { id: `e2eCrashApp${index}0000`, name: `Bitrix24 app (${plan})` },
		chatUrl,
		text: `'${plan} ' + $json.paymentId`,
	});
}

describe.each(N8N_LINES)('n8n %s: the polling trigger on each kind of plan, n8n killed with SIGKILL', (version) => {
	let n8n: N8n;
	const chat = new Chat();
	const portals = new Map<Plan, Bitrix24Emulator>();
	/** Per plan, the payments paid so far: each must start exactly one run. */
	const paid = new Map<Plan, number[]>(PLANS.map((plan) => [plan, []]));

	const told = (plan: Plan) => chat.messages.filter((message) => message.startsWith(`${plan} `));

	/** Pays `count` new order payments on every portal, as a person in Bitrix24 does. */
	function payEverywhere(count: number) {
		for (const [plan, portal] of portals) {
			for (const id of portal.seedOrderPayments(count)) {
				portal.person.pay(id);
				paid.get(plan)!.push(id);
			}
		}
	}

	/** n8n's own record: per payment, the runs (executions) of the plan's workflow whose trigger item names it. */
	async function runsPerPayment(plan: Plan): Promise<Map<number, number>> {
		const id = workflow(plan, '').id;
		const list = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: id }))}&limit=500`);
		const runs = new Map<number, number>();
		for (const execution of (list.results ?? []) as IDataObject[]) {
			const details = await n8n.rest('GET', `/executions/${String(execution.id)}`);
			// flatted JSON, n8n's form of run data, keeps numbers as they are.
			for (const paymentId of new Set([...String(details.data).matchAll(/"paymentId":(\d+)/g)].map((match) => Number(match[1])))) {
				runs.set(paymentId, (runs.get(paymentId) ?? 0) + 1);
			}
		}
		return runs;
	}

	/**
	 * Starts n8n; the workflows are activated at its start, with a look each (not a switch-on: what is queued counts),
	 * whose runs may start before n8n says it is ready.
	 */
	async function start() {
		await n8n.start();
		await n8n.setupOwner().catch(() => undefined);
	}

	beforeAll(async () => {
		n8n = await N8n.create(version);
		await chat.start();
		const credentials: object[] = [];
		for (const [index, plan] of PLANS.entries()) {
			const portal = await Bitrix24Emulator.start({ plan });
			portals.set(plan, portal);
			credentials.push({ id: `e2eCrashApp${index}0000`, name: `Bitrix24 app (${plan})`, type: 'bitrix24PaymentsOAuth2Api', data: credentialData(portal, 'oAuth2', portal.issueToken()) });
		}
		await n8n.command('import:credentials', `--input=${n8n.file('credentials.json', credentials)}`);
		await n8n.command('import:workflow', `--input=${n8n.file('workflows.json', PLANS.map((plan) => workflow(plan, chat.url)))}`);
		for (const plan of PLANS) await n8n.command('update:workflow', `--id=${workflow(plan, '').id}`, '--active=true');
		await start();
		// Each workflow's activation at n8n's start binds its queue, then looks at it.
		for (const [plan, portal] of portals) {
			const looked = () => portal.restCalls().some((call) => /^event\.offline\.(get|list)$/.test(call.restMethod ?? ''));
			await until(`the ${plan} workflow's first look`, looked, 120_000).catch((error: Error) => {
				const calls = portal.restCalls().map((call) => `${call.restMethod} ${call.status}`);
				throw new Error(`${error.message}; the portal had: ${calls.join(', ')}; n8n:\n${n8n.log.slice(-3000)}`);
			});
		}
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
		await chat.stop();
		for (const portal of portals.values()) await portal.stop();
	}, 120_000);

	test('killed just as a look starts: what was paid before and while n8n was down starts one run each', async () => {
		payEverywhere(1);
		// The next look's first request waits at the portal; n8n dies while it does.
		for (const portal of portals.values()) portal.injectFault({ kind: 'slow', method: 'event.offline.list', delayMs: 10_000 });
		await until('a look to start', () => [...portals.values()].some((portal) => portal.restCalls('event.offline.list').some((call) => call.fault === 'slow')), NEXT_LOOK_MS);
		await n8n.kill();
		payEverywhere(1);
		await start();
		await until('two runs per portal', () => PLANS.every((plan) => told(plan).length >= 2), NEXT_LOOK_MS);
	}, 300_000);

	test('killed while a look\'s runs run (their chat posts held), then started again (checked in the next test)', async () => {
		const before = chat.messages.length;
		chat.delayMs = 10_000;
		payEverywhere(2);
		await until('the first run of the next look', () => chat.messages.length > before, NEXT_LOOK_MS);
		await n8n.kill();
		chat.delayMs = 0;
		await start();
	}, 300_000);

	test('killed once a look\'s runs have run, payments paid meanwhile: one run each; in n8n\'s executions no payment twice, none missing', async () => {
		payEverywhere(1);
		const due = () => PLANS.every((plan) => paid.get(plan)!.every((id) => told(plan).includes(`${plan} ${id}`)));
		await until('the runs of the last payments', due, 2 * NEXT_LOOK_MS);
		await sleep(3000);
		await n8n.kill();
		payEverywhere(1);
		await start();
		await until('the runs of the payments paid while n8n was down', due, NEXT_LOOK_MS);
		// The next look repeats nothing.
		await sleep(NEXT_LOOK_MS);
		for (const plan of PLANS) {
			const runs = await runsPerPayment(plan);
			expect([plan, paid.get(plan)!.map((id) => runs.get(id) ?? 0)]).toEqual([plan, paid.get(plan)!.map(() => 1)]);
			expect([plan, told(plan).length]).toEqual([plan, new Set(told(plan)).size]);
		}
		// Every record is cleared by now (a reservation, or a free record, once its runs started).
		for (const [plan, portal] of portals) await until(`the ${plan} queue to be cleared`, () => portal.offlineRecords().length === 0, NEXT_LOOK_MS);
	}, 600_000);
});
