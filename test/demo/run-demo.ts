/**
 * The main job: `npm run demo`. Runs the example workflows of examples/ whole on n8n's real engine against the
 * bundled Bitrix24 emulator and shows, node by node, the requests they sent and what came back, then what
 * changed on the portal, how the calls were batched, and how time zones read. With BITRIX24_WEBHOOK_URL set it
 * works on that portal instead, touching only the payment named by BITRIX24_PAYMENT_ID, and puts it back.
 * Exits with 1 when anything did not do what it should.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a command-line program: reads its environment, prints its report */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// report.ts loads nothing at run time (its imports are types), so it may come before the environment is set.
import { WIDTH } from './report';

// n8n-core reads these when its services start, so before it is loaded.
process.env.N8N_RUNNERS_ENABLED = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-demo-'));
process.env.N8N_ENCRYPTION_KEY ??= 'demo-encryption-key';
process.env.N8N_LOG_LEVEL ??= 'silent';

type Emulator = import('../emulator/server').Bitrix24Emulator;
type SalePayment = import('../emulator/server').SalePayment;
type Workflows = typeof import('../helpers/workflow');
type WorkflowRun = import('../helpers/workflow').WorkflowRun;
type WorkflowFile = import('../helpers/workflow').WorkflowFile;
type Report = typeof import('./report');
type PortalChanges = import('./report').PortalChanges;

/** n8n's own default when neither GENERIC_TIMEZONE nor the workflow's settings name one. */
const N8N_DEFAULT_TIMEZONE = 'America/New_York';
const TIMEZONE = process.env.GENERIC_TIMEZONE || N8N_DEFAULT_TIMEZONE;

/** Strings that must never be printed (the webhook secret, tokens, the client secret); filled as they appear. */
const secrets: string[] = [];
let failures = 0;

/** Prints lines with any secret blanked out, a line wider than the terminal broken at a space. */
function say(...lines: string[]) {
	for (const line of lines) {
		let text = secrets.reduce((done, secret) => (secret ? done.split(secret).join('***') : done), line);
		const indent = `${/^\s*/.exec(text)![0]}  `;
		while (text.length > WIDTH) {
			const at = text.lastIndexOf(' ', WIDTH);
			if (at <= indent.length) break;
			console.log(text.slice(0, at));
			text = `${indent}${text.slice(at + 1)}`;
		}
		console.log(text);
	}
}

function problem(text: string) {
	failures++;
	say(`  PROBLEM: ${text}`);
}

interface Example {
	/** What the example says it does, in a sentence or two. */
	says: string[];
	/** Changes the seed data before the run, to show something the seed alone would not; says what it did. */
	prepare?(emulator: Emulator): string;
	/** What is wrong with the run, judged from its output and the portal's payments before and after. */
	check(run: WorkflowRun, changes: PortalChanges, after: Map<number, SalePayment>): string[];
}

const ids = (list: number[]) => [...list].sort((a, b) => a - b).join(', ') || 'none';
const expectIds = (what: string, actual: number[], expected: number[]) =>
	ids(actual) === ids(expected) ? [] : [`${what}: ${ids(actual)}, expected ${ids(expected)}`];

