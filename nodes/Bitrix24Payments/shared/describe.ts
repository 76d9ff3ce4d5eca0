import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** One operation: its entry in the Operation list (with its routing) and the fields it shows. */
export interface Operation {
	option: INodePropertyOptions & { value: string; action: string };
	fields: INodeProperties[];
}

/** The Operation list of a resource and its operations' fields, each shown only where it belongs. */
export function resourceProperties(resource: string, operations: Operation[], defaultOperation: string): INodeProperties[] {
	const show = { resource: [resource] };
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show },
			options: operations.map((operation) => operation.option).sort((a, b) => a.name.localeCompare(b.name)),
			default: defaultOperation,
		},
		...operations.flatMap((operation) =>
			operation.fields.map((field) => ({
				...field,
				displayOptions: {
					...field.displayOptions,
					show: { ...field.displayOptions?.show, ...show, operation: [operation.option.value] },
				},
			})),
		),
	];
}
