import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { callPortal } from '../client/request';
import { bitrix24EventsOf } from '../paymentEvents/events';

/**
 * OAuth2 mode: the trigger subscribes its own URL to the Bitrix24 events it needs (event.bind) when the
 * workflow is activated or listens for a test event, and removes exactly those bindings (event.unbind) when
 * it stops. Outgoing-webhook mode: the user sets the URL up in Bitrix24, so there is nothing to do.
 */
interface Wanted {
	events: string[];
	handler: string;
}

function wanted(ctx: IHookFunctions): Wanted | undefined {
	if (ctx.getNodeParameter('authentication', 'webhook') !== 'oAuth2') return undefined;
	const events = bitrix24EventsOf(ctx.getNodeParameter('events', []) as string[]);
	return { events, handler: String(ctx.getNodeWebhookUrl('default')) };
}

/** The wanted events that have no binding to this node's URL yet (event.get lists the app's bindings). */
async function missing(ctx: IHookFunctions, want: Wanted): Promise<string[]> {
	const bound = ((await callPortal(ctx, 'event.get', {})) ?? []) as IDataObject[];
	const isBound = (event: string) =>
		bound.some((binding) => String(binding.event).toUpperCase() === event && binding.handler === want.handler);
	return want.events.filter((event) => !isBound(event));
}

/** Outgoing-webhook mode checks every event against the token: without one it would refuse them all. */
async function requireApplicationToken(ctx: IHookFunctions): Promise<void> {
	const { applicationToken } = await ctx.getCredentials('bitrix24PaymentsWebhookApi');
	if (String(applicationToken ?? '').trim()) return;
	throw new NodeOperationError(ctx.getNode(), 'The "Bitrix24 Payments Webhook API" credential has no Outgoing Webhook Application Token', {
		description:
			'Bitrix24 shows the token on the outgoing webhook\'s page (Developer resources > Other > Outgoing webhook, "Application token"): copy it into the credential. Without it every event would be refused.',
	});
}

/** Called on activation (and before listening for a test event): n8n binds only when this says false. */
export async function isBound(ctx: IHookFunctions): Promise<boolean> {
	if (ctx.getNodeParameter('authentication', 'webhook') === 'webhook') await requireApplicationToken(ctx);
	const want = wanted(ctx);
	return !want || (await missing(ctx, want)).length === 0;
}

/** Binds only what is missing: the portal refuses a second binding of the same handler (ERROR_CORE). */
export async function bind(ctx: IHookFunctions): Promise<boolean> {
	const want = wanted(ctx);
	if (!want) return true;
	for (const event of await missing(ctx, want)) {
		await callPortal(ctx, 'event.bind', { event, handler: want.handler, event_type: 'online' });
	}
	return true;
}

export async function unbind(ctx: IHookFunctions): Promise<boolean> {
	const want = wanted(ctx);
	if (!want) return true;
	for (const event of want.events) await callPortal(ctx, 'event.unbind', { event, handler: want.handler });
	return true;
}
