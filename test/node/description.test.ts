/**
 * The node's parameters as n8n shows them: every operation shows exactly its own fields, in its own order,
 * although fields shared by several operations are defined once (n8n's routing engine resolves every
 * property of a node for every item, once per property of that name).
 */
import type { INodeProperties } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { builtModule, nodeType, paySystemTriggerType, pollingTriggerType, triggerType } from '../helpers/package';

type Resource = { value: string; operations: Array<{ option: { value: string }; fields: INodeProperties[] }> };
const resources = ['payment', 'paymentProduct', 'paymentDelivery', 'orderPayment', 'paySystem', 'paySystemHandler'].map(
	(name) => builtModule<Record<string, Resource>>(`nodes/Bitrix24Payments/resources/${name}/index`)[`${name}Resource`],
);

const properties = nodeType.description.properties;
const operations = resources.flatMap((resource) =>
	resource.operations.map((operation) => ({ resource: resource.value, operation: operation.option.value, fields: operation.fields })),
);

/** What n8n shows for a resource and operation, leaving out conditions on other fields (Return All). */
function shown(resource: string, operation: string): INodeProperties[] {
	const parameters = { authentication: 'webhook', resource, operation, returnAll: false };
	return properties.filter(
		(property) =>
			!['authentication', 'resource', 'operation', 'requestOptions'].includes(property.name) &&
			NodeHelpers.displayParameter(parameters, property, null, nodeType.description),
	);
}

test.each(operations)('$resource > $operation shows its own fields in its own order', ({ resource, operation, fields }) => {
	const seen = shown(resource, operation);
	expect(seen.map((property) => property.name)).toEqual(fields.map((field) => field.name));
	const withoutDisplay = ({ displayOptions, ...definition }: INodeProperties) => ({
		...definition,
		displayOptions: { ...displayOptions, show: { ...displayOptions?.show, resource: undefined, operation: undefined } },
	});
	expect(seen.map(withoutDisplay)).toEqual(fields.map(withoutDisplay));
});

test('a field shared by operations is one property: Payment ID is defined 4 times for its 17 operations', () => {
	const paymentIdUses = operations.filter(({ fields }) => fields.some((field) => field.name === 'paymentId'));
	// 15 required; optional on Set Quantity and Set Delivery (only to read the line back after a lost answer).
	expect(paymentIdUses).toHaveLength(17);
	expect(properties.filter((property) => property.name === 'paymentId')).toHaveLength(4);
	expect(properties.length).toBeLessThan(operations.reduce((sum, { fields }) => sum + fields.length, 0));
});

describe('the canvas subtitle, as n8n resolves it', () => {
	const optionName = (name: string, value: string, resource?: string) => {
		const property = properties.find(
			(p) => p.name === name && (!resource || p.displayOptions?.show?.resource?.includes(resource)),
		)!;
		return (property.options as Array<{ name: string; value: string }>).find((option) => option.value === value)!.name;
	};
	const subtitleOf = (resource: string, operation: string) => {
		const node = {
			id: '1',
			name: 'Bitrix24 Payments',
			type: 'bitrix24Payments',
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: { resource, operation },
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
		});
		return workflow.expression.getSimpleParameterValue(node, nodeType.description.subtitle!, 'internal', {});
	};

	test('Mark as Paid: CRM Payment', () => {
		expect(subtitleOf('payment', 'pay')).toBe('Mark as Paid: CRM Payment');
	});

	test.each(operations)('$resource > $operation reads as the lists name them', ({ resource, operation }) => {
		expect(subtitleOf(resource, operation)).toBe(`${optionName('operation', operation, resource)}: ${optionName('resource', resource)}`);
	});

	test.each([
		['Bitrix24 Payments Trigger', triggerType],
		['Bitrix24 Payments Polling Trigger', pollingTriggerType],
	])('%s: the chosen events by their names, not their values', (_name, type) => {
		const node = { id: '1', name: 'Trigger', type: type.description.name, typeVersion: 1, position: [0, 0] as [number, number], parameters: { events: ['paymentPaid', 'ONPAYMENTDELETED'] } };
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) },
		});
		expect(workflow.expression.getSimpleParameterValue(node, type.description.subtitle!, 'internal', {})).toBe('Payment Paid, Payment Deleted');
	});
});

