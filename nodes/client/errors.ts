import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { describeMethod } from './methods';

export type Authentication = 'webhook' | 'oAuth2';

/** What the node knows about a failed call, to explain it in the user's terms. */
export interface CallContext {
	method: string;
	authentication: Authentication;
	/** The ids sent, by their n8n parameter names (`paymentId`, `paySystemId`). */
	ids: IDataObject;
	itemIndex: number;
	/** Strings that must never reach an error: the webhook secret, tokens. */
	secrets: string[];
}

/**
 * A call that did not succeed, as the pipeline read it: a Bitrix24 error body, whatever came instead of one, or
 * no answer at all. Retries decide on these typed fields, never on the wording of a message.
 */
export interface FailedAnswer {
	/** The HTTP status; absent for a command inside a batch, whose answer is 200 whatever its commands did. */
	status?: number;
	/** The Bitrix24 error code as sent ('' when the answer had none). */
	code: string;
	description: string;
	/** Set when the body was not Bitrix24 JSON (an HTML page, a proxy's answer, nothing). */
	notJson?: string;
	location?: string;
	/** No answer came back: the network error code (ECONNRESET, ETIMEDOUT, ECONNREFUSED ...). */
	network?: string;
	/** The method the portal refused when it is not the call's own: `batch`, for the batch request as a whole. */
	refused?: string;
	/** n8n refused to send the request (its SSRF protection): nothing left n8n. */
	blockedByN8n?: BlockedByN8n;
}

/** What n8n's SSRF protection named when it refused a request: a restricted address, or a blocked host name. */
export interface BlockedByN8n {
	rule: 'ipRange' | 'hostname';
	hostname?: string;
	ip?: string;
}

interface Diagnosis {
	problem: string;
	hint: string;
}

const SCOPE_LABELS: Record<string, string> = {
	crm: 'CRM',
	sale: 'Online Store (sale)',
	pay_system: 'Payment systems (pay_system)',
	salescenter: 'Sales Center (salescenter)',
};

/**
 * Every error the node raises for a Bitrix24 call, named as its parent so that n8n shows it as the API error it is.
 */
export class Bitrix24ApiError extends NodeApiError {
	override name = 'NodeApiError';
}

export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) result = result.split(secret).join('***');
	}
	return result;
}

function credentialHint(auth: Authentication): string {
	return auth === 'webhook'
		? 'Check the webhook URL in the "Bitrix24 Webhook API" credential: the user ID and secret must belong to an active inbound webhook (Bitrix24: Developer resources > Other > Inbound webhook).'
		: 'Reconnect the "Bitrix24 OAuth2 API" credential; if that fails, check the app\'s client ID and secret.';
}

function idText(ids: IDataObject, key: string): string {
	return ids[key] !== undefined ? ` ${String(ids[key])}` : '';
}

