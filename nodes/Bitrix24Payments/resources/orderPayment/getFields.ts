import type { IDataObject } from 'n8n-workflow';

import type { OutputStep } from '../../../client/item';
import { operation } from '../../shared/operation';

/** One item per field, so the list can be filtered or joined like any other data. */
const fieldsAsItems: OutputStep = async function (items) {
	return items.flatMap((item) =>
		Object.entries((item.json.payment ?? {}) as IDataObject).map(([field, description]) => ({
			json: { field, ...(description as IDataObject) },
			pairedItem: item.pairedItem,
		})),
	);
};

export const getFields = operation({
	name: 'Get Fields',
	value: 'getFields',
	action: 'Get the fields of order payments',
	description: 'Describe every field of an order payment: type, required, read-only (sale.payment.getFields)',
	method: 'sale.payment.getFields',
	output: [fieldsAsItems],
	fields: [],
});
