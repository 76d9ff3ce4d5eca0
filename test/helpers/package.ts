/**
 * The built package (dist/), loaded as n8n loads it: what a user installs is what the tests judge. The one place
 * the tests reach into dist/; `npm test` builds it first.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the built files are loaded as n8n loads them */
import type { ICredentialType, INodeType } from 'n8n-workflow';

const DIST = '../../dist';

/** A module of the built package by its path under dist/ (`nodes/client/errors`). */
export function builtModule<T = Record<string, unknown>>(path: string): T {
	return require(`${DIST}/${path}.js`) as T;
}

/**
 * A fresh copy of a built module and all it imports (the registry of what the process keeps included): what a
 * restarted n8n process has in memory.
 */
export function freshModule<T = Record<string, unknown>>(path: string): T {
	if (typeof jest !== 'undefined') {
		let loaded: T | undefined;
		jest.isolateModules(() => {
			loaded = builtModule<T>(path);
		});
		return loaded!;
	}
	// Outside jest (npm run bench) the same by hand: load dist/ anew, then put back the copy everyone else uses.
	const file = require.resolve(`${DIST}/${path}.js`);
	const root = file.slice(0, file.length - `${path}.js`.length);
	const ofDist = () => Object.keys(require.cache).filter((key) => key.startsWith(root));
	const kept = ofDist().map((key) => [key, require.cache[key]] as const);
	for (const [key] of kept) delete require.cache[key];
	const loaded = builtModule<T>(path);
	for (const key of ofDist()) delete require.cache[key];
	for (const [key, module] of kept) require.cache[key] = module;
	return loaded;
}

type Constructor<T> = new () => T;

const node = builtModule<{ Bitrix24Payments: Constructor<INodeType> }>('nodes/Bitrix24Payments/Bitrix24Payments.node');
const trigger = builtModule<{ Bitrix24PaymentsTrigger: Constructor<INodeType> }>('nodes/Bitrix24PaymentsTrigger/Bitrix24PaymentsTrigger.node');
const POLLING_TRIGGER = 'nodes/Bitrix24PaymentsPollingTrigger/Bitrix24PaymentsPollingTrigger.node';
const pollingTrigger = builtModule<{ Bitrix24PaymentsPollingTrigger: Constructor<INodeType> }>(POLLING_TRIGGER);
const PAY_SYSTEM_TRIGGER = 'nodes/Bitrix24PaySystemTrigger/Bitrix24PaySystemTrigger.node';
const paySystemTrigger = builtModule<{ Bitrix24PaySystemTrigger: Constructor<INodeType> }>(PAY_SYSTEM_TRIGGER);
const webhookApi = builtModule<{ Bitrix24PaymentsWebhookApi: Constructor<ICredentialType> }>('credentials/Bitrix24PaymentsWebhookApi.credentials');
const oauth2Api = builtModule<{ Bitrix24PaymentsOAuth2Api: Constructor<ICredentialType> }>('credentials/Bitrix24PaymentsOAuth2Api.credentials');

export const nodeType: INodeType = new node.Bitrix24Payments();
export const triggerType: INodeType = new trigger.Bitrix24PaymentsTrigger();
export const pollingTriggerType: INodeType = new pollingTrigger.Bitrix24PaymentsPollingTrigger();
export const paySystemTriggerType: INodeType = new paySystemTrigger.Bitrix24PaySystemTrigger();
export const webhookCredentialType: ICredentialType = new webhookApi.Bitrix24PaymentsWebhookApi();
export const oauthCredentialType: ICredentialType = new oauth2Api.Bitrix24PaymentsOAuth2Api();
export const credentialTypes: ICredentialType[] = [webhookCredentialType, oauthCredentialType];

/** Bitrix24 Payments as another n8n process has it: its own copy of the portal's bucket and of everything else. */
export function freshNodeType(): INodeType {
	return new (freshModule<{ Bitrix24Payments: Constructor<INodeType> }>('nodes/Bitrix24Payments/Bitrix24Payments.node').Bitrix24Payments)();
}

/** The trigger as a restarted n8n process has it: nothing kept in memory from before. */
export function freshTriggerType(): INodeType {
	const fresh = freshModule<{ Bitrix24PaymentsTrigger: Constructor<INodeType> }>('nodes/Bitrix24PaymentsTrigger/Bitrix24PaymentsTrigger.node');
	return new fresh.Bitrix24PaymentsTrigger();
}

/** The pay system trigger as a restarted n8n process has it. */
export function freshPaySystemTriggerType(): INodeType {
	return new (freshModule<{ Bitrix24PaySystemTrigger: Constructor<INodeType> }>(PAY_SYSTEM_TRIGGER).Bitrix24PaySystemTrigger)();
}

/** The polling trigger as a restarted n8n process has it. */
export function freshPollingTriggerType(): INodeType {
	return new (freshModule<{ Bitrix24PaymentsPollingTrigger: Constructor<INodeType> }>(POLLING_TRIGGER).Bitrix24PaymentsPollingTrigger)();
}

/** Forgets what the loaded package keeps in this process (buckets, batches, the trigger's memory): a fresh start. */
export function resetProcessState(): void {
	builtModule<{ resetRegistry(): void }>('nodes/client/registry').resetRegistry();
	builtModule<{ resetTriggerMemory(): void }>('nodes/paymentEvents/memory').resetTriggerMemory();
}