/** Bitrix24 codes are strings or numbers depending on the server's age; the meaning is the same. */
function diagnose(answer: FailedAnswer, call: CallContext): Diagnosis {
	const { description } = answer;
	const code = answer.code.toLowerCase();
	const { scope } = describeMethod(call.method);
	const auth = call.authentication;
	const payment = idText(call.ids, 'paymentId');
	const paySystem = idText(call.ids, 'paySystemId');
	const editPermission =
		'The Bitrix24 user behind the ' +
		(auth === 'webhook' ? 'webhook' : 'app') +
		' needs the right to edit payments (CRM: Settings > Access permissions; order payments and pay systems: an administrator).';

	if (answer.notJson !== undefined) {
		return {
			problem: `the portal answered with ${answer.notJson} instead of Bitrix24 REST JSON (HTTP ${answer.status})`,
			hint: 'Check that the URL in the credential points to the portal\'s REST endpoint (https://PORTAL/rest/...); a proxy, a login page or a maintenance page may be in the way.',
		};
	}
	if (answer.location !== undefined) {
		return {
			problem: `the portal has moved (HTTP ${answer.status} to ${answer.location})`,
			hint: 'Update the portal address in the credential to the new one.',
		};
	}

	switch (code) {
		case 'no_auth_found':
		case 'invalid_credentials':
			return { problem: 'the portal rejected the credentials', hint: credentialHint(auth) };
		case 'expired_token':
			return {
				problem: 'the OAuth access token has expired and could not be refreshed',
				hint: credentialHint('oAuth2'),
			};
		case 'invalid_grant':
			return {
				problem: 'the OAuth server refused to refresh the access token',
				hint: 'The refresh token has expired (after 180 days), was revoked, or the app was reinstalled: reconnect the "Bitrix24 OAuth2 API" credential.',
			};
		case 'invalid_client':
			return {
				problem: "the OAuth server rejected the app's client ID or secret",
				hint: 'Copy the client ID and client secret of the Bitrix24 app into the "Bitrix24 OAuth2 API" credential again.',
			};
		case 'invalid_token':
			return { problem: 'the OAuth access token is not valid', hint: credentialHint('oAuth2') };
		case 'insufficient_scope':
			return {
				problem: `the ${auth === 'webhook' ? 'webhook' : 'app'} lacks the "${scope}" permission`,
				hint:
					auth === 'webhook'
						? `Edit the inbound webhook in Bitrix24, tick the ${SCOPE_LABELS[scope]} permission and save; the URL stays the same.`
						: `Add the ${SCOPE_LABELS[scope]} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
			};
		case 'access_denied':
		case 'user_access_error':
		case '200040300010':
		case '200040300020':
			if (/commercial plan/i.test(description)) {
				return {
					problem: 'the REST API is not available on this portal\'s plan',
					hint: 'Bitrix24 opens the REST API on commercial plans only.',
				};
			}
			if (scope === 'pay_system' && !/\.pay\./i.test(call.method)) {
				// The portal also refuses changes to pay systems that do not run a REST handler (RestService).
				const changes = /\.(update|delete|settings)/i.test(call.method);
				return {
					problem: 'access denied',
					hint:
						`The Bitrix24 user behind the ${auth === 'webhook' ? 'webhook' : 'app'} must be an administrator to work with pay systems.` +
						(changes
							? ' Also, REST can change only pay systems that run a REST handler (Pay System Handler > Create), not built-in ones such as Cash or Bank transfer.'
							: ''),
				};
			}
			if (/^crm\.item\.payment\.(product|delivery)\./i.test(call.method) && describeMethod(call.method).writes) {
				return {
					problem: 'access denied',
					hint: `Bitrix24 refuses changes to the products and deliveries of a paid payment, even for an administrator: if the payment is paid, mark it as unpaid first (CRM Payment > Mark as Unpaid). Otherwise: ${editPermission}`,
				};
			}
			return { problem: 'access denied', hint: editPermission };
		case '200640400001':
			return {
				problem: `order payment${payment} was not found`,
				hint: 'Check the Payment ID: it must be the ID of an existing order payment (sale.payment.list shows them).',
			};
		case '100':
			return {
				problem: 'a parameter is missing or has the wrong type',
				hint: 'Check the IDs and fields of this item; Bitrix24 names the parameter below.',
			};
		case '0':
			if (/not (been )?found|does not exist|not exists/i.test(description)) return notFound(description, call);
			if (/insufficient permissions/i.test(description)) {
				// Older portals answer this for a missing payment as well as for a missing right.
				return {
					problem: `payment${payment} was not found or the user may not change it`,
					hint: `Check the Payment ID. ${editPermission}`,
				};
			}
			if (/required fields/i.test(description)) {
				return { problem: 'a required field is missing', hint: 'Fill in the field Bitrix24 names below.' };
			}
			return { problem: description || 'the portal refused the request', hint: 'See the Bitrix24 message below.' };
		case 'error_check_failure':
			if (/pay system not found/i.test(description)) {
				return {
					problem: `pay system${paySystem} was not found`,
					hint: 'Check the Pay System ID: it must be the ID of an existing pay system (Bitrix24: CRM > Sales > Payment systems).',
				};
			}
			if (/^Payment with ID=/i.test(description)) {
				return {
					problem: `payment${payment} does not exist or does not use pay system${paySystem}`,
					hint: 'A pay system can only pay a payment that already uses it: check both IDs, or change the payment\'s pay system first (Order Payment > Update).',
				};
			}
			return {
				problem: 'a required parameter is missing',
				hint: 'Fill in the Payment ID and the Pay System ID.',
			};
		case 'sale_payment_delete_exist_paid':
			return {
				problem: `payment${payment} is paid`,
				hint: 'Bitrix24 does not delete a paid payment: mark it as unpaid first (CRM Payment > Mark as Unpaid), then delete it.',
			};
		case 'sale_payment_wrong_payment_service':
			return {
				problem: `pay system${paySystem} cannot be used for this payment`,
				hint: 'Check the Pay System ID: it must be an existing, active pay system of the portal.',
			};
		case 'error_process_request_result':
			return {
				problem: 'the pay system\'s handler failed to process the payment',
				hint: 'The pay system refused the payment data: check the values sent (sum, currency, status) and the pay system\'s settings.',
			};
		case 'error_pay_system_not_found':
			return { problem: `pay system${paySystem} was not found`, hint: 'Check the Pay System ID.' };
		case 'error_method_not_found':
			return {
				problem: `the portal does not offer ${call.method}`,
				hint: 'The module behind it (CRM, Online Store or Sales Center) is missing or too old on this portal.',
			};
		case 'query_limit_exceeded':
			return {
				problem: 'too many requests: the portal\'s request limit was reached',
				hint: 'The portal refused the request before running it, so nothing changed. Run fewer items at once or try again in a few seconds.',
			};
		case 'operation_time_limit':
			return {
				problem: `${answer.refused ?? call.method} used up its time budget on the portal`,
				hint: 'The portal refused the request before running it, so nothing changed. Try again after the reset time below.',
			};
		case 'overload_limit':
			return {
				problem: 'Bitrix24 has blocked the REST API of this portal',
				hint: 'This block is set by Bitrix24 support by hand: contact them to lift it.',
			};
		case 'portal_deleted':
			return { problem: 'the portal has been deleted', hint: 'Check the portal address in the credential.' };
		case 'wrong_auth_type':
			return {
				problem: 'Bitrix24 lets only an app (OAuth2) subscribe to events',
				hint: 'Choose OAuth2 under Authentication of the trigger, or set the trigger up as an outgoing webhook in Bitrix24 (Authentication: Outgoing Webhook).',
			};
		case 'error_event_not_found':
			return {
				problem: 'the portal does not offer the payment events to this app',
				hint: `Add the ${SCOPE_LABELS.sale} permission to the Bitrix24 app, reinstall it and reconnect the credential.`,
			};
		case 'error_wrong_handler_url':
		case 'error_unsupported_protocol':
			return {
				problem: "the portal refused the trigger's address",
				hint: "Bitrix24 calls the trigger at n8n's webhook URL: set n8n's WEBHOOK_URL to an address the portal can reach (https and a public host name), then activate the workflow again.",
			};
		case 'invalid_request':
			if (/https/i.test(description)) {
				return { problem: 'the portal requires HTTPS', hint: 'Use https:// in the credential\'s URL.' };
			}
			break;
	}
	if ((answer.status ?? 0) >= 500 || code === 'internal_server_error' || code === 'error_unexpected_answer') {
		return {
			problem: `the portal failed with an internal error (${answer.status ? `HTTP ${answer.status}` : answer.code})`,
			// For a write, the retry stage says what the user must check: it may have happened.
			hint: describeMethod(call.method).writes ? '' : 'Try again later.',
		};
	}
	return { problem: description || `error ${answer.code}`, hint: 'See the Bitrix24 message below.' };
}

/** Code 0 "... not found": names the missing thing, so the user looks at the right field. */
function notFound(description: string, call: CallContext): Diagnosis {
	const payment = idText(call.ids, 'paymentId');
	if (/payment system|pay ?system/i.test(description)) {
		return {
			problem: `pay system${idText(call.ids, 'paySystemId')} was not found`,
			hint: 'Check the Pay System ID: it must be the ID of an existing pay system (Bitrix24: CRM > Sales > Payment systems).',
		};
	}
	if (/payable item/i.test(description)) {
		const line = /delivery/i.test(call.method) ? 'delivery' : 'product';
		return {
			problem: `the payment ${line} line was not found`,
			hint: `Check the Payment ${line === 'delivery' ? 'Delivery' : 'Product'} ID: Get Many of this resource lists the lines of a payment.`,
		};
	}
	if (/product/i.test(description)) {
		return {
			problem: 'the product row was not found',
			hint: 'Check the Row ID: it must be a product row of the deal or invoice the payment belongs to.',
		};
	}
	if (/shipment/i.test(description)) {
		return {
			problem: 'the delivery (shipment) was not found',
			hint: 'Check the Delivery ID: it must be a shipment of the order the payment belongs to.',
		};
	}
	if (/payment/i.test(description)) {
		return {
			problem: `payment${payment} was not found`,
			hint: 'Check the Payment ID: it must be the ID of an existing payment of a deal or invoice.',
		};
	}
	return { problem: description, hint: 'Check the IDs of this item: Bitrix24 names what it could not find below.' };
}

/** Network errors raised before a connection existed: the request never left, so repeating it is safe. */
export function neverSent(networkCode: string): boolean {
	return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(networkCode);
}

/**
 * No answer at all: the portal could not be reached, or the connection broke. The network code goes in the
 * description: n8n replaces a message that contains one with its own generic text.
 */
function noAnswer(reason: string, call: CallContext): { problem: string; hint: string; said: string } {
	const hint = neverSent(reason)
		? 'The portal could not be reached, so nothing was sent: check the portal address in the credential and that n8n can reach the portal.'
		: describeMethod(call.method).writes
			? ''
			: 'Check the portal address in the credential and that n8n can reach the portal.';
	return { problem: 'no answer from the portal', hint, said: `The request failed: ${reason}.` };
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
 * Turns a failed call into an error that says what failed and how to fix it; `note` is what the retry stage adds
 * (how long it tried, or that a change may have happened and was not repeated).
 */
export function bitrix24ApiError(node: INode, answer: FailedAnswer, call: CallContext, note = ''): Bitrix24ApiError {
	const { action } = describeMethod(call.method);
	let problem: string, hint: string, said: string;
	if (answer.blockedByN8n) {
		({ problem, hint, said } = blockedByN8n(answer.blockedByN8n));
	} else if (answer.network !== undefined) {
		({ problem, hint, said } = noAnswer(answer.network, call));
	} else {
		({ problem, hint } = diagnose(answer, call));
		const status = answer.status !== undefined ? `HTTP ${answer.status}` : '';
		said = answer.code
			? `Bitrix24 answered ${status ? `${status}, ` : ''}error ${answer.code}: "${answer.description}"${status ? '' : ' (a command of a batch request)'}.`
			: `Bitrix24 answered ${status}.`;
	}
	const body: JsonObject = answer.blockedByN8n
		? { error: 'BLOCKED_BY_N8N', error_description: 'SSRF protection' }
		: answer.network !== undefined
		? { error: 'CONNECTION_FAILED', error_description: answer.network }
		: { error: answer.code, error_description: answer.description };
	const description = [hint, said, note].filter(Boolean).join(' ');
	return new Bitrix24ApiError(node, redactObject(body, call.secrets), {
		message: redact(`Bitrix24 could not ${action}: ${problem}`, call.secrets),
		description: redact(description, call.secrets),
		httpCode: answer.status !== undefined ? String(answer.status) : 'none',
		itemIndex: call.itemIndex,
	});
}

function redactObject(body: JsonObject, secrets: string[]): JsonObject {
	return JSON.parse(redact(JSON.stringify(body), secrets)) as JsonObject;
}
