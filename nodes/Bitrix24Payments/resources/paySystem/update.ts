import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { bxRestHandler, paySystemFields, paySystemId, personTypeId } from './shared';

export const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a pay system',
		description:
			'Change the fields of a pay system that runs a REST handler (sale.paysystem.update); Bitrix24 wants its handler code and payer type every time',
		routing: callMethod('sale.paysystem.update', confirm('success')),
	},
	fields: [
		paySystemId,
		// The portal checks both before anything else, on every update: without them it answers "Handler not found".
		personTypeId,
		bxRestHandler,
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'FIELDS',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'settings'),
		}),
	],
};
