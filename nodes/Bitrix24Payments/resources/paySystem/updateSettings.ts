import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paySystemId, personTypeId, settings } from './shared';

export const updateSettings: Operation = {
	option: {
		name: 'Update Settings',
		value: 'updateSettings',
		action: 'Update the settings of a pay system',
		description: 'Change the handler settings of a pay system for a payer type (sale.paysystem.settings.update)',
		routing: callMethod('sale.paysystem.settings.update', confirm('success')),
	},
	fields: [paySystemId, personTypeId, settings],
};
