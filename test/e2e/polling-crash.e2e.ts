/**
 * `npm run test:e2e`, part 4: Bitrix24 Payments Polling Trigger (OAuth2, the offline event queue) against a portal of
 * each kind of plan (cloud with reservations and source keys, cloud with neither, self-hosted), in a real n8n of each
 * line, polling every minute, and n8n killed with SIGKILL (no shutdown code runs: an OOM kill, a container killed)
 * just as a look starts, once a look's runs have run, and while they start. Payments are paid before each kill and
 * while n8n is down. Checked in n8n's own executions: every change to paid starts exactly one run, in every workflow.
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

	/** Starts n8n; the workflows are activated at its start, with a look each (not a switch-on: what is queued counts). */
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
		// Each workflow's activation binds its queue and drops what it held (its first look).
		for (const [plan, portal] of portals) {
			await until(`the ${plan} workflow's first look`, () => portal.restCalls('event.offline.get').length > 0, 120_000);
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

	test('killed once a look\'s runs have run, then killed again as the runs of the next look start: no run twice, none missing', async () => {
		await sleep(3000);
		await n8n.kill();
		payEverywhere(3);
		await start();
		// The look n8n makes as it activates the workflows: killed at its first message.
		const before = chat.messages.length;
		await until('the first run after the restart', () => chat.messages.length > before, NEXT_LOOK_MS);
		await n8n.kill();
		await start();
		// Whatever did not start before the kill starts now; the next look repeats nothing.
		await sleep(NEXT_LOOK_MS);
		for (const plan of PLANS) {
			const runs = await runsPerPayment(plan);
			expect([plan, paid.get(plan)!.map((id) => runs.get(id) ?? 0)]).toEqual([plan, paid.get(plan)!.map(() => 1)]);
			// A run n8n was killed in the middle of may not have posted; none posted twice.
			expect(new Set(told(plan)).size).toBe(told(plan).length);
		}
		// Every record is cleared by now (a reservation, or a free record, once its runs started).
		for (const [plan, portal] of portals) await until(`the ${plan} queue to be cleared`, () => portal.offlineRecords().length === 0, NEXT_LOOK_MS);
	}, 600_000);
});
