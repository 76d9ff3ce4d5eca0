import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { orderPaymentResource } from './resources/orderPayment';
import { paymentResource } from './resources/payment';
import { paymentDeliveryResource } from './resources/paymentDelivery';
import { paymentProductResource } from './resources/paymentProduct';
import { paySystemResource } from './resources/paySystem';
import { paySystemHandlerResource } from './resources/paySystemHandler';
import { describeResources, resourceProperty, subtitle } from './shared/describe';
import { searchPaySystems } from './shared/listSearch';
import { executeRequest } from './shared/adapters';
import { REQUEST_OPTIONS_PROPERTY } from '../client/settings';

const RESOURCES = [
	paymentResource,
	paymentProductResource,
	paymentDeliveryResource,
	orderPaymentResource,
	paySystemResource,
	paySystemHandlerResource,
];

export class Bitrix24Payments implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Payments',
		name: 'bitrix24Payments',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle(RESOURCES),
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
			resourceProperty(RESOURCES, 'payment'),
			...describeResources(RESOURCES),
			REQUEST_OPTIONS_PROPERTY,
		],
	};

	methods = { listSearch: { searchPaySystems } };
}
