import type { Operation } from '../../shared/describe';
import { fieldsCollection } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paySystemFields, paySystemId } from './shared';

export const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update a pay system',
		description: 'Change the fields of a pay system (sale.paysystem.update)',
		routing: callMethod('sale.paysystem.update', confirm('success')),
	},
	fields: [
		paySystemId(),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', sendTo: 'FIELDS', upperSnakeCase: true, specs: paySystemFields }),
	],
};
