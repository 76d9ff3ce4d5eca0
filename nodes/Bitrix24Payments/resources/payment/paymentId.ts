import { idField } from '../../shared/fields';

export const paymentId = idField({
	name: 'paymentId',
	displayName: 'Payment ID',
	description: 'ID of the payment of a deal or invoice, as crm.item.payment.list shows it',
	sendAs: 'id',
});
