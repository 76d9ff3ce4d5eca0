import { fieldsCollection, listOptions } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { unwrapProperty } from '../../shared/output';
import { salePaymentFields } from './salePaymentFields';
import { simplifyPayment } from './shared';

const FIELDS = ['id', 'orderId', 'accountNumber', 'paySystemId', 'paySystemName', 'currency', ...salePaymentFields.map((field) => field.name)];

export const getAll = operation({
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many order payments',
	description: 'List order payments, page by page as Bitrix24 serves them (sale.payment.list)',
	method: 'sale.payment.list',
	output: [unwrapProperty('payments'), simplifyPayment],
	fields: [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		// eslint-disable-next-line n8n-nodes-base/node-param-type-options-missing-from-limit -- minValue would make the editor turn 0 into 1 without a word; the node refuses a Limit below 1 with a message, before any request
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
		fieldsCollection({
			name: 'filters',
			displayName: 'Filters',
			placeholder: 'Add Filter',
			sendTo: 'filter',
			specs: [
				{ name: 'orderId', displayName: 'Order ID', kind: 'integer', description: 'Only payments of this order' },
				{ name: 'paid', displayName: 'Paid', kind: 'yesNo', description: 'Only paid or only unpaid payments' },
				{ name: 'paySystemId', displayName: 'Pay System ID', kind: 'integer', description: 'Only payments of this pay system' },
				{ name: 'datePaidFrom', displayName: 'Paid After', kind: 'dateTime', sendAs: '>=datePaid', description: 'Only payments paid at or after this time' },
				{ name: 'datePaidTo', displayName: 'Paid Before', kind: 'dateTime', sendAs: '<=datePaid', description: 'Only payments paid at or before this time' },
				{ name: 'sumFrom', displayName: 'Amount From', kind: 'amount', sendAs: '>=sum', description: 'Only payments of at least this amount' },
				{ name: 'sumTo', displayName: 'Amount To', kind: 'amount', sendAs: '<=sum', description: 'Only payments of at most this amount' },
				{ name: 'currency', displayName: 'Currency', kind: 'string', description: 'Only payments in this currency, e.g. USD' },
				{
					name: 'psInvoiceId',
					displayName: 'Pay System Invoice ID',
					kind: 'string',
					description: "Only the payment with this ID at the payment service (what a pay system answered as PAYMENT_ID), e.g. a Stripe Checkout Session's ID",
				},
				{ name: 'custom', displayName: 'Custom Filter (JSON)', kind: 'json', sendAs: '', description: 'More conditions in Bitrix24 filter syntax, e.g. {"%comments": "refund"}' },
			],
		}),
		listOptions({ orderFields: FIELDS, selectFields: FIELDS, simplify: true }),
	],
});
