import type { INodeProperties } from 'n8n-workflow';

import { REQUEST_OPTIONS_PROPERTY } from '../../client/requestOptions';
import type { Resource } from './operation';

// The node's parameters, built from its resources: the Resource list, an Operation list per resource, the fields.

/** The Resource list, in n8n's alphabetical order. */
export function resourceProperty(resources: Resource[], defaultResource: string): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: resources
			.map(({ name, value, description, builderHint }) => ({
				name,
				value,
				description,
				...(builderHint ? { builderHint: { propertyHint: builderHint } } : {}),
			}))
			.sort((a, b) => a.name.localeCompare(b.name)),
		default: defaultResource,
	};
}

/**
 * The canvas subtitle in the words of the lists ("Mark as Paid: CRM Payment"), not their values. One flat map:
 * a nested object literal would put `}}` inside the expression, which ends it.
 */
export function subtitle(resources: Resource[]): string {
	const names = Object.fromEntries(
		resources.flatMap((r) => r.operations.map((o) => [`${r.value}:${o.option.value}`, `${o.option.name}: ${r.name}`])),
	);
	return `={{ ${JSON.stringify(names)}[$parameter["resource"] + ":" + $parameter["operation"]] || $parameter["operation"] }}`;
}

/**
 * The Operation list of every resource, then every field once, shown where it belongs.
 *
 * n8n's routing engine resolves, for every item and twice, the value of every property of the node, once per
 * property of that name, whether it is shown or not: a Payment ID defined for each of its 15 operations
 * turned one `{{ $json.id }}` into 30 expression runs per item. So a field object used by several operations
 * becomes one property shown for all of them, across resources too, when its resource x operation grid
 * holds no operation that does not use it (an operation a resource lacks cannot be chosen).
 */
export function operationProperties(resources: Resource[]): INodeProperties[] {
	const operationLists: INodeProperties[] = resources.map(({ value, operations, defaultOperation }) => ({
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [value] } },
		options: operations.map((operation) => operation.option).sort((a, b) => a.name.localeCompare(b.name)),
		default: defaultOperation,
	}));

	const exists = new Set(resources.flatMap((r) => r.operations.map((o) => `${r.value}:${o.option.value}`)));
	const uses = new Map<INodeProperties, Array<[string, string]>>();
	for (const r of resources) {
		for (const operation of r.operations) {
			for (const field of operation.fields) {
				if (!uses.has(field)) uses.set(field, []);
				uses.get(field)!.push([r.value, operation.option.value]);
			}
		}
	}

	const fields: INodeProperties[] = [];
	for (const field of inEveryOperationsOrder(resources, [...uses.keys()])) {
		const pairs = uses.get(field)!;
		const used = new Set(pairs.map(([r, o]) => `${r}:${o}`));
		const resourceValues = [...new Set(pairs.map(([r]) => r))];
		const operationValues = [...new Set(pairs.map(([, o]) => o))];
		const exact = resourceValues.every((r) => operationValues.every((o) => !exists.has(`${r}:${o}`) || used.has(`${r}:${o}`)));
		const grids = exact
			? [[resourceValues, operationValues]]
			: resourceValues.map((r) => [[r], pairs.filter(([pr]) => pr === r).map(([, o]) => o)]);
		for (const [resourceList, operationList] of grids) {
			fields.push({
				...field,
				displayOptions: {
					...field.displayOptions,
					show: { ...field.displayOptions?.show, resource: resourceList, operation: operationList },
				},
			});
		}
	}
	return [...operationLists, ...fields];
}

/** Request Options, shown under every operation (the client reads it: requestOptions.ts). */
export { REQUEST_OPTIONS_PROPERTY };

/**
 * The fields in one order that keeps each operation's own order (n8n shows them in array order): a field
 * waits until the fields before it in every operation are placed; ties go to the first used.
 */
function inEveryOperationsOrder(resources: Resource[], firstUse: INodeProperties[]): INodeProperties[] {
	const before = new Map<INodeProperties, Set<INodeProperties>>(firstUse.map((field) => [field, new Set()]));
	for (const r of resources) {
		for (const { fields } of r.operations) {
			fields.forEach((field, index) => {
				for (const earlier of fields.slice(0, index)) before.get(field)!.add(earlier);
			});
		}
	}
	const placed = new Set<INodeProperties>();
	while (placed.size < firstUse.length) {
		const next = firstUse.find((field) => !placed.has(field) && [...before.get(field)!].every((f) => placed.has(f)));
		if (!next) throw new Error('Two operations list the same fields in different orders');
		placed.add(next);
	}
	return [...placed];
}
