import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { RATE_LIMIT_PROPERTIES } from './fields';

export class Bitrix24PaymentsOAuth2Api implements ICredentialType {
	name = 'bitrix24PaymentsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Bitrix24 Payments OAuth2 API';

	icon: Icon = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };

	documentationUrl = 'https://apidocs.bitrix24.com/api-reference/oauth/index.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Portal Domain',
			name: 'domain',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'yourcompany.bitrix24.com',
			description: 'The address of your Bitrix24 portal; the sign-in page is opened there',
			hint: 'The host name in your browser\'s address bar when you are signed in to Bitrix24, without https://',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{ "https://" + String($self.domain).trim().replace(/^https?:\\/\\//i, "").replace(/\\/.*$/, "") + "/oauth/authorize/" }}',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://oauth.bitrix.info/oauth/token/',
			description: 'Bitrix24\'s OAuth server, which issues and refreshes tokens for every portal',
			hint: 'Keep the default unless Bitrix24 named another OAuth server for your region',
		},
		{
			// Bitrix24 grants the scopes set on the app itself, not those asked for at sign-in.
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			// Bitrix24's token endpoint reads client_id and client_secret from the request, not from Basic auth.
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		// The OAuth2 fields n8n adds, given hints where Bitrix24 shows their values (a field of the same name replaces n8n's).
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			hint: 'In Bitrix24: Developer resources > Other > Local application: "Application ID (client_id)"',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			hint: 'In Bitrix24: Developer resources > Other > Local application: "Application key (client_secret)"',
		},
		...RATE_LIMIT_PROPERTIES,
	];
}
