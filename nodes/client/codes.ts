import type { FailedAnswer } from './answer';
import type { Authentication } from './call';
import type { Bitrix24Method } from './methods';

/**
 * The code table: every Bitrix24 error code and network code the package knows, classified once. Each entry
 * says whether the same request may be sent again (read by the retry stage and the pacing), what it means for
 * the user and how to fix it (the error stage), and what the credential's Test button says (connectionTest.ts).
 * Bitrix24 sends codes as strings or numbers depending on the server's age: they are compared as lower-case text.
 */

/** What sending the same request again would meet. */
export type Resend =
	/** The portal's request bucket refused it before it ran: send it when there is a place. */
	| 'bucket'
	/** The method used up its operating-time budget; refused before it ran: send it after the reset. */
	| 'operatingTime'
	/** It never ran (or never left n8n): sending it again is harmless. */
	| 'safe'
	/** The portal or the connection broke and the method may have run: a read again, a write's outcome unknown. */
	| 'broken'
	/** The same answer again. */
	| 'final';

/** What a message may look at: the failure's code and text, and the call it happened to. */
export interface Facts {
	/** The code as Bitrix24 sent it. */
	code: string;
	description: string;
	status?: number;
	/** The method the portal refused when it is not the call's own (`batch`). */
	refused?: string;
	method: Bitrix24Method & { name: string };
	authentication: Authentication;
	/** " 1038" for the payment named in the call, or "" (and the same for the pay system). */
	payment: string;
	/** The call binds offline events (event.bind with event_type=offline). */
	offline: boolean;
	paySystem: string;
}

type Say = string | ((facts: Facts) => string);

/** What a code means for the user. Where one code covers several errors, a condition tells them apart. */
export interface Message {
	/** It says the object the call named does not exist: what settle.ts reads as "deleted". */
	notFound?: true;
	/** Only for codes whose meaning Bitrix24 puts in its text alone: every pattern must match the description. */
	text?: RegExp[];
	when?: (facts: Facts) => boolean;
	problem: Say;
	hint: Say;
}

export interface CodeClass {
	codes: string[];
	resend: Resend;
	/** The OAuth access token expired: send.ts has n8n refresh it and sends the request once more. */
	refreshToken?: true;
	/** No answer within the Timeout: the portal may still be running the request (settle.ts waits it out). */
	timedOut?: true;
	/** The first message that fits is the one the user gets. */
	messages: Message[];
	/** What the webhook credential's Test says; `{host}` is the host tried. */
	test?: string;
}

const SCOPE_LABELS: Record<string, string> = {
	crm: 'CRM',
	sale: 'Online Store (sale)',
	pay_system: 'Payment systems (pay_system)',
	salescenter: 'Sales Center (salescenter)',
};

const who = (facts: Facts) => (facts.authentication === 'webhook' ? 'webhook' : 'app');

const CREDENTIAL_HINTS: Record<Authentication, string> = {
	webhook:
		'Check the webhook URL in the "Bitrix24 Payments Webhook API" credential: the user ID and secret must belong to an active inbound webhook (Bitrix24: Developer resources > Other > Inbound webhook).',
	oAuth2: 'Reconnect the "Bitrix24 Payments OAuth2 API" credential; if that fails, check the app\'s client ID and secret.',
};

export const editPermission = (facts: Facts) =>
	`The Bitrix24 user behind the ${who(facts)} needs the right to edit payments (CRM: Settings > Access permissions; order payments and pay systems: an administrator).`;

const NOT_FOUND = /not (been )?found|does not exist|not exists/i;
const CHECK_PAY_SYSTEM_ID = 'Check the Pay System ID: it must be the ID of an existing pay system (Bitrix24: CRM > Sales > Payment systems).';
const IN_BITRIX24_WORDS: Message = { problem: (f) => f.description || `error ${f.code}`, hint: 'See the Bitrix24 message below.' };
const PORTAL_ADDRESS = 'Check the portal address in the credential and that n8n can reach the portal.';

