import { operation } from '../../shared/operation';


export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many pay system handlers',
	description: 'List the REST handlers of the portal (sale.paysystem.handler.list)',
	method: 'sale.paysystem.handler.list',
	fields: [],
});