/** The examples the demo knows, in the order it shows them; any other example is run and checked generically. */
const EXAMPLES: Record<string, Example> = {
	'mark-payments-paid.workflow.json': {
		says: [
			'Marks payments 1038 and 1039 paid, reads each, then records the pay system\'s status and answer',
			'time and adds "Paid through n8n" to its comment, keeping each payment\'s own pay system.',
		],
		prepare(emulator) {
			const cash = emulator.state.paySystems.get(1)!;
			Object.assign(emulator.state.payments.get(1039)!, {
				paySystemId: 1,
				paySystemName: cash.NAME,
				paySystemXmlId: cash.XML_ID,
				paySystemIsCash: cash.IS_CASH,
				comments: 'Receipt by e-mail',
			});
			return 'Set up: payment 1039 moved to pay system 1 (Cash), with a comment: both must stay.';
		},
		check: (run, changes, after) => [
			...expectIds('payments changed', changes.changed, [1038, 1039]),
			...[1038, 1039].flatMap((id) => {
				const p = after.get(id)!;
				return p.paid === 'Y' && p.psStatus === 'Y' && p.comments.endsWith('Paid through n8n') ? [] : [`payment ${id} not recorded`];
			}),
			...(after.get(1039)!.comments.startsWith('Receipt by e-mail\n') ? [] : ["payment 1039's own comment was lost"]),
			...expectIds('records output', run.node('Record the payment').items.map((item) => item.json.id as number), [1038, 1039]),
		],
	},
	'confirm-order-payments.workflow.json': {
		says: [
			'Lists up to 20 unpaid order payments of pay system 2 (bank transfer), pays each through its',
			'own pay system with status PAID, as a bank statement import would, and reads each back.',
		],
		check: (run, changes, after) => {
			const listed = run.node('Unpaid bank transfers').items.map((item) => item.json.id as number);
			const confirmed = run.node('Pay and confirm').items.filter((item) => item.json.paid === true);
			return [
				...(listed.length ? [] : ['no unpaid bank transfer listed']),
				...expectIds('payments changed', changes.changed, listed),
				...expectIds('confirmed paid', confirmed.map((item) => item.json.paymentId as number), listed),
				...listed.filter((id) => after.get(id)?.psStatusCode !== 'PAID').map((id) => `payment ${id} has no status PAID`),
			];
		},
	},
	'payment-links-for-a-deal.workflow.json': {
		says: ['Lists the unpaid payments of deal 10, gets each one\'s payment link and QR code. Changes nothing.'],
		check: (run, changes) => {
			const listed = run.node('Unpaid payments of the deal').items.map((item) => item.json.id as number);
			const links = run.node('Payment link and QR code').items;
			return [
				...expectIds('payments changed', changes.changed, []),
				...expectIds('links', links.map((item) => item.json.paymentId as number), listed),
				...links.filter((item) => item.binary?.qr?.mimeType !== 'image/png').map(() => 'a link without its QR image'),
			];
		},
	},
	'bill-a-deal.workflow.json': {
		says: [
			'As a Bitrix24 app (OAuth2): a new payment in deal 10 (pay system 2) for 2 of product row 501',
			'and 1 of row 502, due in a week at 18:00 in the workflow\'s time zone, and its payment link.',
		],
		check: (run, changes, after) => {
			const [id] = changes.created;
			const p = after.get(id);
			return [
				...expectIds('payments changed', changes.changed, []),
				...(changes.created.length === 1 ? [] : [`${changes.created.length} payments created, expected 1`]),
				// Row 501 costs 20, row 502 15: the portal sums what the payment covers.
				...(p && p.sum === 55 && p.paySystemId === 2 && p.datePayBefore ? [] : ['the new payment is not 55 USD, pay system 2, with a due date']),
				...expectIds('link', run.node('Payment link').items.map((item) => item.json.paymentId as number), [id]),
			];
		},
	},
};

/** The problems a check found; a check that could not look (a node that never ran) is one, not the end of the demo. */
function checked(check: () => string[]): string[] {
	try {
		return check();
	} catch (error) {
		return [(error as Error).message];
	}
}

/** Prints one run: each node in the order it ran, its requests and its items; then the portal's changes. */
function showRun(report: Report, workflows: Workflows, nodeType: import('n8n-workflow').INodeType, run: WorkflowRun) {
	for (const node of run.nodes) {
		const what = workflows.isStandIn(node.type)
			? workflows.STAND_IN_NAMES[node.type]
			: node.type === workflows.PACKAGE_NODE
				? report.operationLabel(nodeType, node.parameters)
				: `${node.type.split('.').pop()} (pinned output)`;
		const empty = node.items.every((item) => Object.keys(item.json).length === 0);
		if (node.requests.length === 0 && empty && !node.error) {
			say(report.fit(`  > ${node.name}: ${what}, ${node.items.length} empty item${node.items.length === 1 ? '' : 's'}`));
			continue;
		}
		say(report.fit(`  > ${node.name}: ${what}`));
		for (const request of node.requests) say(...report.requestLines(request, '    ', 2));
		say(...report.itemLines(node, '    ', 2));
		if (node.error) say(report.fit(`    error: ${node.error.message}`));
	}
	if (run.error) problem(`the run stopped: ${run.error.message}`);
}

function batching(report: Report, run: WorkflowRun): string {
	const calls = run.requests.reduce((sum, request) => sum + report.callsIn(request), 0);
	return report.fit(
		`  Batching: ${calls} Bitrix24 calls in ${run.requests.length} HTTP requests (a node's calls go together, 50 a batch).`,
	);
}

