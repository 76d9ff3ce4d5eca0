import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paySystemId } from './shared';

export const deletePaySystem = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete a pay system',
	description: 'Delete a pay system (sale.paysystem.delete)',
	method: 'sale.paysystem.delete',
	output: [confirm('deleted')],
	fields: [idAt(paySystemId, 'ID')],
});