describe('the nodes panel: each entry describes what it holds (n8n 1.x and 2.x editors)', () => {
	// n8n's editor (useActionsGeneration, generateMergedNodesAndActions) merges a trigger into the node whose name is
	// the trigger's without "Trigger", and shows the trigger's description for the merged entry.
	const entryOf = (name: string) => name.replace('Trigger', '');

	test('Bitrix24 Payments Trigger merges into Bitrix24 Payments, whose entry then says what both do', () => {
		expect(entryOf(triggerType.description.name)).toBe(nodeType.description.name);
		const shownForBitrix24Payments = triggerType.description.description;
		expect(shownForBitrix24Payments).toMatch(/^Mark Bitrix24 payments paid, update, list and delete them, pay them through pay systems/);
		expect(shownForBitrix24Payments).toMatch(/start a workflow when one is paid, saved or deleted$/);
	});

	test('the pay system trigger is an entry of its own, saying it makes the workflow a pay system', () => {
		expect(entryOf(paySystemTriggerType.description.name)).not.toBe(nodeType.description.name);
		expect(paySystemTriggerType.description.description).toMatch(/^Makes the workflow a Bitrix24 pay system/);
	});

	test('the polling trigger is an entry of its own, with its own description; the action node (and its AI tool) keeps its own', () => {
		expect(entryOf(pollingTriggerType.description.name)).not.toBe(nodeType.description.name);
		expect(pollingTriggerType.description.description).toMatch(/^Starts the workflow for Bitrix24 payments paid, saved or deleted since its last look/);
		expect(nodeType.description.description).toMatch(/^Work with Bitrix24 payments/);
		expect(nodeType.description.description).not.toMatch(/Starts the workflow/);
	});
});

describe('the triggers: one credential per mode, and a notice naming the mode (n8n 2.x hides Authentication)', () => {
	test.each([
		['Bitrix24 Payments Trigger', triggerType, { webhook: 'Mode: Outgoing Webhook', oAuth2: 'Mode: OAuth2' }],
		['Bitrix24 Payments Polling Trigger', pollingTriggerType, { webhook: 'Mode: Inbound Webhook', oAuth2: 'Mode: OAuth2' }],
		['Bitrix24 Pay System Trigger', paySystemTriggerType, { webhook: 'Mode: Inbound Webhook', oAuth2: 'Mode: OAuth2' }],
	])('%s', (_name, type, modes) => {
		for (const [authentication, notice] of Object.entries(modes)) {
			const parameters = { authentication, events: ['paymentPaid'] };
			const credentials = (type.description.credentials ?? []).filter((credential) =>
				NodeHelpers.displayParameter(parameters, credential, null, type.description),
			);
			expect(credentials.map((credential) => credential.name)).toEqual([authentication === 'oAuth2' ? 'bitrix24PaymentsOAuth2Api' : 'bitrix24PaymentsWebhookApi']);
			const notices = type.description.properties.filter(
				(property) => property.type === 'notice' && NodeHelpers.displayParameter(parameters, property, null, type.description),
			);
			const modeNotices = notices.map((property) => property.displayName).filter((text) => text.startsWith('Mode:'));
			expect(modeNotices).toEqual([expect.stringMatching(new RegExp(`^${notice}`))]);
		}
	});
});

test('the Filters of every Get Many are added with "Add Filter", not the generic "Add Field"', () => {
	const filters = properties.filter((property) => property.name === 'filters');
	expect(filters.length).toBeGreaterThanOrEqual(3);
	for (const property of filters) expect(property.placeholder).toBe('Add Filter');
});
