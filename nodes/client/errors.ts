import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BlockedByN8n, FailedAnswer } from './answer';
import type { Call } from './call';
import type { Facts } from './codes';
import { editPermission, messageOf, say } from './codes';
import { methodOf } from './methods';

/**
 * Stage 7, error: a failed call becomes an error that says what failed and how to fix it, in the words of the
 * code table (codes.ts), with what came back and what the retry or settle stage adds.
 */

function diagnose(answer: FailedAnswer, facts: Facts): { problem: string; hint: string } {
	const message = messageOf(answer, facts);
	return { problem: say(message.problem, facts), hint: say(message.hint, facts) };
}

/**
 * Failures that carry no code: the answer was not Bitrix24's, the portal moved, or n8n refused to send the
 * request. `said` is what came back, for the description.
 */
function withoutBitrix24Error(answer: FailedAnswer, facts: Facts): { problem: string; hint: string; said: string } | undefined {
	if (answer.blockedByN8n) return blockedByN8n(answer.blockedByN8n);
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

	/** Bitrix24 said that what the call named does not exist (the code table's verdict, not the wording). */
	notFound = false;
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
	return messageOf(answer, factsOf(answer, call)).notFound === true;
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
		// The network code goes in the description: n8n replaces a message that contains one with its own text.
		said:
			answer.network !== undefined
				? `The request failed: ${answer.network}.`
				: answer.code
					? `Bitrix24 answered ${status ? `${status}, ` : ''}error ${answer.code}: "${answer.description}"${status ? '' : ' (a command of a batch request)'}.`
					: `Bitrix24 answered ${status}.`,
	};
	const body: JsonObject = answer.blockedByN8n
		? { error: 'BLOCKED_BY_N8N', error_description: 'SSRF protection' }
		: answer.network !== undefined
			? { error: 'CONNECTION_FAILED', error_description: answer.network }
			: { error: answer.code, error_description: answer.description };
	const description = [hint, said, note].filter(Boolean).join(' ');
	const error = new Bitrix24ApiError(node, JSON.parse(redact(JSON.stringify(body), secrets)) as JsonObject, {
		message: redact(`Bitrix24 could not ${facts.method.action}: ${problem}${outcomeText(outcome, facts)}`, secrets),
		description: redact(description, secrets),
		httpCode: answer.status !== undefined ? String(answer.status) : 'none',
		itemIndex: call.itemIndex,
	});
	error.notFound = messageOf(answer, facts).notFound === true;
	return error;
}
