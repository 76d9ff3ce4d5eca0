import type { IDataObject } from 'n8n-workflow';

import type { FieldSpec } from '../../shared/fields';
import { fieldsCollection } from '../../shared/fields';
import { idAt, operation } from '../../shared/operation';
import { confirm, confirmPaid } from '../../shared/output';
import { paymentId, paySystemId } from './shared';
import { orderPaymentShows } from '../../shared/settleReads';

/** What a payment service reports back; sent as PS_INVOICE_ID, PS_STATUS_CODE, ... */
const payServiceFields: FieldSpec[] = [
	{ name: 'psInvoiceId', displayName: 'Pay System Invoice ID', kind: 'string', description: 'ID of the payment in the payment service' },
	{ name: 'psStatusCode', displayName: 'Status Code', kind: 'string', description: 'Status code reported by the payment service' },
	{ name: 'psStatusDescription', displayName: 'Status Description', kind: 'string', description: 'Description of the payment service\'s result' },
	{ name: 'psStatusMessage', displayName: 'Status Message', kind: 'string', description: 'Message from the payment service' },
	{ name: 'psSum', displayName: 'Amount', kind: 'amount', description: 'Amount the payment service received' },
	{ name: 'psCurrency', displayName: 'Currency', kind: 'string', description: 'Currency of that amount, e.g. USD' },
	{ name: 'psRecurringToken', displayName: 'Recurring Token', kind: 'secret', description: 'Token for recurring payments issued by the payment service' },
	{ name: 'psCardNumber', displayName: 'Card Number', kind: 'string', description: 'Masked card number, e.g. 4111 **** **** 1111' },
];

/** The PS_* fields sent, as sale.payment.get names them (PS_STATUS_CODE: psStatusCode). */
function paidWith(params: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(params).filter(([key]) => key.startsWith('PS_')).map(([key, value]) => [key.toLowerCase().replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase()), value]));
}

export const payPayment = operation({
	name: 'Pay Payment',
	value: 'payPayment',
	action: 'Pay a payment through a pay system',
	description:
		'Pay a payment the way a payment service does after a real payment: runs the pay system\'s handler, marks the payment paid and stores the status fields (sale.paysystem.pay.payment)',
	method: 'sale.paysystem.pay.payment',
	settle: (params) => orderPaymentShows(params.PAYMENT_ID, { paid: 'Y', ...paidWith(params) }),
	output: [confirm('success')],
	readBack: confirmPaid,
	fields: [
		idAt(paymentId, 'PAYMENT_ID'),
		idAt(paySystemId, 'PAY_SYSTEM_ID'),
		fieldsCollection({
			name: 'additionalFields',
			displayName: 'Additional Fields',
			specs: payServiceFields,
			upperSnakeCase: true,
		}),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Confirm Paid',
					name: 'confirmPaid',
					type: 'boolean',
					default: false,
					description:
						'Whether to read the payment back and fail the item if it is not paid: Bitrix24 answers true even when saving the payment failed. Needs the sale permission too.',
				},
			],
		},
	],
});
