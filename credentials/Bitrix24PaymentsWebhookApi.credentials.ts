import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { RATE_LIMIT_PROPERTIES } from './fields';

/**
 * An inbound webhook (every node) and, optionally, the application token of an outgoing webhook (only the instant
 * trigger): one credential per mode, so that n8n 2.x shows the trigger one credential picker.
 *
 * Tested by the nodes (`testedBy`, nodes/client/connectionTest.ts) rather than by a `test` request here: a request
 * test reports a failed connection as a bare code (ENOTFOUND), the function names the host and the fix.
 */
export class Bitrix24PaymentsWebhookApi implements ICredentialType {
	name = 'bitrix24PaymentsWebhookApi';

	displayName = 'Bitrix24 Payments Webhook API';

	icon: Icon = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };

	documentationUrl = 'https://apidocs.bitrix24.com/local-integrations/local-webhooks.html';

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the URL carries the webhook secret
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'https://yourcompany.bitrix24.com/rest/1/abc123def456/',
			description:
				'The inbound webhook URL from Bitrix24, with the crm, sale and pay_system permissions. A method name pasted after it is ignored.',
			hint: 'In Bitrix24: Developer resources > Other > Inbound webhook, then copy "Webhook to call REST API". It is hidden here because it holds the secret.',
		},
		{
			displayName: 'Outgoing Webhook Application Token',
			name: 'applicationToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only Bitrix24 Payments Trigger (Authentication: Outgoing Webhook) uses it: events without this token are refused. Leave it empty otherwise.',
			hint: 'Only Bitrix24 Payments Trigger uses it. In Bitrix24: Developer resources > Other > Outgoing webhook: the webhook\'s page shows its "Application token".',
		},
		...RATE_LIMIT_PROPERTIES,
	];
}
