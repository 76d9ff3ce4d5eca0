import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BlockedByN8n, FailedAnswer } from './answer';
import { neverSent } from './answer';
import type { Authentication, Call } from './call';
import type { Bitrix24Method } from './methods';
import { methodOf } from './methods';

/**
 * The error table: what a failed call means for the user, and how to fix it. Each row names Bitrix24 codes
 * (strings or numbers depending on the server's age: compared as lower-case text) and, where one code covers
 * several errors, a condition on the call's typed facts. Rows with `text` are the exceptions: Bitrix24 gives the
 * same code for different errors and tells them apart only in its `error_description`, so those rows read it.
 * The first row that fits wins.
 */

/** What a row may look at: the failure's code and text, and the call it happened to. */
interface Facts {
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

interface ErrorRow {
	codes: string[];
	/** It says the object the call named does not exist: what settle.ts reads as "deleted". */
	notFound?: true;
	/** Only for codes whose meaning Bitrix24 puts in its text alone: every pattern must match the description. */
	text?: RegExp[];
	when?: (facts: Facts) => boolean;
	problem: Say;
	hint: Say;
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

const editPermission = (facts: Facts) =>
	`The Bitrix24 user behind the ${who(facts)} needs the right to edit payments (CRM: Settings > Access permissions; order payments and pay systems: an administrator).`;

const ACCESS = ['access_denied', 'user_access_error', '200040300010', '200040300020'];
const NOT_FOUND = /not (been )?found|does not exist|not exists/i;
const CHECK_PAY_SYSTEM_ID = 'Check the Pay System ID: it must be the ID of an existing pay system (Bitrix24: CRM > Sales > Payment systems).';

const ERROR_TABLE: ErrorRow[] = [
	// Credentials and permissions.
	{ codes: ['no_auth_found', 'invalid_credentials'], problem: 'the portal rejected the credentials', hint: (f) => CREDENTIAL_HINTS[f.authentication] },
	{ codes: ['expired_token'], problem: 'the OAuth access token has expired and could not be refreshed', hint: CREDENTIAL_HINTS.oAuth2 },
	{
		codes: ['invalid_grant'],
		problem: 'the OAuth server refused to refresh the access token',
		hint: 'The refresh token has expired (after 180 days), was revoked, or the app was reinstalled: reconnect the "Bitrix24 Payments OAuth2 API" credential.',
	},
	{
		codes: ['invalid_client'],
		problem: "the OAuth server rejected the app's client ID or secret",
		hint: 'Copy the client ID and client secret of the Bitrix24 app into the "Bitrix24 Payments OAuth2 API" credential again.',
	},
	{ codes: ['invalid_token'], problem: 'the OAuth access token is not valid', hint: CREDENTIAL_HINTS.oAuth2 },
	{
		codes: ['insufficient_scope'],
		problem: (f) => `the ${who(f)} lacks the "${f.method.scope}" permission`,
		hint: (f) =>
			f.authentication === 'webhook'
				? `Edit the inbound webhook in Bitrix24, tick the ${SCOPE_LABELS[f.method.scope]} permission and save; the URL stays the same.`
				: `Add the ${SCOPE_LABELS[f.method.scope]} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
	},
	{
		// "REST is available only by subscription." (an inbound webhook) or "... only on commercial plans" (an app).
		codes: ACCESS,
		text: [/REST is available only/i],
		problem: "the portal's Bitrix24 plan does not include the REST API",
		hint: "Nothing is wrong with the credential: Bitrix24 answers every REST call this way on plans without REST (the free ones). Switch the portal to a plan that includes the REST API (Bitrix24: Plans and payments), then run the workflow again.",
	},
	{
		codes: ACCESS,
		when: (f) => f.method.offlineQueue === true || (f.method.name.toLowerCase() === 'event.bind' && f.offline),
		problem: "the app's user is not a Bitrix24 administrator",
		hint: 'Bitrix24 lets only an administrator bind and read offline events: sign in to Bitrix24 as an administrator and click Connect my account in the "Bitrix24 Payments OAuth2 API" credential again, or use the trigger with an inbound webhook (Authentication: Webhook).',
	},
	{
		codes: ['wrong_license'],
		text: [/auth_connector/i],
		problem: "the portal's plan does not offer source keys (auth_connector) for offline events",
		hint: 'The node asks the plan first and then sends no key: if you see this, the plan changed while the workflow was active. Deactivate and activate the workflow again.',
	},
	{
		codes: ['wrong_license'],
		problem: "the portal's plan does not offer this feature",
		hint: 'Bitrix24 offers it on higher plans only; the trigger then reads the offline queue without reserving (see the README).',
	},
	{
		codes: ACCESS,
		when: (f) => f.method.managesPaySystems === true,
		problem: 'access denied',
		hint: (f) =>
			`The Bitrix24 user behind the ${who(f)} must be an administrator to work with pay systems.` +
			(f.method.restHandlerOnly
				? ' Also, REST can change only pay systems that run a REST handler (Pay System Handler > Create), not built-in ones such as Cash or Bank transfer.'
				: ''),
	},
	{
		codes: ACCESS,
		when: (f) => f.method.line !== undefined && f.method.writes,
		problem: 'access denied',
		hint: (f) =>
			`Bitrix24 refuses changes to the products and deliveries of a paid payment, even for an administrator: if the payment is paid, mark it as unpaid first (CRM Payment > Mark as Unpaid). Otherwise: ${editPermission(f)}`,
	},
	{ codes: ACCESS, problem: 'access denied', hint: editPermission },

	// What the call named does not exist, or cannot be used.
	{
		codes: ['200640400001'],
		notFound: true,
		problem: (f) => `order payment${f.payment} was not found`,
		hint: 'Check the Payment ID: it must be the ID of an existing order payment (sale.payment.list shows them).',
	},
	{ codes: ['0'], text: [NOT_FOUND, /payment system|pay ?system/i], notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: CHECK_PAY_SYSTEM_ID },
	{
		codes: ['0'],
		text: [NOT_FOUND, /payable item/i],
		notFound: true,
		problem: (f) => `the payment ${f.method.line ?? 'product'} line was not found`,
		hint: (f) =>
			`Check the Payment ${f.method.line === 'delivery' ? 'Delivery' : 'Product'} ID: Get Many of this resource lists the lines of a payment.`,
	},
	{
		codes: ['0'],
		text: [NOT_FOUND, /product/i],
		notFound: true,
		problem: 'the product row was not found',
		hint: 'Check the Row ID: it must be a product row of the deal or invoice the payment belongs to.',
	},
	{
		codes: ['0'],
		text: [NOT_FOUND, /shipment/i],
		notFound: true,
		problem: 'the delivery (shipment) was not found',
		hint: 'Check the Delivery ID: it must be a shipment of the order the payment belongs to.',
	},
	{
		codes: ['0'],
		text: [NOT_FOUND, /payment/i],
		notFound: true,
		problem: (f) => `payment${f.payment} was not found`,
		hint: 'Check the Payment ID: it must be the ID of an existing payment of a deal or invoice.',
	},
	{
		codes: ['0'],
		text: [NOT_FOUND],
		notFound: true,
		problem: (f) => f.description,
		hint: 'Check the IDs of this item: Bitrix24 names what it could not find below.',
	},
	{
		// Older portals answer this for a missing payment as well as for a missing right.
		codes: ['0'],
		text: [/insufficient permissions/i],
		problem: (f) => `payment${f.payment} was not found or the user may not change it`,
		hint: (f) => `Check the Payment ID. ${editPermission(f)}`,
	},
	{ codes: ['0'], text: [/required fields/i], problem: 'a required field is missing', hint: 'Fill in the field Bitrix24 names below.' },
	{
		codes: ['0'],
		problem: (f) => f.description || 'the portal refused the request',
		hint: 'See the Bitrix24 message below.',
	},
	{
		codes: ['100'],
		problem: 'a parameter is missing or has the wrong type',
		hint: 'Check the IDs and fields of this item; Bitrix24 names the parameter below.',
	},
	{ codes: ['error_check_failure'], text: [/pay system not found/i], notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: CHECK_PAY_SYSTEM_ID },
	{
		codes: ['error_check_failure'],
		text: [/^Payment with ID=/i],
		problem: (f) => `payment${f.payment} does not exist or does not use pay system${f.paySystem}`,
		hint: "A pay system can only pay a payment that already uses it: check both IDs, or change the payment's pay system first (Order Payment > Update).",
	},
	{ codes: ['error_check_failure'], problem: 'a required parameter is missing', hint: 'Fill in the Payment ID and the Pay System ID.' },
	{
		codes: ['sale_payment_delete_exist_paid'],
		problem: (f) => `payment${f.payment} is paid`,
		hint: 'Bitrix24 does not delete a paid payment: mark it as unpaid first (CRM Payment > Mark as Unpaid), then delete it.',
	},
	{
		codes: ['sale_payment_wrong_payment_service'],
		problem: (f) => `pay system${f.paySystem} cannot be used for this payment`,
		hint: 'Check the Pay System ID: it must be an existing, active pay system of the portal.',
	},
	{
		codes: ['error_process_request_result'],
		problem: "the pay system's handler failed to process the payment",
		hint: "The pay system refused the payment data: check the values sent (sum, currency, status) and the pay system's settings.",
	},
	{ codes: ['error_pay_system_not_found'], notFound: true, problem: (f) => `pay system${f.paySystem} was not found`, hint: 'Check the Pay System ID.' },
	{
		codes: ['error_method_not_found'],
		problem: (f) => `the portal does not offer ${f.method.name}`,
		hint: 'The module behind it (CRM, Online Store or Sales Center) is missing or too old on this portal.',
	},

	// Limits: both are refused before the method runs.
	{
		codes: ['query_limit_exceeded'],
		problem: "too many requests: the portal's request limit was reached",
		hint: 'The portal refused the request before running it, so nothing changed. Run fewer items at once or try again in a few seconds.',
	},
	{
		codes: ['operation_time_limit'],
		problem: (f) => `${f.refused ?? f.method.name} used up its time budget on the portal`,
		hint: 'The portal refused the request before running it, so nothing changed. Try again after the reset time below.',
	},
	{
		codes: ['overload_limit'],
		problem: 'Bitrix24 has blocked the REST API of this portal',
		hint: 'This block is set by Bitrix24 support by hand: contact them to lift it.',
	},
	{ codes: ['portal_deleted'], problem: 'the portal has been deleted', hint: 'Check the portal address in the credential.' },

	// The trigger's subscriptions.
	{
		codes: ['wrong_auth_type'],
		problem: 'Bitrix24 lets only an app (OAuth2) subscribe to events',
		hint: 'Choose OAuth2 under Authentication of the trigger, or set the trigger up as an outgoing webhook in Bitrix24 (Authentication: Outgoing Webhook).',
	},
	{
		codes: ['error_event_not_found'],
		problem: 'the portal does not offer the payment events to this app',
		hint: `Add the ${SCOPE_LABELS.sale} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
	},
	{
		codes: ['error_wrong_handler_url', 'error_unsupported_protocol'],
		problem: "the portal refused the trigger's address",
		hint: "Bitrix24 calls the trigger at n8n's webhook URL: set n8n's WEBHOOK_URL to an address the portal can reach (https and a public host name), then activate the workflow again.",
	},
	{ codes: ['invalid_request'], text: [/https/i], problem: 'the portal requires HTTPS', hint: "Use https:// in the credential's URL." },

	// The portal failed: for a write, the retry stage says what the user must check (it may have happened).
	{
		codes: ['internal_server_error', 'error_unexpected_answer'],
		problem: (f) => `the portal failed with an internal error (${f.status ? `HTTP ${f.status}` : f.code})`,
		hint: (f) => (f.method.writes ? '' : 'Try again later.'),
	},
];

/** What no row names: a 5xx is the portal failing, anything else is told in Bitrix24's words. */
function fallback(answer: FailedAnswer, facts: Facts): { problem: string; hint: string } {
	if ((answer.status ?? 0) >= 500) {
		return { problem: `the portal failed with an internal error (HTTP ${answer.status})`, hint: facts.method.writes ? '' : 'Try again later.' };
	}
	return { problem: answer.description || `error ${answer.code}`, hint: 'See the Bitrix24 message below.' };
}

function say(text: Say, facts: Facts): string {
	return typeof text === 'function' ? text(facts) : text;
}

/** The first row that fits a Bitrix24 error. */
function rowOf(answer: FailedAnswer, facts: Facts): ErrorRow | undefined {
	const code = answer.code.toLowerCase();
	return ERROR_TABLE.find(
		(candidate) =>
			candidate.codes.includes(code) &&
			(candidate.text ?? []).every((pattern) => pattern.test(answer.description)) &&
			(candidate.when?.(facts) ?? true),
	);
}

function diagnose(answer: FailedAnswer, facts: Facts): { problem: string; hint: string } {
	const row = rowOf(answer, facts);
	if (!row) return fallback(answer, facts);
	return { problem: say(row.problem, facts), hint: say(row.hint, facts) };
}

/**
 * Failures that are no Bitrix24 error: the answer was not Bitrix24's, the portal moved, none came, or n8n
 * refused to send the request. `said` is what came back, for the description.
 */
function withoutBitrix24Error(answer: FailedAnswer, facts: Facts): { problem: string; hint: string; said: string } | undefined {
	if (answer.blockedByN8n) return blockedByN8n(answer.blockedByN8n);
	if (answer.network !== undefined) {
		// The network code goes in the description: n8n replaces a message that contains one with its own text.
		const hint = neverSent(answer.network)
			? 'The portal could not be reached, so nothing was sent: check the portal address in the credential and that n8n can reach the portal.'
			: facts.method.writes
				? ''
				: 'Check the portal address in the credential and that n8n can reach the portal.';
		return { problem: 'no answer from the portal', hint, said: `The request failed: ${answer.network}.` };
	}
	if (answer.resultWithoutError !== undefined) {
		const said = `Bitrix24 answered HTTP 200 with the result ${String(answer.resultWithoutError)} and no error.`;
		const crm = facts.method.name.toLowerCase().startsWith('crm.item.payment.');
		const what = facts.method.line ? `the payment ${facts.method.line} line` : `payment${facts.payment}`;
		return crm
			? {
					problem: `${what} was not found or the user may not change it; nothing was changed`,
					hint: `This portal's CRM answers ${String(answer.resultWithoutError)} instead of saying why (older CRM versions do, when the ${facts.method.line ? 'line or its payment' : 'payment'} does not exist or the user lacks the right). Check the ID. ${editPermission(facts)}`,
					said,
				}
			: {
					problem: `the portal answered ${String(answer.resultWithoutError)}: nothing was changed`,
					hint: "Bitrix24 gave no reason: check the IDs of this item and the rights of the credential's user in Bitrix24.",
					said,
				};
	}
	const said = `Bitrix24 answered HTTP ${answer.status}.`;
	if (answer.notJson !== undefined) {
		return {
			problem: `the portal answered with ${answer.notJson} instead of Bitrix24 REST JSON (HTTP ${answer.status})`,
			hint: "Check that the URL in the credential points to the portal's REST endpoint (https://PORTAL/rest/...); a proxy, a login page or a maintenance page may be in the way.",
			said,
		};
	}
	if (answer.location !== undefined) {
		return {
			problem: `the portal has moved (HTTP ${answer.status} to ${answer.location})`,
			hint: 'Update the portal address in the credential to the new one.',
			said,
		};
	}
	return undefined;
}

/** n8n's own refusal: Bitrix24 never saw the request, and the fix is in n8n's environment. */
function blockedByN8n(blocked: BlockedByN8n): { problem: string; hint: string; said: string } {
	const { hostname, ip, rule } = blocked;
	const target = [hostname, ip && hostname ? `(${ip})` : ip].filter(Boolean).join(' ') || 'the portal';
	if (rule === 'hostname') {
		return {
			problem: "n8n blocked this request before sending it; allow the portal's address by removing it from N8N_SSRF_BLOCKED_HOSTNAMES",
			hint: `${target} is on the host names n8n's SSRF protection blocks, so nothing was sent to Bitrix24 and nothing changed. Remove it from N8N_SSRF_BLOCKED_HOSTNAMES in n8n's environment and restart n8n.`,
			said: '',
		};
	}
	const settings = [hostname && `N8N_SSRF_ALLOWED_HOSTNAMES=${hostname}`, ip && `N8N_SSRF_ALLOWED_IP_RANGES=${ip}${ip.includes(':') ? '/128' : '/32'}`];
	return {
		problem: "n8n blocked this request before sending it; allow the portal's address with N8N_SSRF_ALLOWED_HOSTNAMES or N8N_SSRF_ALLOWED_IP_RANGES",
		hint: `n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) does not let requests go to ${target}, a private or restricted address, so nothing was sent to Bitrix24 and nothing changed. If this is your portal, set ${settings.filter(Boolean).join(' or ') || 'N8N_SSRF_ALLOWED_HOSTNAMES to its host name'} in n8n's environment and restart n8n.`,
		said: '',
	};
}

/**
 * Every error the package raises for a Bitrix24 call, named as its parent so that n8n shows it as the API error it is.
 */
export class Bitrix24ApiError extends NodeApiError {
	override name = 'NodeApiError';
}

function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) result = result.split(secret).join('***');
	}
	return result;
}

