import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyRouting,
	PostReceiveAction,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Authentication, CallContext, FailedAnswer } from './errors';
import { Bitrix24ApiError, bitrix24ApiError, bitrix24ConnectionError } from './errors';
import type { RatePlan } from './limiter';
import { noteOperatingTime, ratePlanOf } from './limiter';
import { describeMethod } from './methods';
import { requestSettingsOf, withRetries } from './retry';
import { ID_PARAMETERS, locatorValue, rememberedIds, toPositiveInteger } from './validation';
import { parseWebhookUrl } from './webhookUrl';

type Context = IExecuteSingleFunctions | IExecutePaginationFunctions;
type AnyContext = Context | ILoadOptionsFunctions;

/** Where the paging data of a list answer (`next`, `total`) waits for the request runner, on the item's context. */
const PAGE = Symbol('bitrix24Page');
interface PageInfo {
	next?: number;
	/** The answer's `time` block: when the method's operating-time budget frees up. */
	time?: unknown;
}
type WithPage = { [PAGE]?: PageInfo };

/**
 * The item's connection and request settings, read once by `prepareRequest` (n8n runs an item's preSend hooks
 * before its request runner, on the context the runner's context inherits from): every credential read can be
 * a database read and a decryption in n8n.
 */
const PREPARED = Symbol('bitrix24Prepared');
type WithPrepared = { [PREPARED]?: Prepared };
interface Prepared {
	connection: Connection;
	settings: RequestSettings;
}

interface Connection {
	authentication: Authentication;
	/** Where method names are appended: the webhook URL, or the OAuth token's `client_endpoint`. */
	restUrl: string;
	secrets: string[];
	/** The portal's host: one request bucket per portal. */
	portal: string;
	plan?: RatePlan;
}

async function connection(ctx: AnyContext): Promise<Connection> {
	const authentication = ctx.getNodeParameter('authentication', 'webhook') as Authentication;
	if (authentication === 'oAuth2') {
		const credentials = await ctx.getCredentials('bitrix24OAuth2Api');
		const token = (credentials.oauthTokenData ?? {}) as IDataObject;
		const host = String(credentials.domain ?? '').trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
		const endpoint = String(token.client_endpoint || `https://${host}/rest/`);
		if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
			throw new NodeOperationError(ctx.getNode(), 'The Bitrix24 OAuth2 credential has no portal address', {
				description: 'Fill in the portal domain (for example yourcompany.bitrix24.com) and connect the credential again.',
			});
		}
		const secrets = [token.access_token, token.refresh_token, credentials.clientSecret];
		return {
			authentication,
			restUrl: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
			secrets: secrets.filter((s): s is string => typeof s === 'string'),
			portal: portalOf(endpoint),
			plan: ratePlanOf(credentials),
		};
	}
	const credentials = await ctx.getCredentials('bitrix24WebhookApi');
	const webhook = parseWebhookUrl(credentials.webhookUrl);
	if (!webhook) {
		// The URL is not echoed: it would carry the secret into the execution log.
		throw new NodeOperationError(ctx.getNode(), 'The webhook URL in the credential is not a Bitrix24 inbound webhook URL', {
			description: 'Expected https://YOUR_PORTAL/rest/USER_ID/SECRET/ as Bitrix24 shows it under Developer resources > Other > Inbound webhook.',
		});
	}
	return {
		authentication,
		restUrl: webhook.restUrl,
		secrets: [webhook.secret],
		portal: portalOf(webhook.restUrl),
		plan: ratePlanOf(credentials),
	};
}

function portalOf(url: string): string {
	return (/^https?:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url).toLowerCase();
}

type RequestSettings = ReturnType<typeof requestSettingsOf>;

function requestSettings(ctx: AnyContext): RequestSettings {
	let options: unknown;
	try {
		options = ctx.getNodeParameter('requestOptions', {});
	} catch {
		options = {};
	}
	return requestSettingsOf(options);
}

async function prepare(ctx: AnyContext): Promise<Prepared> {
	return { connection: await connection(ctx), settings: requestSettings(ctx) };
}

