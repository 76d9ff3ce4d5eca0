import type {
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { POLLING_TRIGGER_HINT } from '../builderHints';
import { testWebhookConnection } from '../client/connectionTest';
import { eventsOf, EVENTS_SUBTITLE } from '../paymentEvents/events';
import { triggerMemory } from '../paymentEvents/memory';
import type { EventItem } from '../paymentEvents/payments';
import { bindQueue, isQueueBound, latestQueued, lookAtQueue, unbindQueue } from './offlineQueue';
import { latestPaid, lookAtPaidPayments } from './paidSince';
import { authenticationProperty } from '../connection';

/** Activations that switch the workflow on: it was off before, so what happened meanwhile does not start it. */
const SWITCHED_ON: WorkflowActivateMode[] = ['activate', 'create'];

/** Whether this is the first look of the activation that `ctx` belongs to (n8n keeps one per activation). */
function firstLook(ctx: IPollFunctions): boolean {
	if (triggerMemory.activationsLooked.has(ctx)) return false;
	triggerMemory.activationsLooked.add(ctx);
	return true;
}

const usesQueue = (ctx: IHookFunctions): boolean => ctx.getNodeParameter('authentication', 'webhook') === 'oAuth2';

/** Events that only the offline queue of an app carries: an inbound webhook has no events. */
function checkEvents(ctx: IPollFunctions, authentication: string, chosen: string[]): void {
	if (chosen.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one event', { description: 'Pick what starts the workflow under Events.' });
	}
	const appOnly = eventsOf('offlineQueue').filter((event) => chosen.includes(event.option.value) && !event.modes.includes('paidByDate'));
	if (authentication === 'webhook' && appOnly.length > 0) {
		const names = appOnly.map((event) => event.option.name);
		throw new NodeOperationError(ctx.getNode(), `${names.join(' and ')} need a Bitrix24 app (OAuth2)`, {
			description:
				'An inbound webhook gets no events from Bitrix24: with it the node can only find the payments paid since its last look. For saved and deleted payments use a Bitrix24 app installed by an administrator ("OAuth2 (Offline Event Queue)": on n8n 2.x in the new credential\'s setup menu, on 1.x under Authentication), or keep only Payment Paid.',
		});
	}
}


export class Bitrix24PaymentsPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Payments Polling Trigger',
		name: 'bitrix24PaymentsPollingTrigger',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['trigger'],
		version: 1,
		polling: true,
		subtitle: EVENTS_SUBTITLE,
		description: 'Starts the workflow for Bitrix24 payments paid, saved or deleted since its last look; no public address needed',
		defaults: { name: 'Bitrix24 Payments Polling Trigger' },
		builderHint: POLLING_TRIGGER_HINT,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Not for Bitrix24 to call: n8n runs a webhook's steps on activation and deactivation but not when it stops,
		// which is what tells "switched off" (unbind the queue) from "n8n stopped" (keep it filling) apart. The method
		// is empty unless the workflow is active, so a manual run ("Fetch Test Event") polls instead of waiting for a call.
		webhooks: [
			{
				name: 'default',
				httpMethod: '={{ $workflow.active ? "POST" : "" }}',
				path: 'offline-queue',
				responseMode: 'onReceived',
				ndvHideUrl: true,
				ndvHideMethod: true,
			},
		],
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
		properties: [
			authenticationProperty({ webhook: 'Webhook (Paid Payments by Date)', oAuth2: 'OAuth2 (Offline Event Queue)' }),
			{
				displayName:
					'Mode: Inbound Webhook (paid payments by date). Each look lists the order payments paid since the last one. It cannot see a payment marked paid with a Date Paid more than 5 minutes back, nor unpaid or deleted payments; the first look after the workflow is switched on starts from then. The inbound webhook needs the sale permission. For saved and deleted payments: on n8n 2.x create a new credential for this node and choose "OAuth2 (Offline Event Queue)" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.',
				// n8n 2.x shows Authentication only inside the credential dialog: these notices name the mode on the node itself.
				name: 'webhookNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['webhook'] } },
			},
			{
				displayName:
					"Mode: OAuth2 (the portal's offline event queue). Bitrix24 keeps this node's events in the portal's offline queue until the node has started their runs, so nothing is lost while n8n is down. The app's user must be a Bitrix24 administrator. Deactivating the workflow unbinds the queue (nothing queues while it is off); stopping n8n keeps it. To poll with an inbound webhook instead: on n8n 2.x create a new credential for this node and choose \"Webhook (Paid Payments by Date)\" in the setup menu of its dialog; on n8n 1.x choose it under Authentication.",
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
				options: eventsOf('paidByDate').map((event) => event.option),
				default: ['paymentPaid'],
				description: 'What starts the workflow (an inbound webhook finds paid payments only)',
				displayOptions: { show: { authentication: ['webhook'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: eventsOf('offlineQueue').map((event) => event.option),
				default: ['paymentPaid'],
				description: 'What starts the workflow',
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return !usesQueue(this) || (await isQueueBound(this));
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return !usesQueue(this) || (await bindQueue(this));
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return !usesQueue(this) || (await unbindQueue(this));
			},
		},
	};

	methods = { credentialTest: { bitrix24WebhookConnection: testWebhookConnection } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		this.getResponseObject()
			.status(404)
			.json({ message: 'Bitrix24 Payments Polling Trigger takes no calls: it reads the portal on its own schedule' });
		return { noWebhookResponse: true };
	}

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const authentication = this.getNodeParameter('authentication', 'webhook') as string;
		const chosen = this.getNodeParameter('events', []) as string[];
		checkEvents(this, authentication, chosen);
		if (this.getMode() === 'manual') {
			// "Fetch Test Event": the newest matching payment, without moving the cursor or clearing the queue.
			let item: EventItem | undefined;
			if (authentication === 'oAuth2') item = await latestQueued(this, chosen);
			if (!item && chosen.includes('paymentPaid')) item = await latestPaid(this);
			if (!item) {
				throw new NodeOperationError(this.getNode(), 'No matching payment event yet', {
					description:
						'The offline queue of this node is empty (it fills once the workflow is active) and no order payment is paid yet. Pay a payment in Bitrix24 and fetch again.',
				});
			}
			return [[{ json: item }]];
		}
		const switchedOn = firstLook(this) && SWITCHED_ON.includes(this.getActivationMode());
		// One run per event, as the webhook trigger starts them: each payment's run succeeds or fails on its own.
		const start = (item: EventItem) => this.__emit([[{ json: item }]]);
		if (authentication === 'oAuth2') await lookAtQueue(this, chosen, switchedOn, start);
		else await lookAtPaidPayments(this, switchedOn, start);
		return null;
	}
}