async function onEmulator() {
	const report = await import('./report');
	const workflows = await import('../helpers/workflow');
	const { credentialData } = await import('../helpers/bitrix24');
	const { nodeType } = await import('../helpers/package');
	const { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET } = await import('../emulator/server');
	const emulator: Emulator = await Bitrix24Emulator.start();
	secrets.push(DEFAULT_WEBHOOK_SECRET, emulator.oauthApp.clientSecret);
	/** A webhook, and an app's OAuth2 credential just connected (a reset forgets tokens: one per run). */
	const credentials = () => {
		const oauth = credentialData(emulator, 'oAuth2');
		const token = oauth.oauthTokenData as { access_token: string; refresh_token: string };
		secrets.push(token.access_token, token.refresh_token);
		return {
			bitrix24PaymentsWebhookApi: { ...credentialData(emulator, 'webhook'), rateLimit: 'standard' },
			bitrix24PaymentsOAuth2Api: { ...oauth, rateLimit: 'standard' },
		};
	};
	const core = (await import('n8n-core/package.json')).version;
	const zone = TIMEZONE === N8N_DEFAULT_TIMEZONE ? "n8n's default; GENERIC_TIMEZONE changes it" : 'GENERIC_TIMEZONE';
	say(
		`Bitrix24 Payments: the example workflows of examples/, each run whole on n8n's engine`,
		`(n8n-core ${core} WorkflowExecute, a manual run) against the bundled Bitrix24 emulator at`,
		`${emulator.baseUrl} (BITRIX24_WEBHOOK_URL: your portal instead), each from the emulator's seed`,
		'data unless it says. Requests are shown as the portal got them, the webhook secret as ***, tokens',
		'never.',
		'Stand-ins: n8n-nodes-base is not installed, so its Manual Trigger, Code (runs the jsCode in',
		'node:vm), Set and HTTP Request are minimal stand-ins (test/helpers/stand-ins.ts); the Bitrix24',
		'nodes are the built package (dist/).',
		`Time zones: the workflows run in ${TIMEZONE} (${zone});`,
		`the portal answers in its own, UTC${emulator.options.timeZone}.`,
	);
	const order = Object.keys(EXAMPLES);
	const files = workflows.exampleFiles().sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
	const runs = new Map<string, WorkflowRun>();
	const skipped: string[] = [];
	try {
		for (const file of files) {
			const saved = workflows.loadExample(file);
			if (!workflows.manualTrigger(saved)) {
				skipped.push(`'${saved.name}' (${file})`);
				continue;
			}
			emulator.reset();
			const auth = saved.nodes.some((node) => node.credentials?.bitrix24PaymentsOAuth2Api) ? 'OAuth2 app' : 'webhook';
			say('', report.fit(`== ${runs.size + 1}. ${saved.name}`), `   examples/${file}, ${auth} credential`);
			const example = EXAMPLES[file];
			if (example) say(...example.says.map((line) => `   ${line}`));
			if (example?.prepare) say(`   ${example.prepare(emulator)}`);
			const before = structuredClone(emulator.state.payments);
			const run = await workflows.runWorkflow(file, { emulator, credentials: credentials(), timezone: TIMEZONE });
			runs.set(file, run);
			showRun(report, workflows, nodeType, run);
			const changes = report.portalChanges(before, emulator.state.payments, '    ', [...emulator.state.payableItems.values()]);
			say('  On the portal:', ...changes.lines, batching(report, run));
			const problems = [
				...changes.paySystemMoved.map((id) => `payment ${id} was moved to another pay system`),
				...run.nodes.flatMap((node) => node.items.filter((item) => item.json.error).map(() => `an item of '${node.name}' failed`)),
				...checked(() => example?.check(run, changes, emulator.state.payments) ?? []),
			];
			for (const text of problems) problem(text);
			if (problems.length === 0 && !run.error) say('  Did what it says.');
		}
	} finally {
		await emulator.stop();
	}
	timeZones(workflows, runs.get('bill-a-deal.workflow.json'), emulator.options.timeZone);
	for (const name of skipped) say('', report.fit(`Not run here: ${name}:`), '  it starts from the Bitrix24 trigger, not by hand (npm test runs it from a real event).');
}

/** What time zones did in this run, with the due date of the OAuth2 example as the case in point. */
function timeZones(workflows: Workflows, run: WorkflowRun | undefined, portalZone: string) {
	say('', 'Time zones');
	const node = run?.nodes.find((candidate) => candidate.name === 'Due in a week');
	const sent = (node?.requests[0]?.params.fields as { datePayBefore?: string } | undefined)?.datePayBefore;
	const answer = node?.items[0]?.json.datePayBefore as string | undefined;
	if (!sent || !answer) {
		problem('the due date of bill-a-deal was not sent or not answered');
		return;
	}
	const wall = sent.slice(0, 19);
	const offset = workflows.offsetAt(new Date(sent), TIMEZONE);
	say(
		`  'Due in a week' gave Pay Before as ${wall}, without an offset. A date without one is`,
		`  read in the workflow's time zone (${TIMEZONE}) and sent with its offset:`,
		`  ${sent}. The portal answers in its own zone (UTC${portalZone}):`,
		`  ${answer}. Another hour, the same instant. A date that has an offset`,
		"  ($now in 'Record the payment') is sent as it is.",
	);
	if (!sent.endsWith(offset)) problem(`sent with ${sent.slice(19)}, not ${TIMEZONE}'s offset ${offset}`);
	if (Date.parse(sent) !== Date.parse(answer)) problem(`the portal stored ${answer}, not the instant ${sent}`);
}

