import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { RATE_LIMIT_PROPERTIES, WEBHOOK_URL_PATTERN } from '../nodes/client/credentialFields';

export class Bitrix24WebhookApi implements ICredentialType {
	name = 'bitrix24WebhookApi';

	displayName = 'Bitrix24 Webhook API';

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
				'The inbound webhook URL from Bitrix24 (Developer resources > Other > Inbound webhook), with the crm, sale and pay_system permissions. A method name pasted after it is ignored.',
		},
		...RATE_LIMIT_PROPERTIES,
	];

	// `scope` needs no permission and lists the webhook's own, so it tells a wrong secret from a missing scope.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ String($credentials.webhookUrl).replace(${String(WEBHOOK_URL_PATTERN)}, '$1/') }}`,
			url: 'scope',
			method: 'POST',
			json: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Bitrix24 rejected this webhook: the user ID or secret in the URL is wrong, or the webhook was deleted. Copy the URL again from Developer resources > Other > Inbound webhook.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"Bitrix24 refused REST access to this webhook's user or portal (the REST API needs a commercial plan, and the user must be active).",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Bitrix24 REST API answered at this address: check the portal address and that the URL looks like https://PORTAL/rest/USER_ID/SECRET/.',
				},
			},
		],
	};
}
