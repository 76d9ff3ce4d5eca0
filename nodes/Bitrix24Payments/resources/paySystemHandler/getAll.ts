import type { Operation } from '../../shared/describe';
import { callMethod } from '../../shared/transport';

export const getAll: Operation = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many pay system handlers',
		description: 'List the REST handlers of the portal (sale.paysystem.handler.list)',
		routing: callMethod('sale.paysystem.handler.list'),
	},
	fields: [],
};
