import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { orderPaymentResource } from './resources/orderPayment';
import { paymentResource } from './resources/payment';
import { paymentDeliveryResource } from './resources/paymentDelivery';
import { paymentProductResource } from './resources/paymentProduct';
import { paySystemResource } from './resources/paySystem';
import { paySystemHandlerResource } from './resources/paySystemHandler';
import { describeResources } from './shared/describe';
import { searchPaySystems } from './shared/listSearch';
import { executeRequest } from './shared/request/adapters';
import { REQUEST_OPTIONS_PROPERTY } from './shared/request/settings';

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
			...describeResources([
				paymentResource,
				paymentProductResource,
				paymentDeliveryResource,
				orderPaymentResource,
				paySystemResource,
				paySystemHandlerResource,
			]),
			REQUEST_OPTIONS_PROPERTY,
		],
	};

	methods = { listSearch: { searchPaySystems } };
}
