import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paySystemId, personTypeId, settings } from './shared';
import { paySystemSettingsShow } from '../../shared/settleReads';

export const updateSettings = operation({
	name: 'Update Settings',
	value: 'updateSettings',
	action: 'Update the settings of a pay system',
	description: 'Change the handler settings of a pay system for a payer type (sale.paysystem.settings.update)',
	method: 'sale.paysystem.settings.update',
	settle: (params) => paySystemSettingsShow(params.ID, params.PERSON_TYPE_ID, params.SETTINGS),
	output: [confirm('success')],
	fields: [idAt(paySystemId, 'ID'), idAt(personTypeId, 'PERSON_TYPE_ID'), settings],
});
