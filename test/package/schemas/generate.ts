/**
 * The output schemas n8n's editor shows before a node has run (its schema preview: GET
 * `/schemas/<node type>/<version>/<resource>/<operation>.json`, which n8n answers from the `__schema__` folder beside the
 * node's file). Made from what the nodes really output: every operation run once on n8n's engine against the
 * emulator (samples.ts), the triggers started by a payment paid and one deleted. `npm run schemas` writes them into
 * `nodes/`; test/package/schemas/schemas.test.ts fails when the committed files differ from a fresh run.
 *
 * Run alone: `npm run schemas` (after `npm run build`).
 */
// First: n8n-core's environment (no task runners, a throwaway user folder), before anything loads n8n-core.
import '../../helpers/setup-env';
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only generator: writes nodes/**\/__schema__ with node:fs, never shipped */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { Bitrix24Emulator, SEED_IDS } from '../../emulator/server';
import { credentialData } from '../../helpers/bitrix24';
import { runNode } from '../../helpers/engine';
import { nodeType, pollingTriggerType } from '../../helpers/package';
import { PollHarness } from '../../helpers/poll';
import { TriggerHarness } from '../../helpers/trigger';
import type { Sample } from './samples';
import { OPERATION_SAMPLES } from './samples';

const ROOT = join(__dirname, '..', '..', '..');

/** A JSON Schema of the kind n8n-nodes-base ships: a type per value, the properties of objects, the items of arrays. */
export interface JsonSchema {
	type: string;
	properties?: Record<string, JsonSchema>;
	items?: JsonSchema;
}

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * One schema for all the values seen at a place: the first type other than null (a field that is null in one
 * payment is a date in another), properties in the order first seen, an array's items merged likewise.
 */
export function schemaOf(values: unknown[]): JsonSchema {
	const seen = values.filter((value) => value !== undefined);
	const type = seen.map(typeOf).find((t) => t !== 'null') ?? 'null';
	if (type === 'object') {
		const objects = seen.filter((value) => typeOf(value) === 'object') as IDataObject[];
		const keys = [...new Set(objects.flatMap((object) => Object.keys(object)))];
		return { type, properties: Object.fromEntries(keys.map((key) => [key, schemaOf(objects.map((object) => object[key]))])) };
	}
	if (type === 'array') return { type, items: schemaOf((seen.filter(Array.isArray) as unknown[][]).flat()) };
	return { type };
}

/** Where n8n looks for a node's schema: `<node folder>/__schema__/v<major.minor.patch>[/<resource>/<operation>].json`. */
const VERSION = 'v1.0.0';
export const SCHEMA_FOLDERS = {
	bitrix24Payments: join('nodes', 'Bitrix24Payments', '__schema__'),
	bitrix24PaymentsTrigger: join('nodes', 'Bitrix24PaymentsTrigger', '__schema__'),
	bitrix24PaymentsPollingTrigger: join('nodes', 'Bitrix24PaymentsPollingTrigger', '__schema__'),
	bitrix24PaySystemTrigger: join('nodes', 'Bitrix24PaySystemTrigger', '__schema__'),
};

/** Every operation of Bitrix24 Payments, from its own Resource and Operation lists. */
export function operationsOfTheNode(): Array<[string, string]> {
	const { properties } = nodeType.description;
	const resources = properties.find((p) => p.name === 'resource')!.options as Array<{ value: string }>;
	return resources.flatMap(({ value: resource }) => {
		const list = properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource))!;
		return (list.options as Array<{ value: string }>).map(({ value }) => [resource, value] as [string, string]);
	});
}

async function operationSchemas(emulator: Bitrix24Emulator): Promise<Map<string, JsonSchema>> {
	const schemas = new Map<string, JsonSchema>();
	for (const [resource, operation] of operationsOfTheNode()) {
		const sample = OPERATION_SAMPLES[`${resource}:${operation}`];
		if (!sample) throw new Error(`No sample run for ${resource} > ${operation} in test/package/schemas/samples.ts`);
		const { parameters, before } = 'parameters' in sample ? (sample as Sample) : { parameters: sample, before: undefined };
		emulator.reset();
		await before?.(emulator);
		const result = await runNode({ emulator, auth: 'webhook', parameters: { resource, operation, ...parameters } });
		if (result.error) throw new Error(`The sample run of ${resource} > ${operation} failed: ${result.error.message}`);
		if (result.items.length === 0) throw new Error(`The sample run of ${resource} > ${operation} output nothing`);
		schemas.set(join(SCHEMA_FOLDERS.bitrix24Payments, VERSION, resource, `${operation}.json`), schemaOf(result.items.map((item) => item.json)));
	}
	return schemas;
}

