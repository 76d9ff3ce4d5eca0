import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { handlerId } from './shared';

export const deleteHandler: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a pay system handler',
		description: 'Delete a REST handler (sale.paysystem.handler.delete)',
		routing: callMethod('sale.paysystem.handler.delete', confirm('deleted')),
	},
	fields: [handlerId],
};
