/**
 * The example workflows in `examples/` do what they say, and only that: each runs whole (every node and
 * connection as saved, expressions across nodes included) on the real engine against the emulator, and the
 * portal's payments afterwards, the output items and the requests sent are what a user would check.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: a local receiver for the team-chat post, never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import type { SalePayment } from '../emulator/server';
import { credentialData } from '../helpers/bitrix24';
import { nodeType } from '../helpers/package';
import { TriggerHarness } from '../helpers/trigger';
import type { RunWorkflowOptions } from '../helpers/workflow';
import { exampleFiles, isStandIn, loadExample, offsetAt, PACKAGE_NODE, runWorkflow } from '../helpers/workflow';

const { payments, paySystems, orders } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** A webhook and a connected app, as a user sets them up in n8n; requests taken from the portal's log. */
function options(extra: Partial<RunWorkflowOptions> = {}): RunWorkflowOptions {
	return {
		emulator,
		credentials: { bitrix24PaymentsWebhookApi: credentialData(emulator, 'webhook'), bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
		...extra,
	};
}

/** The payments as they are now (a copy), to compare with later. */
function snapshot(): Map<number, SalePayment> {
	return structuredClone(emulator.state.payments);
}

/** Ids of the payments that differ between two snapshots. */
function changedPayments(before: Map<number, SalePayment>, after: Map<number, SalePayment>): number[] {
	return [...after.keys()].filter((id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id)));
}

test('every example uses only this package, the stand-ins and parameters this node knows', () => {
	const known = new Set(nodeType.description.properties.map((property) => property.name));
	for (const file of exampleFiles()) {
		const { nodes } = loadExample(file);
		for (const node of nodes) {
			expect([file, node.type.startsWith('n8n-nodes-bitrix24-payments.') || isStandIn(node.type)]).toEqual([file, true]);
			if (node.type !== PACKAGE_NODE) continue;
			for (const name of Object.keys(node.parameters)) expect([file, node.name, known.has(name)]).toEqual([file, node.name, true]);
		}
	}
});