/** What every request to the portal carries, through the routing engine or not. */
function portalRequest({ connection, settings }: Prepared) {
	return {
		baseURL: connection.restUrl,
		method: 'POST' as const,
		json: true,
		// A moved portal must be reported, not followed: a redirected POST arrives as a GET.
		disableFollowRedirect: true,
		// Bitrix24 explains every failure in its body, so non-2xx answers reach `failureOf`. OAuth2 401s
		// still throw: that is what makes n8n refresh the token and repeat the call once.
		ignoreHttpStatusErrors: connection.authentication === 'oAuth2' ? { ignore: true, except: [401] } : true,
		timeout: settings.timeoutMs,
	} satisfies Partial<IHttpRequestOptions>;
}

/** Every call's way to the portal: an expired token refreshed once, then the limiter and the retries. */
async function sendToPortal<T>(
	{ connection, settings }: Prepared,
	method: string,
	options: Pick<IHttpRequestOptions, 'ignoreHttpStatusErrors'>,
	attempt: () => Promise<T>,
): Promise<T> {
	const { portal, plan } = connection;
	return await withRetries({ portal, plan, method }, settings, async () => await refreshingOn401(connection, options, attempt));
}

/** The validated ids of the current item, by their parameter names: they name the payment in errors and outputs. */
export function callIds(ctx: Context): IDataObject {
	const validated = rememberedIds(ctx);
	const parameters = ctx.getNode().parameters;
	const ids: IDataObject = {};
	for (const name of ID_PARAMETERS) {
		if (name in validated) {
			ids[name] = validated[name];
			continue;
		}
		if (!(name in parameters)) continue;
		const value = locatorValue(ctx.getNodeParameter(name, ''));
		if (value === undefined || value === '') continue;
		try {
			ids[name] = toPositiveInteger(value, name);
		} catch {
			// An invalid id never reaches a request: its own check reports it.
		}
	}
	return ids;
}

async function callContext(ctx: Context, method: string): Promise<CallContext> {
	return await callContextOf(ctx, method, ctx.getItemIndex());
}

async function callContextOf(ctx: AnyContext, method: string, itemIndex: number): Promise<CallContext> {
	const { authentication, secrets } = await connection(ctx);
	const ids = 'getItemIndex' in ctx ? callIds(ctx) : {};
	return { method, authentication, secrets, ids, itemIndex };
}

/** Points the request at the portal; runs first for every operation. */
async function prepareRequest(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
	const prepared = await prepare(this);
	(this as WithPrepared)[PREPARED] = prepared;
	Object.assign(requestOptions, portalRequest(prepared));
	requestOptions.headers = { ...requestOptions.headers, Accept: 'application/json' };
	return requestOptions;
}

function describeBody(body: unknown, headers: IDataObject): string {
	const type = String(headers['content-type'] ?? '').split(';')[0];
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (/html/i.test(type) || (typeof body === 'string' && /^\s*</.test(body))) return 'an HTML page';
	return type ? `a ${type} body` : 'a body that is not JSON';
}

/** Reads a portal answer: the Bitrix24 failure it carries, if any. */
function failureOf(statusCode: number, body: unknown, headers: IDataObject = {}): FailedAnswer | undefined {
	if (statusCode >= 300 && statusCode < 400) {
		return { status: statusCode, code: '', description: '', location: String(headers.location ?? 'an unknown address') };
	}
	if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
		const { error, error_description: description } = body as IDataObject;
		if (error !== undefined && error !== null && error !== '') {
			return { status: statusCode, code: String(error), description: String(description ?? '') };
		}
		if ('result' in body && statusCode < 300) return undefined;
	}
	return { status: statusCode, code: '', description: '', notJson: describeBody(body, headers) };
}

/**
 * Every operation's first postReceive step: fails the item with a precise error, or hands the `result`
 * on without Bitrix24's envelope (`time` is dropped): an object as one item, a list as one item each.
 */
function unwrapResult(method: string): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions, _items: INodeExecutionData[], response: IN8nHttpFullResponse) {
		const failure = failureOf(response.statusCode, response.body, response.headers);
		if (failure) throw bitrix24ApiError(this.getNode(), failure, await callContext(this, method));
		const { result, next, time } = response.body as IDataObject;
		(this as WithPage)[PAGE] = { next: typeof next === 'number' ? next : undefined, time };
		return toItems(this, result);
	};
}

