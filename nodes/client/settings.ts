import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { PortalContext } from './connection';

export const REQUEST_DEFAULTS = { maxRetries: 5, maxWait: 60, timeout: 60, batch: true };

/** Shown under every operation: how the node sends its requests and how hard it tries before an item fails. */
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

export interface RequestSettings {
	maxRetries: number;
	maxWaitMs: number;
	timeoutMs: number;
	batch: boolean;
}

/** The node's Request Options, with the defaults where unset or unusable. */
export function requestSettingsOf(options: unknown): RequestSettings {
	const set = (options ?? {}) as IDataObject;
	const number = (value: unknown, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	return {
		maxRetries: Math.floor(number(set.maxRetries, REQUEST_DEFAULTS.maxRetries)),
		maxWaitMs: number(set.maxWait, REQUEST_DEFAULTS.maxWait) * 1000,
		timeoutMs: Math.max(1, number(set.timeout, REQUEST_DEFAULTS.timeout)) * 1000,
		batch: typeof set.batch === 'boolean' ? set.batch : REQUEST_DEFAULTS.batch,
	};
}

/** The Request Options of the node a call is made for; the trigger and the list pickers have none and get the defaults. */
export function settingsOf(ctx: PortalContext): RequestSettings {
	let options: unknown;
	try {
		options = ctx.getNodeParameter('requestOptions', {});
	} catch {
		options = {};
	}
	return requestSettingsOf(options);
}