describe('mark-payments-paid', () => {
	test("pays both payments and records them, each keeping its own pay system and comment", async () => {
		// One of them on another pay system, with a comment of its own: what a hard-coded pay system would break.
		Object.assign(emulator.state.payments.get(payments.UNPAID_2)!, { paySystemId: paySystems.CASH, comments: 'Receipt by e-mail' });
		const before = snapshot();

		const run = await runWorkflow('mark-payments-paid.workflow.json', options());

		expect(run.error).toBeUndefined();
		expect(run.nodes.map((node) => node.name)).toEqual([
			"When clicking 'Execute workflow'",
			'Payments to mark',
			'Mark as Paid',
			'Read the payment',
			'Record the payment',
		]);
		expect(run.node('Mark as Paid').items.map((item) => item.json)).toEqual([
			{ success: true, paymentId: payments.UNPAID },
			{ success: true, paymentId: payments.UNPAID_2 },
		]);
		expect(run.node('Record the payment').items.map((item) => [item.json.id, item.json.paySystemId])).toEqual([
			[payments.UNPAID, paySystems.BANK_TRANSFER],
			[payments.UNPAID_2, paySystems.CASH],
		]);
		const after = emulator.state.payments;
		expect(after.get(payments.UNPAID)).toMatchObject({ paid: 'Y', psStatus: 'Y', paySystemId: paySystems.BANK_TRANSFER, comments: 'Paid through n8n' });
		expect(after.get(payments.UNPAID_2)).toMatchObject({
			paid: 'Y',
			psStatus: 'Y',
			paySystemId: paySystems.CASH,
			comments: 'Receipt by e-mail\nPaid through n8n',
		});
		expect(changedPayments(before, after).sort()).toEqual([payments.UNPAID, payments.UNPAID_2]);
		// Each node's two items in one batch request, on the webhook's path.
		expect(emulator.restCalls().map((call) => [call.restMethod, call.path])).toEqual(
			Array(3).fill(['batch', `/rest/1/${DEFAULT_WEBHOOK_SECRET}/batch`]),
		);
		expect(emulator.methodCalls('sale.payment.update').map((call) => (call.params.fields as IDataObject).paySystemId)).toEqual([
			String(paySystems.BANK_TRANSFER),
			String(paySystems.CASH),
		]);
	});

	test('the answer time ($now) is sent with the offset of the workflow\'s time zone and stored as that instant', async () => {
		const started = Date.now();
		await runWorkflow('mark-payments-paid.workflow.json', options({ timezone: 'Asia/Tokyo' }));

		const sent = (emulator.methodCalls('sale.payment.update')[0].params.fields as IDataObject).psResponseDate as string;
		expect(sent).toMatch(/\+09:00$/);
		const stored = emulator.state.payments.get(payments.UNPAID)!.psResponseDate!;
		expect(stored).toMatch(/\+03:00$/);
		expect(Date.parse(stored)).toBe(Math.floor(Date.parse(sent) / 1000) * 1000);
		expect(Date.parse(sent)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
	});

	test('recorded as n8n sends them (no emulator log): the same requests, the secret never kept', async () => {
		const run = await runWorkflow('mark-payments-paid.workflow.json', options({ emulator: undefined }));

		expect(run.requests.map((request) => [request.httpMethod, request.path, request.method])).toEqual(
			Array(3).fill(['POST', '/rest/1/***/batch', 'batch']),
		);
		expect(run.node('Mark as Paid').requests[0].params).toEqual({
			halt: 0,
			cmd: { c0: `crm.item.payment.pay?id=${payments.UNPAID}`, c1: `crm.item.payment.pay?id=${payments.UNPAID_2}` },
		});
		expect(JSON.stringify(run.requests)).not.toContain(DEFAULT_WEBHOOK_SECRET);
		expect(emulator.restCalls()).toHaveLength(3);
	});
});

test('payment-links-for-a-deal: a link and a QR image per unpaid payment of deal 10, nothing changed', async () => {
	const before = snapshot();
	const run = await runWorkflow('payment-links-for-a-deal.workflow.json', options());

	expect(run.error).toBeUndefined();
	const unpaid = [...before.values()].filter((payment) => payment.orderId === orders.MAIN && payment.paid === 'N').map((payment) => payment.id);
	expect(run.node('Unpaid payments of the deal').items.map((item) => item.json.id)).toEqual(unpaid);
	const links = run.node('Payment link and QR code').items;
	expect(links.map((item) => item.json.paymentId)).toEqual(unpaid);
	for (const item of links) {
		expect(String(item.json.url)).toMatch(/^https?:\/\//);
		expect(item.binary?.qr?.mimeType).toBe('image/png');
	}
	expect(changedPayments(before, emulator.state.payments)).toEqual([]);
	// One list request, then all the links in one batch.
	expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['crm.item.payment.list', 'batch']);
	expect(emulator.methodCalls('salescenter.payment.getpublicurl')).toHaveLength(unpaid.length);
});

test('confirm-order-payments: the unpaid bank transfers paid through their own pay system and confirmed, no other payment touched', async () => {
	const before = snapshot();
	const run = await runWorkflow('confirm-order-payments.workflow.json', options());

	expect(run.error).toBeUndefined();
	const expected = [...before.values()]
		.filter((payment) => payment.paySystemId === paySystems.BANK_TRANSFER && payment.paid === 'N')
		.map((payment) => payment.id);
	const listed = run.node('Unpaid bank transfers').items.map((item) => item.json.id as number);
	expect(listed).toEqual(expected);
	expect(run.node('Pay and confirm').items.map((item) => item.json)).toEqual(
		listed.map((id) => ({ success: true, paymentId: id, paySystemId: paySystems.BANK_TRANSFER, paid: true })),
	);
	for (const id of listed) {
		expect(emulator.state.payments.get(id)).toMatchObject({ paid: 'Y', psStatusCode: 'PAID', paySystemId: paySystems.BANK_TRANSFER });
	}
	expect(changedPayments(before, emulator.state.payments).sort()).toEqual([...listed].sort());
	// The list, the payments in one batch, and the confirming reads in one more.
	expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['sale.payment.list', 'batch', 'batch']);
	expect(emulator.methodCalls('sale.payment.get')).toHaveLength(listed.length);
});

