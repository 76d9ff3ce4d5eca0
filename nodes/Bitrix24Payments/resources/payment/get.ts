import { idAt, operation } from '../../shared/operation';
import { paymentId } from './paymentId';

export const get = operation({
	name: 'Get',
	value: 'get',
	action: 'Get a payment',
	description: 'Get a payment of a deal or invoice (crm.item.payment.get)',
	method: 'crm.item.payment.get',
	fields: [idAt(paymentId, 'id')],
});
