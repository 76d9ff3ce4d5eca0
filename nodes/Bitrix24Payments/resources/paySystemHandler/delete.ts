import { confirm } from '../../shared/output';
import { idAt, operation } from '../../shared/operation';
import { handlerId } from './shared';
import { handlerShows } from '../../shared/settleReads';

export const deleteHandler = operation({
	name: 'Delete',
	value: 'delete',
	action: 'Delete a pay system handler',
	description: 'Delete a REST handler (sale.paysystem.handler.delete)',
	method: 'sale.paysystem.handler.delete',
	settle: (params) => handlerShows(params.ID, 'gone'),
	output: [confirm('deleted')],
	fields: [idAt(handlerId, 'ID')],
});
