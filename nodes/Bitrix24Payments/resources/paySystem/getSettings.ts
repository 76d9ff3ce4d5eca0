import type { Operation } from '../../shared/describe';
import { callMethod } from '../../shared/transport';
import { paySystemId, personTypeId } from './shared';

export const getSettings: Operation = {
	option: {
		name: 'Get Settings',
		value: 'getSettings',
		action: 'Get the settings of a pay system',
		description: 'Get the handler settings of a pay system for a payer type (sale.paysystem.settings.get)',
		routing: callMethod('sale.paysystem.settings.get'),
	},
	fields: [paySystemId, personTypeId],
};