/** A webhook node of the demo's own workflows on a real portal. */
function paymentNode(name: string, operation: string, paymentId: string, x: number) {
	return {
		id: name,
		name,
		type: 'n8n-nodes-bitrix24-payments.bitrix24Payments',
		typeVersion: 1,
		position: [x, 0] as [number, number],
		parameters: { resource: 'payment', operation, paymentId },
		credentials: { bitrix24PaymentsWebhookApi: { id: '1', name: 'Bitrix24 webhook' } },
	};
}

/** A workflow of the manual trigger and `nodes`, one after the other. */
function chain(name: string, nodes: Array<ReturnType<typeof paymentNode>>): WorkflowFile {
	const trigger = { id: 'trigger', name: "When clicking 'Execute workflow'", type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-220, 0] as [number, number], parameters: {} };
	const all = [trigger, ...nodes];
	const connections = Object.fromEntries(
		all.slice(0, -1).map((node, index) => [node.name, { main: [[{ node: all[index + 1].name, type: 'main' as const, index: 0 }]] }]),
	);
	return { name, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

async function onPortal(webhookUrl: string) {
	// The path segment after the user id is the secret: never printed, whatever prints it.
	secrets.push(/\/rest\/\d+\/([^/]+)/.exec(new URL(webhookUrl).pathname)?.[1] ?? '');
	const report = await import('./report');
	const workflows = await import('../helpers/workflow');
	const { nodeType, webhookCredentialType } = await import('../helpers/package');
	const { testCredential } = await import('../helpers/credential-test');
	const url = new URL(webhookUrl);
	say(`Bitrix24 Payments on your portal: ${url.origin}${workflows.redactPath(url.pathname)} (BITRIX24_WEBHOOK_URL).`);
	const check = await testCredential(webhookCredentialType, { webhookUrl });
	say(`Credential test: ${check.status}: ${check.message}`);
	if (check.status !== 'OK') {
		problem('the portal did not accept the webhook');
		return;
	}
	const paymentId = process.env.BITRIX24_PAYMENT_ID;
	if (!paymentId) {
		say('Set BITRIX24_PAYMENT_ID to the ID of an unpaid CRM payment to mark it paid and put it back.');
		return;
	}
	say(
		`Only payment ${paymentId} is touched: marked paid, then unpaid again. Requests are shown as the node hands`,
		`them to n8n to send, the secret as ***. The workflows run in ${TIMEZONE}.`,
	);
	const credentials = { bitrix24PaymentsWebhookApi: { webhookUrl, rateLimit: 'standard' } };
	const run = async (workflow: WorkflowFile) => {
		say('', `== ${workflow.name}`);
		const result = await workflows.runWorkflow(workflow, { credentials, timezone: TIMEZONE });
		showRun(report, workflows, nodeType, result);
		return result;
	};
	const paid = (result: WorkflowRun, node: string) => result.nodes.find((n) => n.name === node)?.items[0]?.json.paid;
	const first = await run(chain(`Read payment ${paymentId}`, [paymentNode('Read the payment', 'get', paymentId, 0)]));
	const before = paid(first, 'Read the payment');
	if (before === undefined) return problem(`payment ${paymentId} could not be read`);
	if (before === 'Y') return say('', `Payment ${paymentId} is paid already: the demo changes nothing on a paid payment.`);
	const next = `={{ $('Mark as Paid').item.json.paymentId }}`;
	const second = await run(
		chain('Mark it paid, put it back', [
			paymentNode('Mark as Paid', 'pay', paymentId, 0),
			paymentNode('Read it', 'get', next, 220),
			paymentNode('Put it back', 'unpay', next, 440),
			paymentNode('Read it again', 'get', next, 660),
		]),
	);
	const [during, after] = [paid(second, 'Read it'), paid(second, 'Read it again')];
	say('', `On the portal: payment ${paymentId}: paid ${before} -> ${during} -> ${after}${after === before ? ', as it was.' : '.'}`);
	if (during !== 'Y') problem(`payment ${paymentId} was not paid by Mark as Paid`);
	if (after !== before) problem(`payment ${paymentId} is not back as it was`);
}

async function main() {
	const webhookUrl = process.env.BITRIX24_WEBHOOK_URL;
	try {
		if (webhookUrl) await onPortal(webhookUrl);
		else await onEmulator();
	} catch (error) {
		problem(`the demo stopped: ${(error as Error).message}`);
	}
	say('', failures ? `Demo finished with ${failures} problem(s).` : 'Demo finished: every step did what it should.');
	process.exit(failures ? 1 : 0);
}

void main();
