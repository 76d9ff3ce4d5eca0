// Switches for behaviour that differs between real Bitrix24 builds.

import type { CodeStyle } from './errors';
import { STANDARD_BUCKET, type BucketSettings, type OperatingSettings } from './limits';

export interface EmulatorOptions {
	/** Numeric error codes as JSON strings (newer servers, default) or numbers (as the docs show). */
	codeStyle?: CodeStyle;
	/** crm.item.payment.* answer for an unknown id (older portals: 'Insufficient permissions'). */
	crmNotFoundMessage?: string;
	/** crm.item.payment.* ACCESS_DENIED status: docs say 400, newer builds 403. */
	crmAccessDeniedStatus?: 400 | 403;
	/**
	 * sale.paysystem.list values: false (default) gives every column as fetched, strings (ID "3");
	 * true gives ID, PERSON_TYPE_ID and SORT as integers, moved after the string columns, as the docs' example shows.
	 */
	paySystemListTyped?: boolean;
	/** Portal offset, like '+03:00'. */
	timeZone?: string;
	/** The portal's request bucket; default Standard (2/s, 50); null: no limit (a self-hosted portal). */
	bucket?: BucketSettings | null;
	/** Operating-time limit per app/webhook and method; default 480 s per 600 s. */
	operating?: OperatingSettings;
	/** Extra seconds of portal time each call of a method costs, by lower-case method name (to reach the limit). */
	methodCost?: Record<string, number>;
	/** Milliseconds the portal's event queue waits before it posts each event to a handler (default 0). */
	eventDelayMs?: number;
	/**
	 * Events are caused by an automation rule, workflow or agent, not a user (default false): an app's handler
	 * bound without auth_type then gets no OAuth tokens, only domain, endpoints, member_id and application_token.
	 */
	automationEvents?: boolean;
	/**
	 * Send auth[refresh_token] with app events (default false). The portal's rest Sender drops it unless the event
	 * is declared with sendRefreshToken (OnAppInstall, onOfflineEvent); the payment events are not, although the
	 * docs' examples of their payload show one.
	 */
	eventRefreshToken?: boolean;
	/**
	 * The portal has extended offline events handling (feature `rest_offline_extended`, default true): without it
	 * event.offline.get with clear=0 answers 403 WRONG_LICENSE and feature.get says 'N' (lower plans).
	 */
	offlineExtended?: boolean;
	/** Listen port; 0 (default) picks a free one. */
	port?: number;
	/** Listen address: '127.0.0.1' (default), or e.g. '0.0.0.0' for every interface (an n8n in Docker). */
	host?: string;
	/**
	 * The base URL the portal gives out (webhook URLs, token endpoint, client_endpoint, events' auth[domain]),
	 * e.g. 'http://host.docker.internal:8624'. Default: `http://<host>:<port>`; listening on every interface,
	 * this machine's first non-internal IPv4 address (127.0.0.1 if it has none).
	 */
	url?: string;
}

/** Options fixed when the server starts; the rest can change at run time (`emu.options`). */
export type ListenOptions = Pick<EmulatorOptions, 'port' | 'host' | 'url'>;
export type RuntimeOptions = Required<Omit<EmulatorOptions, keyof ListenOptions>>;

export const DEFAULT_OPTIONS: RuntimeOptions = {
	codeStyle: 'string',
	crmNotFoundMessage: 'Payment has not been found',
	crmAccessDeniedStatus: 403,
	paySystemListTyped: false,
	timeZone: '+03:00',
	bucket: STANDARD_BUCKET,
	operating: { limit: 480, window: 600 },
	methodCost: {},
	eventDelayMs: 0,
	automationEvents: false,
	eventRefreshToken: false,
	offlineExtended: true,
};