describe('bill-a-deal (OAuth2)', () => {
	/** 18:00 a week after today in `zone`, as a wall time without an offset (what the example's expression gives). */
	const dueIn = (zone: string) => {
		const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date()).split('-').map(Number);
		return `${new Date(Date.UTC(year, month - 1, day + 7)).toISOString().slice(0, 10)}T18:00:00`;
	};

	test('a new payment of deal 10 covering the chosen products, due in a week at 18:00 in the workflow\'s time zone, and its link', async () => {
		const before = snapshot();
		const zone = 'America/New_York';
		const due = [dueIn(zone)];
		const run = await runWorkflow('bill-a-deal.workflow.json', options({ timezone: zone }));
		due.push(dueIn(zone));

		expect(run.error).toBeUndefined();
		const [created] = run.node('New payment for the deal').items;
		const id = created.json.id as number;
		expect(before.has(id)).toBe(false);
		expect(created.json).toEqual({ id, entityTypeId: 2, entityId: 10 });
		const payment = emulator.state.payments.get(id)!;
		// Row 501 costs 20, row 502 15: the portal sums what the payment covers.
		expect(payment).toMatchObject({ orderId: orders.MAIN, paySystemId: paySystems.BANK_TRANSFER, paid: 'N', sum: 55 });
		// Given without an offset, read in New York, sent with New York's offset; the portal keeps that instant.
		const sent = (emulator.methodCalls('sale.payment.update')[0].params.fields as IDataObject).datePayBefore as string;
		expect(due.map((wall) => `${wall}${offsetAt(new Date(sent), zone)}`)).toContain(sent);
		expect(sent).toMatch(/-0[45]:00$/);
		expect(Date.parse(payment.datePayBefore!)).toBe(Date.parse(sent));
		expect(payment.datePayBefore).toMatch(/\+03:00$/);
		const lines = [...emulator.state.payableItems.values()].filter((line) => line.paymentId === id);
		expect(lines.map((line) => [line.entityId, line.quantity])).toEqual([
			[501, 2],
			[502, 1],
		]);
		expect(run.node('Due in a week').items.map((item) => item.json.datePayBefore)).toEqual([payment.datePayBefore]);
		expect(run.node('Payment link').items.map((item) => [item.json.paymentId, item.binary?.qr?.mimeType])).toEqual([[id, 'image/png']]);
		expect(changedPayments(before, emulator.state.payments)).toEqual([id]);
		// Every call went with the app's token, none through a webhook; the two products in one batch.
		const calls = emulator.restCalls();
		expect(calls.map((call) => [call.restMethod, call.auth, call.path.startsWith('/rest/1/')])).toEqual([
			['crm.item.payment.add', 'oauth', false],
			['batch', 'oauth', false],
			['sale.payment.update', 'oauth', false],
			['salescenter.payment.getpublicurl', 'oauth', false],
		]);
	});

	test('with an expired token: n8n refreshes it once and the payment is created once', async () => {
		const expired = emulator.issueToken({ expired: true });
		const run = await runWorkflow(
			'bill-a-deal.workflow.json',
			options({ credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2', expired) } }),
		);

		expect(run.error).toBeUndefined();
		expect(emulator.tokenRequests().map((call) => call.params.grant_type)).toEqual(['refresh_token']);
		expect(emulator.methodCalls('crm.item.payment.add').filter((call) => call.ran)).toHaveLength(1);
		expect(run.node('Payment link').items).toHaveLength(1);
	});
});

test('payment-paid-notify: a real "paid" event from the trigger, the order\'s payments read, one message posted', async () => {
	const posts: unknown[] = [];
	const chat = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			posts.push(JSON.parse(body));
			res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
	const trigger = await TriggerHarness.start({
		authentication: 'oAuth2',
		events: ['paymentPaid'],
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
		nodeName: 'When a payment is paid',
	});
	try {
		await trigger.activate();
		await fetch(`${emulator.webhookUrl()}crm.item.payment.pay`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ id: payments.UNPAID }),
		});
		await emulator.deliveriesSettled();
		expect(trigger.started).toHaveLength(1);

		const run = await runWorkflow(
			'payment-paid-notify.workflow.json',
			options({
				startNode: 'When a payment is paid',
				pinData: { 'When a payment is paid': trigger.started[0].map((json) => ({ json })) },
				parameters: { 'Post to the team chat': { url: `http://127.0.0.1:${(chat.address() as AddressInfo).port}/` } },
			}),
		);

		expect(run.error).toBeUndefined();
		const ofOrder = [...emulator.state.payments.values()].filter((payment) => payment.orderId === orders.MAIN);
		expect(run.node('Payments of the order').items.map((item) => item.json.id)).toEqual(ofOrder.map((payment) => payment.id));
		const paid = ofOrder.filter((payment) => payment.paid === 'Y').length;
		expect(posts).toEqual([
			{ text: `Payment ${payments.UNPAID} of order ${orders.MAIN} is paid: 100 USD. ${paid} of ${ofOrder.length} payments of the order are paid.` },
		]);
		expect(run.node('Post to the team chat').items.map((item) => item.json)).toEqual([{ data: 'ok' }]);
	} finally {
		await trigger.stop();
		await new Promise((resolve) => chat.close(resolve));
	}
});
