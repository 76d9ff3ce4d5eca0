import { idAt, operation } from '../../shared/operation';
import { confirm } from '../../shared/output';
import { paySystemId } from './shared';
import { paySystemShows } from '../../shared/settleReads';

export const deletePaySystem = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete a pay system',
	description: 'Delete a pay system (sale.paysystem.delete)',
	method: 'sale.paysystem.delete',
	settle: (params) => paySystemShows(params.ID, 'gone'),
	output: [confirm('deleted')],
	fields: [idAt(paySystemId, 'ID')],
});
