import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { RatePlan } from '../../credentials/fields';

/**
 * What a call is: the one typed object that carries everything about one Bitrix24 method call through the
 * stages of request.ts, which also makes it (newCall); and followingCall, a call made from another.
 */

/**
 * The n8n functions a call is made with: an item's own (routing engine), the editor's (list pickers), the
 * trigger's (subscribing on activation, reading the payment of an event) or the polling trigger's (a look).
 */
export type PortalContext = IExecuteSingleFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions | IPollFunctions;

export type Authentication = 'webhook' | 'oAuth2';

/** Where and how a call reaches the portal, read from the credential. */
export interface Connection {
	authentication: Authentication;
	credentialType: 'bitrix24PaymentsWebhookApi' | 'bitrix24PaymentsOAuth2Api';
	/** Where method names are appended: the webhook URL, or the OAuth token's `client_endpoint`. */
	restUrl: string;
	/** Strings that must never reach an output, error or log: the webhook secret, tokens, the client secret. */
	secrets: string[];
	/** The portal's host: one request bucket per portal. */
	portal: string;
	/** Undefined when the portal has no bucket (self-hosted, Rate Limit "None"). */
	plan?: RatePlan;
}

/** How hard a call tries (Request Options of the action node; the defaults elsewhere). */
export interface RequestSettings {
	maxRetries: number;
	maxWaitMs: number;
	timeoutMs: number;
	batch: boolean;
}

/**
 * How to learn what a write did when its answer was lost (settle.ts): the read that shows it and what the write
 * leaves there; or, where Bitrix24 offers no such read (a create has no key to find it by), what the user should
 * look for in Bitrix24.
 */
export type Settle = SettleRead | { lookFor: string };

export interface SettleRead {
	method: string;
	params: IDataObject;
	/** Where the object is in the read's result: under a key (`payment`), or the row of a list whose `idKey` is `id`. */
	find?: { key: string } | { idKey: string; id: unknown };
	/** What the write leaves: the object gone, or these values (the fields it sent, as the read names them). */
	expect: 'gone' | IDataObject;
	/** What the write answers when it was applied: `true`, or what the read gives (sale.payment.update answers the payment). */
	answer: 'true' | 'read';
	/** How the user would name it: "payment 1038". */
	what: string;
}

/** One Bitrix24 method call for one item: everything the stages need, in one object. */
export interface Call {
	method: string;
	/** The request body, ids included. */
	params: IDataObject;
	/** The validated ids it acts on, by their n8n parameter names: they name the payment in outputs and errors. */
	ids: IDataObject;
	itemIndex: number;
	connection: Connection;
	settings: RequestSettings;
	/** The n8n functions it is sent with and its error is built for. */
	context: PortalContext;
	/** Calls with the same key (one node run) may share a batch request; none: sent alone. */
	batchKey?: string;
	/** Requests sent for it so far and the time spent waiting between them: what Max Retries and Max Wait bound. */
	sent: number;
	/** Of those, the ones the portal's bucket refused (before running them): they do not count against Max Retries. */
	refused: number;
	waitedMs: number;
	startedAt: number;
	/** When the last request for it left (after its wait in the bucket): a timed-out write may run until 60 s after. */
	lastSentAt?: number;
	/** For a write: how to find out what it did if its answer is lost (made only then). */
	settle?: () => Settle;
}

/**
 * Another call on behalf of the same item (re-reading what it changed, the next page, reading back a lost write): same
 * connection, settings and ids; its own counters.
 */
export function followingCall(call: Call, method: string, params: IDataObject): Call {
	return { ...call, method, params, sent: 0, refused: 0, waitedMs: 0, startedAt: Date.now(), lastSentAt: undefined, settle: undefined };
}
