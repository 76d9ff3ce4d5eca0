import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { bxRestHandler, paySystemFields, paySystemId, personTypeId } from './shared';
import { paySystemShows, plainFields } from '../../shared/settleReads';

export const update = operation({
	name: 'Update',
	value: 'update',
	action: 'Update a pay system',
	description:
		'Change the fields of a pay system that runs a REST handler (sale.paysystem.update); Bitrix24 wants its handler code and payer type every time',
	method: 'sale.paysystem.update',
	settle: (params) => paySystemShows(params.ID, plainFields(params.FIELDS)),
	output: [confirm('success')],
	fields: [
		idAt(paySystemId, 'ID'),
		// The portal checks both before anything else, on every update: without them it answers "Handler not found".
		idAt(personTypeId, 'FIELDS.PERSON_TYPE_ID'),
		bxRestHandler,
		fieldsCollection({
			name: 'updateFields',
			displayName: 'Update Fields',
			sendTo: 'FIELDS',
			upperSnakeCase: true,
			specs: paySystemFields.filter((field) => field.name !== 'settings'),
		}),
	],
});
