/**
 * The example workflows in `examples/` do what their names say: their Bitrix24 Payments nodes, with the
 * parameters exactly as saved, run one after the other on the real engine against the emulator.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code reads the example files next to it */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from './emulator/server';
import { itemsOf, nodeType, run } from './helpers/bitrix24';

interface ExampleNode {
	name: string;
	type: string;
	parameters: INodeParameters;
	continueOnFail?: boolean;
	credentials?: Record<string, unknown>;
}
interface Example {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const TYPE = `n8n-nodes-bitrix24-payments.${nodeType.description.name}`;

function load(file: string): Example {
	return JSON.parse(readFileSync(join(__dirname, '..', 'examples', file), 'utf8')) as Example;
}

/** The example's nodes from its trigger on, following the first connection of each. */
function chain(example: Example): ExampleNode[] {
	const byName = new Map(example.nodes.map((node) => [node.name, node]));
	const targets = new Set(Object.values(example.connections).flatMap((c) => c.main.flat().map((t) => t.node)));
	let current = example.nodes.find((node) => !targets.has(node.name));
	const order: ExampleNode[] = [];
	while (current) {
		order.push(current);
		current = byName.get(example.connections[current.name]?.main[0]?.[0]?.node ?? '');
	}
	return order;
}

/** Runs the example's Bitrix24 nodes in order; `input` stands for what the nodes before the first one give. */
async function runExample(file: string, input: INodeExecutionData[]) {
	const nodes = chain(load(file)).filter((node) => node.type === TYPE);
	const outputs: INodeExecutionData[][] = [];
	let items = input;
	for (const node of nodes) {
		expect(Object.keys(node.credentials ?? {})).toEqual(['bitrix24WebhookApi']);
		const result = await run(emulator, { parameters: node.parameters, items, continueOnFail: node.continueOnFail });
		expect(result.error).toBeUndefined();
		items = result.items.map(({ json, binary }) => ({ json, binary }));
		outputs.push(result.items);
	}
	return outputs;
}

let emulator: Bitrix24Emulator;
beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

test('every example uses this node with parameters it knows', () => {
	const known = new Set(nodeType.description.properties.map((property) => property.name));
	for (const file of ['mark-payments-paid.workflow.json', 'payment-links-for-a-deal.workflow.json', 'confirm-order-payments.workflow.json']) {
		const nodes = load(file).nodes.filter((node) => node.type === TYPE);
		expect(nodes.length).toBeGreaterThan(0);
		for (const node of nodes) for (const name of Object.keys(node.parameters)) expect(known).toContain(name);
	}
});

test('mark-payments-paid: both payments paid, then their comment and pay system status recorded', async () => {
	const { payments } = SEED_IDS;
	// What its Code node returns.
	const [marked, recorded] = await runExample('mark-payments-paid.workflow.json', itemsOf({ paymentId: payments.UNPAID }, { paymentId: payments.UNPAID_2 }));

	expect(marked.map((item) => item.json)).toEqual([
		{ success: true, paymentId: payments.UNPAID },
		{ success: true, paymentId: payments.UNPAID_2 },
	]);
	expect(recorded.map((item) => item.json.id)).toEqual([payments.UNPAID, payments.UNPAID_2]);
	for (const id of [payments.UNPAID, payments.UNPAID_2]) {
		const payment = emulator.state.payments.get(id)!;
		expect(payment.paid).toBe('Y');
		expect(payment.comments).toBe('Paid through n8n');
		expect(payment.psStatus).toBe('Y');
	}
});

test('payment-links-for-a-deal: one link and one QR image per unpaid payment of deal 10', async () => {
	const [unpaid, links] = await runExample('payment-links-for-a-deal.workflow.json', itemsOf({}));

	const expected = [...emulator.state.payments.values()]
		.filter((payment) => payment.orderId === SEED_IDS.orders.MAIN && payment.paid === 'N')
		.map((payment) => payment.id);
	expect(unpaid.map((item) => item.json.id)).toEqual(expected);
	expect(links).toHaveLength(expected.length);
	for (const [index, item] of links.entries()) {
		expect(item.json.paymentId).toBe(expected[index]);
		expect(String(item.json.url)).toMatch(/^https?:\/\//);
		expect(item.binary?.qr?.mimeType).toBe('image/png');
	}
});

test('confirm-order-payments: the unpaid bank transfers are paid through their pay system and confirmed', async () => {
	const [unpaid, paid] = await runExample('confirm-order-payments.workflow.json', itemsOf({}));

	const expected = [...emulator.state.payments.values()]
		.filter((payment) => payment.paySystemId === SEED_IDS.paySystems.BANK_TRANSFER)
		.map((payment) => payment.id);
	expect(unpaid.map((item) => item.json.id)).toEqual(expected.filter((id) => id !== SEED_IDS.payments.PAID));
	expect(paid.map((item) => item.json)).toEqual(
		unpaid.map((item) => ({ success: true, paymentId: item.json.id, paySystemId: SEED_IDS.paySystems.BANK_TRANSFER, paid: true })),
	);
	for (const item of unpaid) {
		const payment = emulator.state.payments.get(item.json.id as number)!;
		expect(payment.paid).toBe('Y');
		expect(payment.psStatusCode).toBe('PAID');
	}
	expect(emulator.methodCalls('sale.payment.get')).toHaveLength(unpaid.length);
});
