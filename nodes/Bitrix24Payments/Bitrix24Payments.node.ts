import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PAYMENTS_HINT } from '../builderHints';
import { testWebhookConnection } from '../client/connectionTest';
import { runItem } from '../client/item';
import { orderPaymentResource } from './resources/orderPayment';
import { paymentResource } from './resources/payment';
import { paymentDeliveryResource } from './resources/paymentDelivery';
import { paymentProductResource } from './resources/paymentProduct';
import { paySystemResource } from './resources/paySystem';
import { paySystemHandlerResource } from './resources/paySystemHandler';
import { searchPaySystems } from './shared/listSearch';
import { operationProperties, REQUEST_OPTIONS_PROPERTY, resourceProperty, subtitle } from './shared/properties';
import { authenticationProperty } from '../connection';

const RESOURCES = [
	paymentResource,
	paymentProductResource,
	paymentDeliveryResource,
	orderPaymentResource,
	paySystemResource,
	paySystemHandlerResource,
];

/** Every operation by `resource:operation`. */
const OPERATIONS = new Map(RESOURCES.flatMap((r) => r.operations.map((o) => [`${r.value}:${o.option.value}`, o] as const)));

/**
 * How an operation runs for one item. n8n's routing engine has built the request body from the fields and hands
 * it here (a declarative node gets its request loop only through `requestOperations.pagination`, so every
 * operation opts in with `send.paginate`); the client runs the operation (nodes/client/item.ts).
 */
async function runOperation(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource') as string;
	const operation = OPERATIONS.get(`${resource}:${this.getNodeParameter('operation') as string}`)!;
	return await runItem(this, operation, (requestData.options.body ?? {}) as IDataObject);
}


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
		builderHint: PAYMENTS_HINT,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// n8n's verification wants each node to name its credentials; authentication picks one.
		credentials: [
			{
				name: 'bitrix24PaymentsWebhookApi',
				required: true,
				displayOptions: { show: { authentication: ['webhook'] } },
				testedBy: 'bitrix24WebhookConnection',
			},
			{ name: 'bitrix24PaymentsOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		requestOperations: { pagination: runOperation },
		properties: [
			authenticationProperty({ webhook: 'Webhook', oAuth2: 'OAuth2' }),
			resourceProperty(RESOURCES, 'payment'),
			...operationProperties(RESOURCES),
			REQUEST_OPTIONS_PROPERTY,
		],
	};

	methods = { listSearch: { searchPaySystems }, credentialTest: { bitrix24WebhookConnection: testWebhookConnection } };
}