/** The credential test's texts that more than one entry shares. */
export const COPY_AGAIN = 'Copy the URL again from Bitrix24: Developer resources > Other > Inbound webhook.';
/** How long the credential test waits for the portal's answer. */
export const TEST_TIMEOUT_MS = 10_000;
const TEST = {
	rejected: `Bitrix24 at {host} rejected this webhook: the user ID or secret in the URL is wrong, or the webhook was deleted. ${COPY_AGAIN}`,
	refused: "Bitrix24 at {host} refused REST access to this webhook's user or portal: the REST API needs a commercial plan, and the webhook's user must be active.",
	notRest: `{host} answered, but not as the Bitrix24 REST API: check the portal address and that the URL looks like https://PORTAL/rest/USER_ID/SECRET/. ${COPY_AGAIN}`,
	noAnswer: `{host} did not answer within ${TEST_TIMEOUT_MS / 1000} seconds: check the portal address, and that n8n can reach it (a firewall or proxy may be in the way).`,
};

/** Nothing left n8n: the portal could not be reached. */
const UNREACHED: Message = {
	problem: 'no answer from the portal',
	hint: 'The portal could not be reached, so nothing was sent: check the portal address in the credential and that n8n can reach the portal.',
};
/** The request left but no answer came: for a write, the settle stage says what the user must check. */
const LOST: Message = { problem: 'no answer from the portal', hint: (f) => (f.method.writes ? '' : PORTAL_ADDRESS) };