export function toItems(ctx: IExecuteSingleFunctions, result: unknown): INodeExecutionData[] {
	const pairedItem = { item: ctx.getItemIndex() };
	if (Array.isArray(result)) return result.map((json) => ({ json: json as IDataObject, pairedItem }));
	const json = result !== null && typeof result === 'object' ? (result as IDataObject) : { result };
	return [{ json: json as IDataObject, pairedItem }];
}

/**
 * Runs the request of every operation. n8n's routing engine hands a node its request loop only through
 * `requestOperations.pagination`, so every operation opts in (`send.paginate`): this is the one place that
 * turns errors thrown by n8n's HTTP layer into Bitrix24 errors without the secrets they carry.
 */
export async function executeRequest(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const method = String(requestData.options.url ?? '');
	const prepared = (this as WithPrepared)[PREPARED] ?? (await prepare(this));
	const attempt = async () => {
		try {
			const items = await this.makeRoutingRequest(requestData);
			noteOperatingTime(prepared.connection.portal, method, (this as WithPage)[PAGE]?.time);
			return items;
		} catch (error) {
			throw await explainFailure(this, error, method);
		}
	};
	const request = async () => await sendToPortal(prepared, method, requestData.options, attempt);
	if (!describeMethod(method).paginated) return await request();
	return await fetchPages(this, requestData, request);
}

/** Follows `next` page by page, and stops as soon as the limit is reached. */
async function fetchPages(
	ctx: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	request: () => Promise<INodeExecutionData[]>,
) {
	const returnAll = ctx.getNodeParameter('returnAll', false) as boolean;
	let limit = Infinity;
	if (!returnAll) {
		try {
			limit = toPositiveInteger(ctx.getNodeParameter('limit', 50), 'Limit');
		} catch (error) {
			// An expression gave something else: slicing by it would silently drop or keep items.
			throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
				itemIndex: ctx.getItemIndex(),
				description: 'Set Limit to a whole number of 1 or more, or turn on Return All.',
			});
		}
	}
	const items: INodeExecutionData[] = [];
	let start = 0;
	for (;;) {
		requestData.options.body = { ...(requestData.options.body as IDataObject), start };
		items.push(...(await request()));
		const next = (ctx as WithPage)[PAGE]?.next;
		if (next === undefined || items.length >= limit) break;
		start = next;
	}
	return items.slice(0, limit);
}

/** Our own errors pass unchanged; n8n's carry the request (URL with the secret, Bearer header) and are rebuilt. */
async function explainFailure(
	ctx: AnyContext,
	error: unknown,
	method: string,
	itemIndex = 'getItemIndex' in ctx ? ctx.getItemIndex() : 0,
): Promise<NodeApiError | NodeOperationError> {
	if (error instanceof Bitrix24ApiError || error instanceof NodeOperationError) return error;
	const thrown = error as { cause?: ThrownCause; message?: string; httpCode?: string } & ThrownCause;
	// n8n's own verdict on a refresh it could not do ("the credential needs to be reconnected") is the clearest.
	// By name: n8n's error classes are not always the copy this package loaded.
	if (thrown?.cause instanceof Error && thrown.cause.name === 'NodeOperationError') return thrown.cause as NodeOperationError;
	const call = await callContextOf(ctx, method, itemIndex);
	const oauthRefusal = thrown?.cause?.code === 'EAUTH' ? thrown.cause.body : oauthRefusalOnN8n1(thrown);
	if (oauthRefusal) {
		const failure = { status: 401, code: String(oauthRefusal.error ?? ''), description: String(oauthRefusal.error_description ?? '') };
		return bitrix24ApiError(ctx.getNode(), failure, call);
	}
	const response = thrown?.cause?.response ?? thrown?.response;
	if (response?.status) {
		const failure = failureOf(response.status, response.data ?? response.body, response.headers ?? {}) ?? {
			status: response.status,
			code: '',
			description: '',
		};
		return bitrix24ApiError(ctx.getNode(), failure, call);
	}
	const code = thrown?.cause?.code ?? thrown?.code;
	const reason = code ? String(code) : String(thrown?.message ?? error);
	return bitrix24ConnectionError(ctx.getNode(), reason, call);
}

/**
 * n8n 1.x wraps the token endpoint's refusal without its body, keeping only `httpCode: 'EAUTH'` and the OAuth
 * client's sentence for the error code; the sentence tells the code back.
 */
