import type { Operation } from '../../shared/describe';
import { confirm } from '../../shared/output';
import { callMethod } from '../../shared/transport';
import { paySystemId } from './shared';

export const deletePaySystem: Operation = {
	option: {
		name: 'Delete',
		value: 'delete',
		action: 'Delete a pay system',
		description: 'Delete a pay system (sale.paysystem.delete)',
		routing: callMethod('sale.paysystem.delete', confirm('deleted')),
	},
	fields: [paySystemId],
};
