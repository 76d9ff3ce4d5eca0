import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Operation } from '../../shared/describe';
import { callMethod } from '../../shared/transport';

/** One item per field, so the list can be filtered or joined like any other data. */
async function fieldsAsItems(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return items.flatMap((item) =>
		Object.entries((item.json.payment ?? {}) as IDataObject).map(([field, description]) => ({
			json: { field, ...(description as IDataObject) },
			pairedItem: item.pairedItem,
		})),
	);
}

export const getFields: Operation = {
	option: {
		name: 'Get Fields',
		value: 'getFields',
		action: 'Get the fields of order payments',
		description: 'Describe every field of an order payment: type, required, read-only (sale.payment.getFields)',
		routing: callMethod('sale.payment.getFields', fieldsAsItems),
	},
	fields: [],
};
