import type { INodeProperties } from 'n8n-workflow';

/**
 * Shown under every operation: how the node sends its requests and how hard it tries before an item fails. Its
 * defaults are the settings of every call made without it (the trigger's, the list pickers'): request.ts reads them here.
 */
export const REQUEST_OPTIONS_PROPERTY: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Batch Requests',
			name: 'batch',
			type: 'boolean',
			default: true,
			description:
				"Whether to send the items of one run to Bitrix24 in batch calls of up to 50 (one request, one place in the portal's request limit); off sends one request per item",
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
			description:
				'How many times a request is sent again after "Too many requests", a method time limit, or (for reads only) a network error or server fault',
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description: 'The longest an item waits in total between retries before it fails',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description: 'How long to wait for one answer of the portal (Bitrix24 stops a request after 60 s)',
		},
	],
};