/** What an error needs of a call (tests pass these alone). */
export type FailedCall = Pick<Call, 'method' | 'ids' | 'itemIndex'> &
	Partial<Pick<Call, 'params'>> & { connection: Pick<Call['connection'], 'authentication' | 'secrets'> };

function idText(ids: IDataObject, key: string): string {
	return ids[key] !== undefined ? ` ${String(ids[key])}` : '';
}

/**
 * Turns a failed call into an error that says what failed and how to fix it; `note` is what the retry or settle
 * stage adds (how long it tried; what reading back showed), `outcome` what became of a write whose answer was lost.
 */
function factsOf(answer: FailedAnswer, call: FailedCall): Facts {
	return {
		code: answer.code,
		description: answer.description,
		status: answer.status,
		refused: answer.refused,
		method: methodOf(call.method),
		authentication: call.connection.authentication,
		payment: idText(call.ids, 'paymentId'),
		paySystem: idText(call.ids, 'paySystemId'),
		offline: String(call.params?.event_type ?? '').toLowerCase() === 'offline',
	};
}

/** Whether a failed read says that what it named does not exist (settle.ts: a delete that was applied). */
export function isNotFound(answer: FailedAnswer, call: FailedCall): boolean {
	return rowOf(answer, factsOf(answer, call))?.notFound === true;
}

