import type { Operation } from '../../shared/describe';
import { fieldsCollection, idField, textField } from '../../shared/fields';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paySystemFields, paySystemId } from './shared';

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
		paySystemId(),
		// The portal checks both before anything else, on every update: without them it answers "Handler not found".
		textField({
			name: 'bxRestHandler',
			displayName: 'Handler Code',
			description: 'Code of the REST handler the pay system runs (unchanged: its current code; see Pay System Handler > Get Many)',
			sendAs: 'FIELDS.BX_REST_HANDLER',
		}),
		idField({
			name: 'personTypeId',
			displayName: 'Person Type ID',
			description: 'ID of the payer type the pay system serves (unchanged: its current one); it must belong to what the pay system is used for',
			sendAs: 'FIELDS.PERSON_TYPE_ID',
		}),
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'FIELDS',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'settings'),
		}),
	],
};
