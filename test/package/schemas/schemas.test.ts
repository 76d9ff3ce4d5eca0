/**
 * The output schemas n8n's editor shows before a node has run (test/package/schemas/generate.ts): the committed files are what
 * the nodes output now, every operation and both triggers have one, and the packed package ships them where n8n
 * looks (`<node folder>/__schema__/v1.0.0/<resource>/<operation>.json`). n8n serving them: test/e2e/server.e2e.ts.
 */
/* eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- test code joins paths */
import { join } from 'node:path';

import { committedSchemaFiles, committedText, generateSchemas, operationsOfTheNode, schemaOf, SCHEMA_FOLDERS } from './generate';

let fresh: Map<string, string>;

beforeAll(async () => {
	fresh = await generateSchemas();
}, 120_000);

test('each committed schema is what the node outputs now (after a change of output: npm run schemas)', () => {
	const stale = [...fresh].filter(([path, text]) => committedText(path) !== text);
	expect(stale.map(([path]) => path)).toEqual([]);
	expect(committedSchemaFiles()).toEqual([...fresh.keys()].sort());
});

test('every operation of Bitrix24 Payments and both triggers have a schema', () => {
	const operations = operationsOfTheNode();
	expect(operations).toHaveLength(35);
	for (const [resource, operation] of operations) {
		expect(fresh.has(join(SCHEMA_FOLDERS.bitrix24Payments, 'v1.0.0', resource, `${operation}.json`))).toBe(true);
	}
	expect(fresh.has(join(SCHEMA_FOLDERS.bitrix24PaymentsTrigger, 'v1.0.0.json'))).toBe(true);
	expect(fresh.has(join(SCHEMA_FOLDERS.bitrix24PaymentsPollingTrigger, 'v1.0.0.json'))).toBe(true);
});

test('a schema names the fields a user maps: Order Payment > Update outputs the saved payment', () => {
	const update = JSON.parse(fresh.get(join(SCHEMA_FOLDERS.bitrix24Payments, 'v1.0.0', 'orderPayment', 'update.json'))!) as {
		type: string;
		properties: Record<string, { type: string }>;
	};
	expect(update.type).toBe('object');
	expect(Object.keys(update.properties).slice(0, 6)).toEqual(['id', 'orderId', 'accountNumber', 'paid', 'datePaid', 'sum']);
	expect(update.properties.id.type).toBe('number');
	expect(update.properties.paid.type).toBe('string');
});

test('the triggers\' schema has the event item and the payment read from the portal', () => {
	const trigger = JSON.parse(fresh.get(join(SCHEMA_FOLDERS.bitrix24PaymentsTrigger, 'v1.0.0.json'))!) as {
		properties: Record<string, { type: string; properties?: Record<string, unknown> }>;
	};
	expect(Object.keys(trigger.properties)).toEqual(['event', 'paymentId', 'ts', 'domain', 'payment']);
	expect(trigger.properties.paymentId.type).toBe('number');
	// The main fields first, as Order Payment's operations output them.
	expect(Object.keys(trigger.properties.payment.properties!).slice(0, 7)).toEqual(['id', 'orderId', 'accountNumber', 'paid', 'datePaid', 'sum', 'currency']);
});

test('schemaOf: one type per place (null only where nothing else was seen), objects merged, array items merged', () => {
	expect(schemaOf([{ a: null, b: [1] }, { a: 'x', c: { d: true } }])).toEqual({
		type: 'object',
		properties: {
			a: { type: 'string' },
			b: { type: 'array', items: { type: 'number' } },
			c: { type: 'object', properties: { d: { type: 'boolean' } } },
		},
	});
	expect(schemaOf([null])).toEqual({ type: 'null' });
	expect(schemaOf([[{ x: 1 }, { y: 'z' }]])).toEqual({ type: 'array', items: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'string' } } } });
});