/** A payment paid and one deleted, as people do it in Bitrix24: the items each trigger starts its runs with. */
async function triggerItems(emulator: Bitrix24Emulator): Promise<{ instant: IDataObject[]; polling: IDataObject[] }> {
	const events = ['paymentPaid', 'ONPAYMENTDELETED'];
	const { payments } = SEED_IDS;

	emulator.reset();
	const instant = await TriggerHarness.start({
		authentication: 'oAuth2',
		events,
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
	});
	try {
		await instant.activate();
		emulator.person.pay(payments.UNPAID);
		emulator.person.delete(payments.UNPAID_2);
		await emulator.deliveriesSettled();
	} finally {
		await instant.stop();
	}

	emulator.reset();
	const polling = new PollHarness({
		authentication: 'oAuth2',
		events,
		credentials: { bitrix24PaymentsOAuth2Api: credentialData(emulator, 'oAuth2') },
		nodeType: pollingTriggerType,
	});
	await polling.activate();
	emulator.person.pay(payments.UNPAID);
	emulator.person.delete(payments.UNPAID_2);
	const look = await polling.look();
	if (look.error) throw look.error;

	return { instant: instant.started.flat(), polling: look.runs.flat() };
}

/** A buyer paying twice (the second try carries the service's id): the items the pay system trigger starts with. */
async function checkoutItems(emulator: Bitrix24Emulator): Promise<IDataObject[]> {
	emulator.reset();
	const trigger = await TriggerHarness.start({
		node: 'bitrix24PaySystemTrigger',
		authentication: 'webhook',
		parameters: { paySystemName: 'Card (n8n)', handlerCode: 'n8n_checkout', personTypeIds: [SEED_IDS.personTypes.INDIVIDUAL] },
		credentials: { bitrix24PaymentsWebhookApi: credentialData(emulator, 'webhook') },
		run: async ([item]) => ({ PAYMENT_URL: 'https://pay.example.test/c/1', PAYMENT_ID: `cs_${String(item.paymentId)}` }),
	});
	try {
		await trigger.activate();
		const paySystemId = Number([...emulator.state.paySystems.values()].find((ps) => ps.ACTION_FILE === 'n8n_checkout')!.ID);
		for (let attempt = 0; attempt < 2; attempt++) await emulator.buyer.pay(SEED_IDS.payments.UNPAID, { paySystemId });
	} finally {
		await trigger.stop();
	}
	return trigger.started.flat();
}

/** Every schema file, by its path from the repository's root, with the text `npm run schemas` writes. */
export async function generateSchemas(): Promise<Map<string, string>> {
	const emulator = await Bitrix24Emulator.start();
	try {
		const schemas = await operationSchemas(emulator);
		const { instant, polling } = await triggerItems(emulator);
		const checkouts = await checkoutItems(emulator);
		if (checkouts.length !== 2 || !checkouts[1].externalPaymentId) throw new Error('bitrix24PaySystemTrigger: the sample checkouts did not start two runs');
		schemas.set(join(SCHEMA_FOLDERS.bitrix24PaySystemTrigger, `${VERSION}.json`), schemaOf(checkouts));
		for (const [name, items] of [
			['bitrix24PaymentsTrigger', instant],
			['bitrix24PaymentsPollingTrigger', polling],
		] as const) {
			if (!items.some((item) => item.payment) || !items.some((item) => !item.payment)) {
				throw new Error(`${name}: the sample events did not start a run for both a paid and a deleted payment`);
			}
			schemas.set(join(SCHEMA_FOLDERS[name], `${VERSION}.json`), schemaOf(items));
		}
		return new Map([...schemas].map(([path, schema]) => [path, `${JSON.stringify(schema, null, '\t')}\n`]));
	} finally {
		await emulator.stop();
	}
}

/** A file of the repository as committed (undefined when there is none). */
export function committedText(path: string): string | undefined {
	try {
		return readFileSync(join(ROOT, path), 'utf8');
	} catch {
		return undefined;
	}
}

/** The schema files in the repository now, by path from its root. */
export function committedSchemaFiles(): string[] {
	const files: string[] = [];
	const walk = (folder: string) => {
		let entries;
		try {
			entries = readdirSync(folder, { withFileTypes: true });
		} catch {
			return;
		}
		for (const entry of entries) {
			const path = join(folder, entry.name);
			if (entry.isDirectory()) walk(path);
			else files.push(relative(ROOT, path));
		}
	};
	for (const folder of Object.values(SCHEMA_FOLDERS)) walk(join(ROOT, folder));
	return files.sort();
}

if (require.main === module) {
	void (async () => {
		const schemas = await generateSchemas();
		for (const folder of Object.values(SCHEMA_FOLDERS)) rmSync(join(ROOT, folder), { recursive: true, force: true });
		for (const [path, text] of schemas) {
			mkdirSync(dirname(join(ROOT, path)), { recursive: true });
			writeFileSync(join(ROOT, path), text);
		}
		console.log(`${schemas.size} output schemas written under nodes/*/__schema__/`);
	})().catch((error: Error) => {
		console.error(error.message);
		process.exit(1);
	});
}
