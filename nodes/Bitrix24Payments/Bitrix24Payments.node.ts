import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { orderPaymentProperties } from './resources/orderPayment';
import { paymentProperties } from './resources/payment';
import { paymentDeliveryProperties } from './resources/paymentDelivery';
import { paymentProductProperties } from './resources/paymentProduct';
import { paySystemProperties } from './resources/paySystem';
import { paySystemHandlerProperties } from './resources/paySystemHandler';
import { searchPaySystems } from './shared/listSearch';
import { REQUEST_OPTIONS_PROPERTY } from './shared/retry';
import { executeRequest } from './shared/transport';

export class Bitrix24Payments implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Payments',
		name: 'bitrix24Payments',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Work with Bitrix24 payments: mark them paid, update, list and delete them, pay them through pay systems',
		defaults: { name: 'Bitrix24 Payments' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'bitrix24WebhookApi', required: true, displayOptions: { show: { authentication: ['webhook'] } } },
			{ name: 'bitrix24OAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		requestDefaults: {
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		},
		requestOperations: { pagination: executeRequest },
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Webhook', value: 'webhook' },
					{ name: 'OAuth2', value: 'oAuth2' },
				],
				default: 'webhook',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'CRM Payment', value: 'payment', description: 'Payments of deals and invoices' },
					{ name: 'Order Payment', value: 'orderPayment', description: 'Payments of online store orders' },
					{ name: 'Pay System', value: 'paySystem', description: 'Payment systems of the portal' },
					{ name: 'Pay System Handler', value: 'paySystemHandler', description: 'REST handlers that process pay system payments' },
					{ name: 'Payment Delivery', value: 'paymentDelivery', description: 'Deliveries a CRM payment pays for' },
					{ name: 'Payment Product', value: 'paymentProduct', description: 'Products a CRM payment pays for' },
				],
				default: 'payment',
			},
			...paymentProperties,
			...paymentProductProperties,
			...paymentDeliveryProperties,
			...orderPaymentProperties,
			...paySystemProperties,
			...paySystemHandlerProperties,
			REQUEST_OPTIONS_PROPERTY,
		],
	};

	methods = { listSearch: { searchPaySystems } };
}
