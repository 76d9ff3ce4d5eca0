import { idField } from '../../shared/fields';

// REST pay system handlers: the code an app registers to process payments (sale.paysystem.handler.*).
export const handlerId = idField({
	name: 'handlerId',
	displayName: 'Handler ID',
	description: 'ID of the handler, as Get Many shows it',
});

export const SETTINGS_DESCRIPTION = 'The handler description: {"CURRENCY": ["USD"], "FORM_DATA": {...}, "CODES": {...}}';