const NETWORK: CodeClass[] = [
	{
		codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'],
		resend: 'safe',
		messages: [UNREACHED],
		test: `No server named {host} was found: check the portal name in the URL for a typo. ${COPY_AGAIN}`,
	},
	{
		codes: ['ECONNREFUSED'],
		resend: 'safe',
		messages: [UNREACHED],
		test: '{host} refused the connection: nothing answers at that address and port. Check the portal address and port in the URL (a cloud portal needs none), and that n8n can reach it.',
	},
	{ codes: ['EHOSTUNREACH', 'ENETUNREACH'], resend: 'safe', messages: [UNREACHED], test: TEST.noAnswer },
	{ codes: ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT'], resend: 'broken', timedOut: true, messages: [LOST], test: TEST.noAnswer },
	{
		codes: [
			'DEPTH_ZERO_SELF_SIGNED_CERT',
			'SELF_SIGNED_CERT_IN_CHAIN',
			'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
			'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
			'CERT_HAS_EXPIRED',
			'ERR_TLS_CERT_ALTNAME_INVALID',
			'EPROTO',
			'ERR_SSL_WRONG_VERSION_NUMBER',
		],
		resend: 'broken',
		messages: [LOST],
		test: "The secure connection to {host} failed: its certificate is not trusted (self-signed, expired or for another name) or it does not speak HTTPS. A cloud portal's address is https://yourcompany.bitrix24.com; a self-hosted portal needs a valid certificate, or give n8n its CA in NODE_EXTRA_CA_CERTS.",
	},
	{
		codes: ['ECONNRESET', 'EPIPE'],
		resend: 'broken',
		messages: [LOST],
		test: '{host} closed the connection before answering: check the portal address, and that no proxy in between refuses it.',
	},
];

/** Any other network code: the request may have left. */
const CONNECTION_LOST: CodeClass = { codes: [], resend: 'broken', messages: [LOST] };

/** The portal failed (an internal error, or a 5xx that names no code). */
const PORTAL_FAILED: CodeClass = {
	codes: ['internal_server_error', 'error_unexpected_answer'],
	resend: 'broken',
	messages: [
		{
			problem: (f) => `the portal failed with an internal error (${f.status ? `HTTP ${f.status}` : f.code})`,
			// For a write, the settle stage says what the user must check (it may have happened).
			hint: (f) => (f.method.writes ? '' : 'Try again later.'),
		},
	],
};

/** A code no entry names: told in Bitrix24's words. */
const UNKNOWN: CodeClass = { codes: [], resend: 'final', messages: [IN_BITRIX24_WORDS] };

const BITRIX24: CodeClass[] = [
	// Credentials and permissions.
	{
		codes: ['no_auth_found', 'invalid_credentials'],
		resend: 'final',
		messages: [{ problem: 'the portal rejected the credentials', hint: (f) => CREDENTIAL_HINTS[f.authentication] }],
		test: TEST.rejected,
	},
	{
		codes: ['expired_token'],
		resend: 'final',
		refreshToken: true,
		messages: [{ problem: 'the OAuth access token has expired and could not be refreshed', hint: CREDENTIAL_HINTS.oAuth2 }],
	},
	{
		codes: ['invalid_grant'],
		resend: 'final',
		messages: [
			{
				problem: 'the OAuth server refused to refresh the access token',
				hint: 'The refresh token has expired (after 180 days), was revoked, or the app was reinstalled: reconnect the "Bitrix24 Payments OAuth2 API" credential.',
			},
		],
	},
	{
		codes: ['invalid_client'],
		resend: 'final',
		messages: [
			{
				problem: "the OAuth server rejected the app's client ID or secret",
				hint: 'Copy the client ID and client secret of the Bitrix24 app into the "Bitrix24 Payments OAuth2 API" credential again.',
			},
		],
	},
	{ codes: ['invalid_token'], resend: 'final', messages: [{ problem: 'the OAuth access token is not valid', hint: CREDENTIAL_HINTS.oAuth2 }] },
	{
		codes: ['insufficient_scope'],
		resend: 'final',
		messages: [
			{
				problem: (f) => `the ${who(f)} lacks the "${f.method.scope}" permission`,
				hint: (f) =>
					f.authentication === 'webhook'
						? `Edit the inbound webhook in Bitrix24, tick the ${SCOPE_LABELS[f.method.scope]} permission and save; the URL stays the same.`
						: `Add the ${SCOPE_LABELS[f.method.scope]} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
			},
		],
		test: 'The webhook works, but lacks the permissions this node needs: edit it in Bitrix24 (Developer resources > Other > Inbound webhook), tick CRM (crm), Online Store (sale) and Payment systems (pay_system), and save; the URL stays the same.',
	},
	{
		codes: ['access_denied', 'user_access_error', '200040300010', '200040300020'],
		resend: 'final',
		messages: [
			{
				// "REST is available only by subscription." (an inbound webhook) or "... only on commercial plans" (an app).
				text: [/REST is available only/i],
				problem: "the portal's Bitrix24 plan does not include the REST API",
				hint: 'Nothing is wrong with the credential: Bitrix24 answers every REST call this way on plans without REST (the free ones). Switch the portal to a plan that includes the REST API (Bitrix24: Plans and payments), then run the workflow again.',
			},
			{
				when: (f) => f.method.offlineQueue === true || (f.method.name.toLowerCase() === 'event.bind' && f.offline),
				problem: "the app's user is not a Bitrix24 administrator",
				hint: 'Bitrix24 lets only an administrator bind and read offline events: sign in to Bitrix24 as an administrator and click Connect my account in the "Bitrix24 Payments OAuth2 API" credential again, or use the trigger with an inbound webhook (Authentication: Webhook).',
			},
			{
				when: (f) => f.method.managesPaySystems === true,
				problem: 'access denied',
				hint: (f) =>
					`The Bitrix24 user behind the ${who(f)} must be an administrator to work with pay systems.` +
					(f.method.restHandlerOnly
						? ' Also, REST can change only pay systems that run a REST handler (Pay System Handler > Create), not built-in ones such as Cash or Bank transfer.'
						: ''),
			},
			{
				when: (f) => f.method.line !== undefined && f.method.writes,
				problem: 'access denied',
				hint: (f) =>
					`Bitrix24 refuses changes to the products and deliveries of a paid payment, even for an administrator: if the payment is paid, mark it as unpaid first (CRM Payment > Mark as Unpaid). Otherwise: ${editPermission(f)}`,
			},
			{ problem: 'access denied', hint: editPermission },
		],
		test: TEST.refused,
	},
	{
		codes: ['wrong_license'],
		resend: 'final',
		messages: [
			{
				text: [/auth_connector/i],
				problem: "the portal's plan does not offer source keys (auth_connector) for offline events",
				hint: 'The node asks the plan first and then sends no key: if you see this, the plan changed while the workflow was active. Deactivate and activate the workflow again.',
			},
			{
				problem: "the portal's plan does not offer this feature",
				hint: 'Bitrix24 offers it on higher plans only; the trigger then reads the offline queue without reserving (see the README).',
			},
		],
	},

	// What the call named does not exist, or cannot be used.
	{
		codes: ['200640400001'],
		resend: 'final',
		messages: [
			{
				notFound: true,
				problem: (f) => `order payment${f.payment} was not found`,
				hint: 'Check the Payment ID: it must be the ID of an existing order payment (sale.payment.list shows them).',
			},
		],
	},
	{
		// Older modules: one code for every refusal, told apart by the text.
		codes: ['0'],
		resend: 'final',
		messages: [
			{ text: [NOT_FOUND, /payment system|pay ?system/i], notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: CHECK_PAY_SYSTEM_ID },
			{
				text: [NOT_FOUND, /payable item/i],
				notFound: true,
				problem: (f) => `the payment ${f.method.line ?? 'product'} line was not found`,
				hint: (f) =>
					`Check the Payment ${f.method.line === 'delivery' ? 'Delivery' : 'Product'} ID: Get Many of this resource lists the lines of a payment.`,
			},
			{
				text: [NOT_FOUND, /product/i],
				notFound: true,
				problem: 'the product row was not found',
				hint: 'Check the Row ID: it must be a product row of the deal or invoice the payment belongs to.',
			},
			{
				text: [NOT_FOUND, /shipment/i],
				notFound: true,
				problem: 'the delivery (shipment) was not found',
				hint: 'Check the Delivery ID: it must be a shipment of the order the payment belongs to.',
			},
			{
				text: [NOT_FOUND, /payment/i],
				notFound: true,
				problem: (f) => `payment${f.payment} was not found`,
				hint: 'Check the Payment ID: it must be the ID of an existing payment of a deal or invoice.',
			},
			{
				text: [NOT_FOUND],
				notFound: true,
				problem: (f) => f.description,
				hint: 'Check the IDs of this item: Bitrix24 names what it could not find below.',
			},
			{
				// Older portals answer this for a missing payment as well as for a missing right.
				text: [/insufficient permissions/i],
				problem: (f) => `payment${f.payment} was not found or the user may not change it`,
				hint: (f) => `Check the Payment ID. ${editPermission(f)}`,
			},
			{ text: [/required fields/i], problem: 'a required field is missing', hint: 'Fill in the field Bitrix24 names below.' },
			{ problem: (f) => f.description || 'the portal refused the request', hint: 'See the Bitrix24 message below.' },
		],
	},
	{
		codes: ['100'],
		resend: 'final',
		messages: [
			{
				problem: 'a parameter is missing or has the wrong type',
				hint: 'Check the IDs and fields of this item; Bitrix24 names the parameter below.',
			},
		],
	},
	{
		codes: ['error_check_failure'],
		resend: 'final',
		messages: [
			{ text: [/pay system not found/i], notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: CHECK_PAY_SYSTEM_ID },
			{
				text: [/^Payment with ID=/i],
				problem: (f) => `payment${f.payment} does not exist or does not use pay system${f.paySystem}`,
				hint: "A pay system can only pay a payment that already uses it: check both IDs, or change the payment's pay system first (Order Payment > Update).",
			},
			{ problem: 'a required parameter is missing', hint: 'Fill in the Payment ID and the Pay System ID.' },
		],
	},
	{
		codes: ['sale_payment_delete_exist_paid'],
		resend: 'final',
		messages: [
			{
				problem: (f) => `payment${f.payment} is paid`,
				hint: 'Bitrix24 does not delete a paid payment: mark it as unpaid first (CRM Payment > Mark as Unpaid), then delete it.',
			},
		],
	},
	{
		codes: ['sale_payment_wrong_payment_service'],
		resend: 'final',
		messages: [
			{
				problem: (f) => `pay system${f.paySystem} cannot be used for this payment`,
				hint: 'Check the Pay System ID: it must be an existing, active pay system of the portal.',
			},
		],
	},
	{
		codes: ['error_process_request_result'],
		resend: 'final',
		messages: [
			{
				problem: "the pay system's handler failed to process the payment",
				hint: "The pay system refused the payment data: check the values sent (sum, currency, status) and the pay system's settings.",
			},
		],
	},
	{
		codes: ['error_pay_system_not_found'],
		resend: 'final',
		messages: [{ notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: 'Check the Pay System ID.' }],
	},
	{
		codes: ['error_method_not_found'],
		resend: 'final',
		messages: [
			{
				problem: (f) => `the portal does not offer ${f.method.name}`,
				hint: 'The module behind it (CRM, Online Store or Sales Center) is missing or too old on this portal.',
			},
		],
		test: TEST.notRest,
	},

	// Limits: all are refused before the method runs.
	{
		codes: ['query_limit_exceeded'],
		resend: 'bucket',
		messages: [
			{
				problem: "too many requests: the portal's request limit was reached",
				hint: 'The portal refused the request before running it, so nothing changed. Run fewer items at once or try again in a few seconds.',
			},
		],
	},
	{
		codes: ['operation_time_limit'],
		resend: 'operatingTime',
		messages: [
			{
				problem: (f) => `${f.refused ?? f.method.name} used up its time budget on the portal`,
				hint: 'The portal refused the request before running it, so nothing changed. Try again after the reset time below.',
			},
		],
	},
	{
		// Bitrix24 support blocked the portal's REST by hand.
		codes: ['overload_limit'],
		resend: 'final',
		messages: [
			{ problem: 'Bitrix24 has blocked the REST API of this portal', hint: 'This block is set by Bitrix24 support by hand: contact them to lift it.' },
		],
	},
	// The batch's own refusals of its commands: none of them ran (NOT_RUN: the answer has no result for it).
	{ codes: ['not_run', 'error_batch_length_exceeded'], resend: 'safe', messages: [] },
	{
		codes: ['portal_deleted'],
		resend: 'final',
		messages: [{ problem: 'the portal has been deleted', hint: 'Check the portal address in the credential.' }],
		test: TEST.refused,
	},

	// The trigger's subscriptions.
	{
		codes: ['wrong_auth_type'],
		resend: 'final',
		messages: [
			{
				problem: 'Bitrix24 lets only an app (OAuth2) subscribe to events',
				hint: 'Choose OAuth2 under Authentication of the trigger, or set the trigger up as an outgoing webhook in Bitrix24 (Authentication: Outgoing Webhook).',
			},
		],
		test: TEST.rejected,
	},
	{
		codes: ['error_event_not_found'],
		resend: 'final',
		messages: [
			{
				problem: 'the portal does not offer the payment events to this app',
				hint: `Add the ${SCOPE_LABELS.sale} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
			},
		],
	},
	{
		codes: ['error_wrong_handler_url', 'error_unsupported_protocol'],
		resend: 'final',
		messages: [
			{
				problem: "the portal refused the trigger's address",
				hint: "Bitrix24 calls the trigger at n8n's webhook URL: set n8n's WEBHOOK_URL to an address the portal can reach (https and a public host name), then activate the workflow again.",
			},
		],
	},
	{
		codes: ['invalid_request'],
		resend: 'final',
		messages: [{ text: [/https/i], problem: 'the portal requires HTTPS', hint: "Use https:// in the credential's URL." }],
	},
	PORTAL_FAILED,
];

const BY_CODE = new Map<string, CodeClass>();
for (const entry of [...NETWORK, ...BITRIX24]) {
	for (const code of entry.codes) {
		// Classified once: a second entry for a code would be a second meaning.
		if (BY_CODE.has(code.toLowerCase())) throw new Error(`The code table names ${code} twice`);
		BY_CODE.set(code.toLowerCase(), entry);
	}
}

/** The entry of a code (a Bitrix24 code or a network code), if the table names it. */
export function classOfCode(code: string): CodeClass | undefined {
	return BY_CODE.get(code.toLowerCase());
}

/** The entry of a failure: by its code; a 5xx or an empty body naming none is the portal failing. */
export function classOf(failure: FailedAnswer): CodeClass {
	if (failure.network !== undefined) return classOfCode(failure.network) ?? CONNECTION_LOST;
	const known = failure.code ? classOfCode(failure.code) : undefined;
	if (known) return known;
	if ((failure.status ?? 0) >= 500 || failure.notJson === 'an empty body') return PORTAL_FAILED;
	return UNKNOWN;
}

/** What sending it again would meet. A 5xx is the portal failing, whatever the code: the method may have run. */
export function resendOf(failure: FailedAnswer): Resend {
	const { resend } = classOf(failure);
	return resend === 'final' && (failure.status ?? 0) >= 500 ? 'broken' : resend;
}

/** The first message of the failure's entry that fits it; Bitrix24's own words when none does. */
export function messageOf(failure: FailedAnswer, facts: Facts): Message {
	const fits = (message: Message) =>
		(message.text ?? []).every((pattern) => pattern.test(failure.description)) && (message.when?.(facts) ?? true);
	return classOf(failure).messages.find(fits) ?? IN_BITRIX24_WORDS;
}

export function say(text: Say, facts: Facts): string {
	return typeof text === 'function' ? text(facts) : text;
}
