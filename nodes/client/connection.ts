import type { IDataObject, IExecuteSingleFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Authentication } from './errors';
import type { RatePlan } from './rateLimit';
import { ratePlanOf } from './rateLimit';
import { parseWebhookUrl } from './webhookUrl';

/**
 * The n8n functions a call is sent with: an item's own (routing engine), the UI's (list pickers), or the
 * trigger's (subscribing on activation, reading the payment of an event).
 */
export type PortalContext = IExecuteSingleFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/** Where and how a call reaches the portal, read once from the credential. */
export interface Connection {
	authentication: Authentication;
	credentialType: 'bitrix24WebhookApi' | 'bitrix24OAuth2Api';
	/** Where method names are appended: the webhook URL, or the OAuth token's `client_endpoint`. */
	restUrl: string;
	/** Strings that must never reach an output, error or log: the webhook secret, tokens, the client secret. */
	secrets: string[];
	/** The portal's host: one request bucket per portal. */
	portal: string;
	plan?: RatePlan;
}

function portalOf(url: string): string {
	return (/^https?:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url).toLowerCase();
}

export async function connectionOf(ctx: PortalContext): Promise<Connection> {
	const authentication = ctx.getNodeParameter('authentication', 'webhook') as Authentication;
	if (authentication === 'oAuth2') {
		const credentials = await ctx.getCredentials('bitrix24OAuth2Api');
		const token = (credentials.oauthTokenData ?? {}) as IDataObject;
		const host = String(credentials.domain ?? '').trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
		const endpoint = String(token.client_endpoint || `https://${host}/rest/`);
		if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
			throw new NodeOperationError(ctx.getNode(), 'The Bitrix24 OAuth2 credential has no portal address', {
				description: 'Fill in the portal domain (for example yourcompany.bitrix24.com) and connect the credential again.',
			});
		}
		const secrets = [token.access_token, token.refresh_token, credentials.clientSecret];
		return {
			authentication,
			credentialType: 'bitrix24OAuth2Api',
			restUrl: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
			secrets: secrets.filter((s): s is string => typeof s === 'string'),
			portal: portalOf(endpoint),
			plan: ratePlanOf(credentials),
		};
	}
	const credentials = await ctx.getCredentials('bitrix24WebhookApi');
	const webhook = parseWebhookUrl(credentials.webhookUrl);
	if (!webhook) {
		// The URL is not echoed: it would carry the secret into the execution log.
		throw new NodeOperationError(ctx.getNode(), 'The webhook URL in the credential is not a Bitrix24 inbound webhook URL', {
			description: 'Expected https://YOUR_PORTAL/rest/USER_ID/SECRET/ as Bitrix24 shows it under Developer resources > Other > Inbound webhook.',
		});
	}
	return {
		authentication,
		credentialType: 'bitrix24WebhookApi',
		restUrl: webhook.restUrl,
		secrets: [webhook.secret],
		portal: portalOf(webhook.restUrl),
		plan: ratePlanOf(credentials),
	};
}

/** Calls that share this key can go out in one batch: same address, same way of signing. */
export function connectionKey(connection: Connection): string {
	return `${connection.authentication} ${connection.restUrl}`;
}
