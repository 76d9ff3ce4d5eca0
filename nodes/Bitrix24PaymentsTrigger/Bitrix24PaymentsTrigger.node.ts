import type {
	IHookFunctions,
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { TRIGGER_HINT } from '../builderHints';
import { testWebhookConnection } from '../client/connectionTest';
import { bitrix24EventsOf, eventsOf, EVENTS_SUBTITLE, readsPayment } from '../paymentEvents/events';
import { PaidChanges } from '../paymentEvents/paidChanges';
import type { EventItem } from '../paymentEvents/payments';
import { itemOfEvent, readPayments } from '../paymentEvents/payments';
import { sameSecret } from '../portalPost';
import { readDelivery } from './delivery';
import type { Delivery } from './delivery';
import { bind, isBound, unbind } from './subscription';
import { authenticationProperty } from '../connection';

/** The portal's answer for an event that fails the check: no details, nothing started. */
function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

/** Only the portal: the outgoing webhook's application token, or (OAuth2) the member id of the credential's portal. */
async function fromThePortal(ctx: IWebhookFunctions, delivery: Delivery): Promise<boolean> {
	if (ctx.getNodeParameter('authentication', 'webhook') === 'oAuth2') {
		const credentials = await ctx.getCredentials('bitrix24PaymentsOAuth2Api');
		const memberId = String(((credentials.oauthTokenData ?? {}) as IDataObject).member_id ?? '');
		return sameSecret(delivery.memberId, memberId);
	}
	const { applicationToken } = await ctx.getCredentials('bitrix24PaymentsWebhookApi');
	return sameSecret(delivery.applicationToken, String(applicationToken ?? '').trim());
}

/** The item an accepted event starts the workflow with, if the chosen events want it. */
async function itemOf(
	ctx: IWebhookFunctions,
	{ event, paymentId, ts, domain }: Delivery & { paymentId: number },
	chosen: string[],
	paidChanges: PaidChanges,
): Promise<EventItem | undefined> {
	// Paid or not is what the portal says now, never what the event body says.
	const read = readsPayment(event) ? (await readPayments(ctx, [paymentId])).get(paymentId) : undefined;
	return itemOfEvent(chosen, { event, paymentId, ts, domain }, read, (payment) => paidChanges.tell(payment))?.item;
}


export class Bitrix24PaymentsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Payments Trigger',
		name: 'bitrix24PaymentsTrigger',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: EVENTS_SUBTITLE,
		// n8n's nodes panel merges this trigger into "Bitrix24 Payments" (its name without "Trigger" is that node's) and
		// shows this description for the merged entry, on 1.x and 2.x alike: so it describes both nodes.
		description: 'Mark Bitrix24 payments paid, update, list and delete them, pay them through pay systems, or start a workflow when one is paid, saved or deleted',
		defaults: { name: 'Bitrix24 Payments Trigger' },
		builderHint: TRIGGER_HINT,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// n8n's verification wants each node to name its credentials; authentication picks one.
		credentials: [
			{ name: 'bitrix24PaymentsOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
			{
				name: 'bitrix24PaymentsWebhookApi',
				required: true,
				displayOptions: { show: { authentication: ['webhook'] } },
				testedBy: 'bitrix24WebhookConnection',
			},
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			authenticationProperty({ webhook: 'Outgoing Webhook (Set Up in Bitrix24)', oAuth2: 'OAuth2 (Subscribes Itself)' }, ['oAuth2', 'webhook']),
			// n8n 2.x shows Authentication only inside the credential dialog: these notices name the mode on the node itself.
			{
				displayName:
					'Mode: Outgoing Webhook (set up in Bitrix24). In Bitrix24 open Developer resources > Other > Outgoing webhook, paste the Production URL above as the handler address, tick the events below (OnPaymentEntitySaved covers Payment Paid) and save. Then copy the webhook\'s application token into Outgoing Webhook Application Token of the "Bitrix24 Payments Webhook API" credential, whose inbound webhook (sale permission) reads the payment. Bitrix24 must be able to reach the Production URL (n8n\'s WEBHOOK_URL); if it cannot, use Bitrix24 Payments Polling Trigger. To subscribe through an app instead: on n8n 2.x create a new credential for this node and choose "OAuth2 (Subscribes Itself)" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['webhook'] } },
			},
			{
				displayName:
					'Mode: OAuth2 (the trigger subscribes itself). Activating the workflow subscribes this node to the events below with event.bind (the app needs the sale permission); deactivating unsubscribes it. Bitrix24 must be able to reach the Production URL (n8n\'s WEBHOOK_URL); if it cannot, use Bitrix24 Payments Polling Trigger. To set the trigger up in Bitrix24 instead: on n8n 2.x create a new credential for this node and choose "Outgoing Webhook (Set Up in Bitrix24)" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.',
				name: 'oauthNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: eventsOf('instant').map((event) => event.option),
				default: ['paymentPaid'],
				description: 'What starts the workflow',
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await isBound(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await bind(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unbind(this);
			},
		},
	};

	methods = { credentialTest: { bitrix24WebhookConnection: testWebhookConnection } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const delivery = readDelivery(this.getBodyData());
		if (!(await fromThePortal(this, delivery))) return refuse(this, 401, 'This event does not come from the Bitrix24 portal');
		if (delivery.paymentId === undefined) return refuse(this, 400, 'The event names no payment (data[FIELDS][ID])');
		const chosen = this.getNodeParameter('events', []) as string[];
		// Other events the portal's outgoing webhook may send are answered and start nothing.
		if (!(bitrix24EventsOf(chosen) as string[]).includes(delivery.event)) return {};

		const trigger = `${this.getWorkflow().id ?? ''} ${this.getNode().name} ${this.getMode()}`;
		const paidChanges = new PaidChanges(trigger, this.getWorkflowStaticData('node'));
		const item = await itemOf(this, delivery as Delivery & { paymentId: number }, chosen, paidChanges);
		if (!item) return {};
		const items: INodeExecutionData[] = [{ json: item }];
		// Answered here rather than by n8n: n8n 2.x answers "on received" only after it has set up the run, and
		// setting it up marks the workflow's static data unchanged again, so what this event taught the node was
		// not saved. Answered first, n8n saves it before the run starts, on 1.x as on 2.x.
		this.getResponseObject().status(200).json({ message: 'Workflow was started' });
		return { workflowData: [items], noWebhookResponse: true };
	}
}
