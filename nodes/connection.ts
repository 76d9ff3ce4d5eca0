import type { INodeProperties } from 'n8n-workflow';

import type { Authentication } from './client/call';

/**
 * How every node of the package connects: an inbound webhook or an app (OAuth2), switched by the `authentication`
 * parameter (the node's credentials show one picker for each). Each node names the ways in its own words and order;
 * n8n 2.x shows the switch as the setup menu of the node's credential dialog.
 */
export function authenticationProperty(names: Record<Authentication, string>, order: Authentication[] = ['webhook', 'oAuth2']): INodeProperties {
	return {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: order.map((way) => ({ name: names[way], value: way })),
		default: 'webhook',
	};
}
