import { fieldsCollection, listOptions } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { entityFields } from './entity';

const PAYMENT_FIELDS = ['id', 'accountNumber', 'paid', 'datePaid', 'empPaidId', 'paySystemId', 'sum', 'currency'];

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many payments',
	description: 'List the payments of a deal or invoice, all at once (crm.item.payment.list)',
	method: 'crm.item.payment.list',
	fields: [
		...entityFields,
		fieldsCollection({
			name: 'filters',
			displayName: 'Filters',
			placeholder: 'Add Filter',
			sendTo: 'filter',
			specs: [
				{ name: 'paid', displayName: 'Paid', kind: 'yesNo', description: 'Only paid or only unpaid payments' },
				{ name: 'paySystemId', displayName: 'Pay System ID', kind: 'integer', description: 'Only payments of this pay system' },
				{ name: 'sumFrom', displayName: 'Amount From', kind: 'amount', sendAs: '>=sum', description: 'Only payments of at least this amount' },
				{ name: 'sumTo', displayName: 'Amount To', kind: 'amount', sendAs: '<=sum', description: 'Only payments of at most this amount' },
				{ name: 'custom', displayName: 'Custom Filter (JSON)', kind: 'json', sendAs: '', description: 'More conditions in Bitrix24 filter syntax, e.g. {"!=currency": "USD"}' },
			],
		}),
		listOptions({ orderFields: PAYMENT_FIELDS }),
	],
});
