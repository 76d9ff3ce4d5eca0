import type { Operation } from '../../shared/describe';
import { fieldsCollection, idField } from '../../shared/fields';
import { callMethod, unwrapProperty } from '../../shared/transport';
import { salePaymentFields } from './salePaymentFields';

export const update: Operation = {
	option: {
		name: 'Update',
		value: 'update',
		action: 'Update an order payment',
		description: 'Change the fields of an order payment and output it as saved (sale.payment.update)',
		routing: callMethod('sale.payment.update', unwrapProperty('payment')),
	},
	fields: [
		idField({
			name: 'paymentId',
			displayName: 'Payment ID',
			description: 'ID of the order payment, as sale.payment.list shows it',
			sendAs: 'id',
		}),
		idField({
			name: 'paySystemId',
			displayName: 'Pay System ID',
			description: 'ID of the pay system the payment uses; Bitrix24 requires it on every update',
			sendAs: 'fields.paySystemId',
		}),
		fieldsCollection({ name: 'updateFields', displayName: 'Update Fields', specs: salePaymentFields, sendTo: 'fields' }),
	],
};
