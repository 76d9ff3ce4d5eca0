import { idAt, operation } from '../../shared/operation';
import { paySystemId, personTypeId } from './shared';

export const getSettings = operation({
	name: 'Get Settings',
	value: 'getSettings',
	action: 'Get the settings of a pay system',
	description: 'Get the handler settings of a pay system for a payer type (sale.paysystem.settings.get)',
	method: 'sale.paysystem.settings.get',
	fields: [idAt(paySystemId, 'ID'), idAt(personTypeId, 'PERSON_TYPE_ID')],
});
