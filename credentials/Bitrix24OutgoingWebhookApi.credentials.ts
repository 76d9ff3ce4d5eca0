import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The application token of a Bitrix24 outgoing webhook: the portal sends it with every event
 * (`auth[application_token]`), and the trigger accepts only events that carry it.
 */
export class Bitrix24OutgoingWebhookApi implements ICredentialType {
	name = 'bitrix24OutgoingWebhookApi';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api -- the display name is fixed by the package's published contract
	displayName = 'Bitrix24 Outgoing Webhook';

	icon: Icon = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };

	documentationUrl = 'https://apidocs.bitrix24.com/local-integrations/outgoing-webhooks.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Application Token',
			name: 'applicationToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The application token Bitrix24 shows for the outgoing webhook (Developer resources > Other > Outgoing webhook). Events without it are refused.',
		},
	];
}
