// Switches for behaviour that differs between real Bitrix24 builds.

import type { CodeStyle } from './errors';
import { STANDARD_BUCKET, type BucketSettings, type OperatingSettings } from './limits';
import type { Plan } from './plan';

export interface EmulatorOptions {
	/** Numeric error codes as JSON strings (newer servers, default) or numbers (as the docs show). */
	codeStyle?: CodeStyle;
	/** crm.item.payment.* answer for an unknown id (older portals: 'Insufficient permissions'). */
	crmNotFoundMessage?: string;
	/**
	 * The CRM module's payment controllers: 'current' (default: every failure is an error) or 'legacy', as crm
	 * Controller\Item\Payment and its product and delivery controllers were in 24.0.x (commit 6b61e378 of the
	 * public mirror): they return false for a payment or line they cannot find or the user may not change, which
	 * REST sends as HTTP 200 `{"result": false}` (RestManager::processMethodRequest reads errors only of a null
	 * result); a line's add returns null, `{"result": null}`; get says "Insufficient permissions." (code 0).
	 */
	crmPaymentController?: 'current' | 'legacy';
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
	 * What the plan allows (plan.ts): 'cloudExtended' (default: offline records reserved until cleared, and source
	 * keys), 'cloudBasic' (neither: clear=0 and any auth_connector answer 403 WRONG_LICENSE), 'selfHosted' (both, while
	 * feature.get answers 'en_selfhosted').
	 */
	plan?: Plan;
	/**
	 * Whether the plan includes REST at all (default true). Without it every call is refused before the method runs:
	 * 401 ACCESS_DENIED, "REST is available only by subscription." for an inbound webhook of a cloud portal and "REST is
	 * available only on commercial plans" for an app (b24restdocs _includes/system-errors.md); on a self-hosted portal
	 * only webhooks are checked (rest APAuth\Auth::onRestCheckAuth: "REST is available only on commercial plans.").
	 */
	restAvailable?: boolean;
	/**
	 * The buyer's checkout (`emu.buyer.pay`, checkout.ts): milliseconds the portal's HttpClient waits to connect to a
	 * REST handler's CHECKOUT_DATA.ACTION_URI (default 30000, HttpClient::DEFAULT_SOCKET_TIMEOUT = 30 s).
	 */
	checkoutConnectTimeoutMs?: number;
	/**
	 * Milliseconds without any data from the handler before the checkout's HttpClient gives up (default 60000,
	 * HttpClient::DEFAULT_STREAM_TIMEOUT = 60 s): "Stream timeout has been reached.".
	 */
	checkoutReadTimeoutMs?: number;
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
	crmPaymentController: 'current',
	paySystemListTyped: false,
	timeZone: '+03:00',
	bucket: STANDARD_BUCKET,
	operating: { limit: 480, window: 600 },
	methodCost: {},
	eventDelayMs: 0,
	automationEvents: false,
	eventRefreshToken: false,
	plan: 'cloudExtended',
	restAvailable: true,
	checkoutConnectTimeoutMs: 30_000,
	checkoutReadTimeoutMs: 60_000,
};
