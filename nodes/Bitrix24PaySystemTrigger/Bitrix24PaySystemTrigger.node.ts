import type {
	IHookFunctions,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PAY_SYSTEM_TRIGGER_HINT } from '../builderHints';
import { testWebhookConnection } from '../client/connectionTest';
import { callPortal } from '../client/request';
import { readCheckout, verifyCheckout } from './checkout';
import { activate, deactivate } from './setup';
import { authenticationProperty } from '../connection';

/** The person types of orders and deals: sale.persontype.list gives only these (not the old CRM invoices'). */
async function getPersonTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const result = (await callPortal(this, 'sale.persontype.list', { order: { sort: 'ASC', id: 'ASC' } })) as {
		personTypes?: Array<{ id: unknown; name: unknown }>;
	};
	return (result?.personTypes ?? []).map((type) => ({ name: `${String(type.name)} (${String(type.id)})`, value: Number(type.id) }));
}


export class Bitrix24PaySystemTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Pay System Trigger',
		name: 'bitrix24PaySystemTrigger',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["paySystemName"] }}',
		description: 'Makes the workflow a Bitrix24 pay system: starts it when a buyer starts paying, to create the payment at a payment service',
		defaults: { name: 'Bitrix24 Pay System Trigger' },
		builderHint: PAY_SYSTEM_TRIGGER_HINT,
		inputs: [],
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
		// The portal reads the answer from the same request: the workflow's last node's first item, as JSON.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'lastNode', responseData: 'firstEntryJson', path: 'checkout' }],
		properties: [
			authenticationProperty({ webhook: 'Inbound Webhook', oAuth2: 'OAuth2 (a Bitrix24 App)' }),
			// n8n 2.x shows Authentication only inside the credential dialog: these notices name the mode on the node itself.
			{
				displayName:
					'Mode: Inbound Webhook. Its webhook needs the pay_system and sale permissions, and an administrator as its user. To use a Bitrix24 app instead: on n8n 2.x create a new credential for this node and choose "OAuth2 (a Bitrix24 App)" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.',
				name: 'webhookNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['webhook'] } },
			},
			{
				displayName:
					'Mode: OAuth2 (a Bitrix24 app). The app needs the pay_system and sale permissions and must be connected by an administrator. To use an inbound webhook instead: on n8n 2.x create a new credential for this node and choose "Inbound Webhook" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.',
				name: 'oauthNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			{
				displayName:
					'Activating the workflow makes it a pay system of the portal (its REST handler calls the Production URL, which Bitrix24 must be able to reach); deactivating it hides the pay system from buyers. The workflow must answer Bitrix24 within about 60 s: its last node\'s first item is the answer, {"PAYMENT_URL": the page where the buyer pays, "PAYMENT_ID": the payment\'s ID at the service}, or {"PAYMENT_ERRORS": ["what went wrong, for the manager"]}. Respond to Webhook cannot answer for this trigger.',
				name: 'answerNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Pay System Name',
				name: 'paySystemName',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'Card (Stripe)',
				description: 'What buyers see among the ways to pay; used when the pay system is created',
			},
			{
				displayName: 'Handler Code',
				name: 'handlerCode',
				type: 'string',
				required: true,
				default: 'n8n_checkout',
				description:
					'The code of the pay system handler this workflow is, unique on the portal: another workflow that is a pay system needs another code',
			},
			{
				displayName: 'Person Type Names or IDs',
				name: 'personTypeIds',
				type: 'multiOptions',
				required: true,
				typeOptions: { loadOptionsMethod: 'getPersonTypes' },
				default: [],
				description:
					'The buyers the pay system is offered to (a pay system for each). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	};

	webhookMethods = {
		default: {
			// Activation always brings the portal to the wanted state: nothing to check first.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await activate(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				await deactivate(this);
				return true;
			},
		},
	};

	methods = {
		loadOptions: { getPersonTypes },
		credentialTest: { bitrix24WebhookConnection: testWebhookConnection },
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const verdict = await verifyCheckout(this, readCheckout(this.getBodyData()));
		if ('item' in verdict) return { workflowData: [[{ json: verdict.item }]] };
		this.getResponseObject().status(verdict.status).json(verdict.body);
		return { noWebhookResponse: true };
	}
}
