import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { WEBHOOK_URL_PATTERN } from '../nodes/Bitrix24Payments/shared/webhookUrl';

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
	];

	// `scope` needs no permission and lists the webhook's own, so it tells a wrong secret from a missing scope.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ String($credentials.webhookUrl).replace(${String(WEBHOOK_URL_PATTERN)}, '$1/') }}`,
			url: 'scope',
			method: 'POST',
			json: true,
		},
	};
}