/**
 * What became of a write whose answer was lost (settle.ts), said in the message itself so that Continue On Fail
 * items, error workflows and the execution list carry it.
 */
export type Outcome = 'notApplied' | 'unknown';

function outcomeText(outcome: Outcome | undefined, facts: Facts): string {
	if (outcome === 'notApplied') return '; reading it back shows the change was not applied';
	if (outcome === 'unknown') return facts.method.creates ? '; whether it was created is unknown' : '; whether the change was applied is unknown';
	return '';
}

export function bitrix24ApiError(node: INode, answer: FailedAnswer, call: FailedCall, note = '', outcome?: Outcome): Bitrix24ApiError {
	const { secrets } = call.connection;
	const facts = factsOf(answer, call);
	const status = answer.status !== undefined ? `HTTP ${answer.status}` : '';
	const { problem, hint, said } = withoutBitrix24Error(answer, facts) ?? {
		...diagnose(answer, facts),
		said: answer.code
			? `Bitrix24 answered ${status ? `${status}, ` : ''}error ${answer.code}: "${answer.description}"${status ? '' : ' (a command of a batch request)'}.`
			: `Bitrix24 answered ${status}.`,
	};
	const body: JsonObject = answer.blockedByN8n
		? { error: 'BLOCKED_BY_N8N', error_description: 'SSRF protection' }
		: answer.network !== undefined
			? { error: 'CONNECTION_FAILED', error_description: answer.network }
			: { error: answer.code, error_description: answer.description };
	const description = [hint, said, note].filter(Boolean).join(' ');
	return new Bitrix24ApiError(node, JSON.parse(redact(JSON.stringify(body), secrets)) as JsonObject, {
		message: redact(`Bitrix24 could not ${facts.method.action}: ${problem}${outcomeText(outcome, facts)}`, secrets),
		description: redact(description, secrets),
		httpCode: answer.status !== undefined ? String(answer.status) : 'none',
		itemIndex: call.itemIndex,
	});
}
