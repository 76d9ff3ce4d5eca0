import { resource } from '../../shared/operation';
import { create } from './create';
import { deleteHandler } from './delete';
import { getAll } from './getAll';
import { update } from './update';

/** REST pay system handlers (`sale.paysystem.handler.*`). */
export const paySystemHandlerResource = resource(
	'paySystemHandler',
	{ name: 'Pay System Handler', description: 'REST handlers that process pay system payments' },
	[create, getAll, update, deleteHandler],
	'getAll',
);