function oauthRefusalOnN8n1(thrown: { httpCode?: string; message?: string } | undefined): IDataObject | undefined {
	if (thrown?.httpCode !== 'EAUTH') return undefined;
	const message = String(thrown.message ?? '');
	const error = /client authentication failed/i.test(message) ? 'invalid_client' : 'invalid_grant';
	return { error, error_description: message };
}

interface ThrownCause {
	code?: string;
	/** Set by n8n's OAuth2 client when the token endpoint refuses: `{error, error_description}`. */
	body?: IDataObject;
	response?: { status?: number; data?: unknown; body?: unknown; headers?: IDataObject };
}

/**
 * A Bitrix24 call outside the routing engine (pay system lists for the UI, re-reading a payment): same
 * credentials, same errors.
 */
export async function callBitrix24(ctx: IExecuteSingleFunctions | ILoadOptionsFunctions, method: string, body: IDataObject): Promise<unknown> {
	const prepared = await prepare(ctx);
	const { authentication, portal } = prepared.connection;
	const options: IHttpRequestOptions = { ...portalRequest(prepared), url: method, body, returnFullResponse: true };
	const credentialType = authentication === 'oAuth2' ? 'bitrix24OAuth2Api' : 'bitrix24WebhookApi';
	const itemIndex = 'getItemIndex' in ctx ? ctx.getItemIndex() : 0;
	const attempt = async () => {
		let response: IN8nHttpFullResponse;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, { ...options })) as IN8nHttpFullResponse;
		} catch (error) {
			throw await explainFailure(ctx, error, method, itemIndex);
		}
		const failure = failureOf(response.statusCode, response.body, response.headers);
		if (failure) {
			throw bitrix24ApiError(ctx.getNode(), failure, await callContextOf(ctx, method, itemIndex));
		}
		noteOperatingTime(portal, method, (response.body as IDataObject).time);
		return (response.body as IDataObject).result;
	};
	return await sendToPortal(prepared, method, options, attempt);
}

/** Per portal, the re-send that is refreshing an expired token now: the other items wait for it. */
const refreshing = new Map<string, Promise<unknown>>();

/**
 * n8n 1.x reads `ignoreHttpStatusErrors: { ignore: true, except: [401] }` as "ignore all": an expired token then
 * comes back as an answer and n8n does not refresh it. Sending once more with status errors on lets the 401
 * throw, which makes n8n refresh the token and repeat the call. Bitrix24 rotates the refresh token on every
 * refresh, and n8n 1.x refreshes per item with no lock, so one item refreshes and the others re-send after it,
 * with the token it stored. (n8n 2.x refreshes first, once for all items: this never runs.)
 */
async function refreshingOn401<T>(
	connection: Pick<Connection, 'authentication' | 'portal'>,
	options: Pick<IHttpRequestOptions, 'ignoreHttpStatusErrors'>,
	attempt: () => Promise<T>,
): Promise<T> {
	try {
		return await attempt();
	} catch (caught) {
		const error = caught as Bitrix24ApiError | NodeOperationError;
		const expired = error instanceof Bitrix24ApiError && 'code' in error.answer && error.answer.code.toLowerCase() === 'expired_token';
		if (connection.authentication !== 'oAuth2' || !expired) throw error;
		const resend = async () => {
			const ignored = options.ignoreHttpStatusErrors;
			options.ignoreHttpStatusErrors = false;
			try {
				return await attempt();
			} finally {
				options.ignoreHttpStatusErrors = ignored;
			}
		};
		const inFlight = refreshing.get(connection.portal);
		if (inFlight) {
			await inFlight.catch(() => undefined);
			return await resend();
		}
		const mine = resend();
		refreshing.set(connection.portal, mine);
		try {
			return await mine;
		} finally {
			if (refreshing.get(connection.portal) === mine) refreshing.delete(connection.portal);
		}
	}
}

/** The routing of one operation: which Bitrix24 method it calls and how its result becomes output. */
export function callMethod(method: string, ...output: PostReceiveAction[]): INodePropertyRouting {
	return {
		request: { method: 'POST', url: method },
		send: { paginate: true, preSend: [prepareRequest] },
		output: { postReceive: [unwrapResult(method), ...output] },
	};
}
