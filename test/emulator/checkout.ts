/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only emulator: the portal's HttpClient posting to a REST pay system handler (node:http/https client, connect and read timers), never shipped */
// The buyer's checkout: what the portal does when a buyer pays with a pay system whose REST handler works in
// checkout mode. Sales Center's payment page calls InitiatePayAction (sale Controller\Action\Entity\
// InitiatePayAction::run), which sets the payment's pay system and runs Service::initiatePay -> RestHandler::
// initiatePay -> initiateCheckoutPay: the portal POSTs the handler's FIELDS and BX_SYSTEM_PARAMS to
// CHECKOUT_DATA.ACTION_URI with its HttpClient (sale Helpers\Rest\Http::sendRequest) and reads PAYMENT_URL and
// PAYMENT_ID from the JSON answer; PAYMENT_ID becomes the payment's PS_INVOICE_ID and the order is saved.
//
// Sources (avshatalov48/bitrix-core-business, under modules/): sale/lib/controller/action/entity/initiatepayaction.php,
// sale/lib/paysystem/service.php (initiatePay), sale/lib/paysystem/resthandler.php (commit 0d02fd98: getMode,
// initiateCheckoutPay, canCheckout, getCheckoutPayParams, getQueryDataFromFields, getSystemParams,
// getCheckoutPayTemplate), sale/lib/paysystem/baseservicehandler.php (getParamsBusValue, getBusinessValue: trim),
// sale/lib/helpers/rest/http.php (sendRequest), main/lib/web/httpclient.php (commit 0d02fd98: query, buildRequest,
// checkRequest), main/lib/web/http/socket/handler.php, socket/stream.php, socket/queue.php (the transport's error
// texts), main/lib/web/http/formstream.php (http_build_query), main/lib/web/json.php (Json::decode). The research
// notes with the details are summarised in test/emulator/README.md, "Checkout".

import http from 'node:http';
import https from 'node:https';
import { constants as osConstants } from 'node:os';
import { gunzipSync } from 'node:zlib';

import { findHandlerByCode, paymentBusinessValues } from './methods/paysystem';
import { publicPaymentUrl } from './methods/salescenter';
import type { RuntimeOptions } from './options';
import { parsePhpQuery, phpBuildQuery, phpEmpty, phpString, type Params } from './php';
import type { EmulatorState, PaySystem, SalePayment } from './state';

/** What the buyer's page passes (InitiatePayAction's fields, the checkout form's inputs). */
export interface CheckoutOptions {
	/** The pay system the buyer chose (PAY_SYSTEM_ID); default the payment's own. */
	paySystemId?: number;
	/** RETURN_URL; default (also for an empty one) the payment's public page, `${baseUrl}/pub/payment/<hash>/`. */
	returnUrl?: string;
	/** The request's parameters (the checkout form's inputs): a key of CHECKOUT_DATA.FIELDS overrides its value. */
	fields?: Record<string, string>;
}

/** One error of the pay system's result: `code` 0 for the handler's own errors, else HttpClient's or Http's code. */
export interface CheckoutError {
	message: string;
	code: string | number;
}

export type CheckoutResult =
	/** The handler registered the payment: the buyer goes to `paymentUrl`; `paymentId` is now PS_INVOICE_ID. */
	| { kind: 'url'; paymentUrl: string; paymentId: string; html: string }
	/** canCheckout() is false: the portal shows its form for the FIELDS keys still `missing`; nothing was posted. */
	| { kind: 'form'; missing: string[] }
	/** The handler is not in checkout mode (IFRAME_DATA wins, then CHECKOUT_DATA, else FORM_DATA): nothing posted. */
	| { kind: 'otherMode'; mode: 'iframe' | 'form' }
	/**
	 * The pay system's result has errors: their messages, and in `details` each with its code. `fatal`: the portal
	 * would die of a PHP error here (an uncaught TypeError); the emulator answers this result instead, nothing saved.
	 */
	| { kind: 'errors'; errors: string[]; details: CheckoutError[]; fatal?: true };

/** One `emu.buyer.pay` call (emu.checkouts). Fields of the POST are null when nothing was posted. */
export interface CheckoutRecord {
	paymentId: number;
	paySystemId: number;
	/** CHECKOUT_DATA.ACTION_URI as stored (null outside checkout mode or when missing). */
	actionUri: string | null;
	/** The form body exactly as posted. */
	body: string | null;
	/** The body parsed as the handler's PHP would parse it (parse_str). */
	params: Params | null;
	/** The request headers of the first POST, in the order they were sent. */
	headers: Record<string, string> | null;
	/** Location URLs followed (at most 5). */
	redirects: string[];
	/** The final HTTP status; null when nothing was posted or no answer came. */
	status: number | null;
	/** The final answer's body as text. */
	answer: string | null;
	result: CheckoutResult;
	/** Epoch ms when the call started. */
	at: number;
}

/** The buyer's side of paying (`emu.buyer`). */
export interface BuyerActions {
	/**
	 * The buyer pays `paymentId` on Sales Center's payment page (InitiatePayAction -> Service::initiatePay). Throws
	 * an Error for an unknown payment, pay system or order, and for a pay system whose handler is not a REST handler.
	 */
	pay(paymentId: number, o?: CheckoutOptions): Promise<CheckoutResult>;
}

/** What the checkout needs from the emulator. */
export interface CheckoutHost {
	state(): EmulatorState;
	options(): RuntimeOptions;
	baseUrl(): string;
	/** Changes and saves the payment as the portal saves an order (fires OnPaymentEntitySaved when it changed). */
	save(paymentId: number, change: (payment: SalePayment) => void): void;
	record(r: CheckoutRecord): void;
	/** Registers a request in flight; the returned function unregisters it. stop() aborts those still running. */
	track(abort: () => void): () => void;
}

// SALE_HANDLERS_REST_HANDLER_* (sale/lang/en/lib/paysystem/resthandler.php).
const URI_MISSING = 'ACTION_URI parameter is missing';
const DATA_MISSING = 'Error registering order in payment system';
const BUTTON_PAID = 'Pay';

const MAX_REDIRECTS = 5;

const isObject = (v: unknown): v is Params => typeof v === 'object' && v !== null;

export function createBuyer(host: CheckoutHost): BuyerActions {
	return {
		async pay(paymentId, o = {}) {
			const state = host.state();
			const ctx = { state, options: host.options() };
			const payment = state.payments.get(paymentId);
			if (!payment) throw new Error(`buyer.pay: payment not found (${paymentId})`);
			const paySystemId = o.paySystemId ?? payment.paySystemId;
			const ps = state.paySystems.get(paySystemId);
			if (!ps) throw new Error(`buyer.pay: payment service not found (pay system ${paySystemId})`);
			const order = state.orders.get(payment.orderId);
			if (!order) throw new Error(`buyer.pay: order not found (${payment.orderId})`);
			const handler = findHandlerByCode(ctx, ps.ACTION_FILE);
			if (!handler) {
				throw new Error(`buyer.pay: pay system ${ps.ID} runs "${ps.ACTION_FILE}", not a REST handler (only REST handlers are emulated)`);
			}

			// InitiatePayAction::updatePaymentMetadata(): PAY_SYSTEM_ID and PAY_SYSTEM_NAME, then the order is saved.
			// (The emulator also keeps the pay system's XML id and cash flag, which REST reads from the pay system.)
			host.save(paymentId, (p) => setPaySystem(p, ps));

			const at = Date.now();
			const record = (r: Partial<CheckoutRecord> & { result: CheckoutResult }): CheckoutResult => {
				host.record({
					paymentId, paySystemId: Number(ps.ID), actionUri: null, body: null, params: null, headers: null,
					redirects: [], status: null, answer: null, at, ...r,
				});
				return r.result;
			};

			// RestHandler::getMode(): a non-empty IFRAME_DATA wins over CHECKOUT_DATA; else FORM_DATA.
			const settings = isObject(handler.SETTINGS) ? handler.SETTINGS : {};
			if (!phpEmpty(settings.IFRAME_DATA)) return record({ result: { kind: 'otherMode', mode: 'iframe' } });
			if (phpEmpty(settings.CHECKOUT_DATA)) return record({ result: { kind: 'otherMode', mode: 'form' } });

			// initiateCheckoutPay()
			const checkout = isObject(settings.CHECKOUT_DATA) ? settings.CHECKOUT_DATA : {};
			const rawUri = checkout.ACTION_URI;
			if (rawUri === undefined || rawUri === null) return record({ result: errorResult([{ message: URI_MISSING, code: 0 }]) });
			const actionUri = phpString(rawUri);
			const fieldSettings = checkout.FIELDS === undefined || checkout.FIELDS === null ? undefined : checkout.FIELDS;
			if (fieldSettings !== undefined && !isObject(fieldSettings)) {
				return record({
					actionUri,
					result: fatal(`getQueryDataFromFields(): Argument #2 ($fields) must be of type array, ${phpType(fieldSettings)} given`),
				});
			}

			// getCheckoutPayParams(): FIELDS from business values, request fields over them, then BX_SYSTEM_PARAMS.
			const values = paymentBusinessValues(ctx, ps, payment, order.personTypeId, { businessValueGet: true });
			const params: Array<[string, unknown]> = [];
			const put = (key: string, value: unknown) => {
				const index = params.findIndex(([k]) => k === key);
				if (index >= 0) params[index][1] = value;
				else params.push([key, value]);
			};
			for (const [key, field] of Object.entries(fieldSettings ?? {})) {
				// `$value['CODE']`: only an array (an object here) has one.
				const code = isObject(field) && !Array.isArray(field) ? field.CODE : undefined;
				if (isObject(code) || phpEmpty(code)) continue;
				const name = phpString(code);
				put(key, Object.prototype.hasOwnProperty.call(values, name) ? values[name] : null);
			}
			for (const [key, value] of Object.entries(o.fields ?? {})) {
				// isset($checkoutSettings['FIELDS'][$field])
				if (fieldSettings && Object.prototype.hasOwnProperty.call(fieldSettings, key) && fieldSettings[key] !== null) put(key, value);
			}
			const returnUrl = phpEmpty(o.returnUrl) ? publicPaymentUrl(host.baseUrl(), state.memberId, payment) : (o.returnUrl as string);
			const system: Params = {
				RETURN_URL: returnUrl,
				PAYSYSTEM_ID: ps.ID,
				PAYMENT_ID: payment.id,
				SUM: payment.sum,
				CURRENCY: payment.currency,
			};
			if (payment.psInvoiceId !== null) system.EXTERNAL_PAYMENT_ID = payment.psInvoiceId;
			const merged = arrayMerge(params, [['BX_SYSTEM_PARAMS', system]]);

			// canCheckout() -> needMoreCheckoutParams(): array_diff_key(FIELDS, params), keys only.
			const present = new Set(merged.map(([k]) => k));
			const missing = Object.keys(fieldSettings ?? {}).filter((k) => !present.has(k));
			if (missing.length > 0) return record({ actionUri, result: { kind: 'form', missing } });

			const body = phpBuildQuery(merged);
			const options = host.options();
			const sent = await post(actionUri, body, options.checkoutConnectTimeoutMs, options.checkoutReadTimeoutMs, host.track);
			const base = { actionUri, body, params: parsePhpQuery(body), headers: sent.headers, redirects: sent.redirects };
			if ('error' in sent) return record({ ...base, result: errorResult([sent.error]) });

			const answer = readAnswer(sent.status, sent.body);
			const result = answer.kind === 'data' ? checkoutResult(answer.data) : answer.result;
			if (result.kind === 'url' && host.state().payments.has(paymentId)) {
				// Service::initiatePay(): setFields(getPsData()) and the order is saved.
				host.save(paymentId, (p) => {
					p.psInvoiceId = result.paymentId;
				});
			}
			return record({ ...base, status: sent.status, answer: sent.text, result });
		},
	};
}

function setPaySystem(p: SalePayment, ps: PaySystem): void {
	p.paySystemId = Number(ps.ID);
	p.paySystemName = ps.NAME;
	p.paySystemXmlId = ps.XML_ID ?? '';
	p.paySystemIsCash = ps.IS_CASH;
}

function errorResult(details: CheckoutError[]): Extract<CheckoutResult, { kind: 'errors' }> {
	return { kind: 'errors', errors: details.map((e) => e.message), details };
}

/** The emulator's stand-in for a PHP fatal error (an uncaught TypeError): an error result saying so. */
function fatal(typeError: string): CheckoutResult {
	return { ...errorResult([{ message: `PHP Fatal error: Uncaught TypeError: ${typeError}`, code: 'PHP_FATAL_ERROR' }]), fatal: true };
}

/** A PHP array key: a decimal integer string is an int key (renumbered by array_merge). */
function isIntKey(key: string): boolean {
	return /^(0|-?[1-9]\d{0,18})$/.test(key) && Number.isSafeInteger(Number(key));
}

/** array_merge(): string keys of the second array overwrite in place or append; int keys are renumbered from 0. */
function arrayMerge(...arrays: Array<Array<[string, unknown]>>): Array<[string, unknown]> {
	const out: Array<[string, unknown]> = [];
	let next = 0;
	for (const array of arrays) {
		for (const [key, value] of array) {
			if (isIntKey(key)) {
				out.push([String(next++), value]);
				continue;
			}
			const at = out.findIndex(([k]) => k === key);
			if (at >= 0) out[at][1] = value;
			else out.push([key, value]);
		}
	}
	return out;
}

// ---- the answer (Http::sendRequest, then RestHandler::initiateCheckoutPay) ----

type Answer = { kind: 'data'; data: Map<string, unknown> } | { kind: 'result'; result: CheckoutResult };

/**
 * Http::sendRequest(): only HTTP 200 is read (any other status: no data, no error); Json::decode, a decoding
 * failure is 'Response decoding error'; array_change_key_case(CASE_UPPER) on the top level.
 */
function readAnswer(status: number, body: Buffer): Answer {
	if (status !== 200) return { kind: 'data', data: new Map() };
	const decodingError: Answer = { kind: 'result', result: errorResult([{ message: 'Response decoding error', code: 'RESPONSE_DECODING_ERROR' }]) };
	let text: string;
	let value: unknown;
	try {
		// json_decode refuses invalid UTF-8 (JSON_ERROR_UTF8).
		text = new TextDecoder('utf-8', { fatal: true }).decode(body);
		value = JSON.parse(text);
	} catch {
		return decodingError;
	}
	// Json::decode(): null from any text but "null" itself (" null" included) is an error.
	if (value === null && text.toLowerCase() !== 'null') return decodingError;
	// array_change_key_case() of a non-array: PHP 8 throws a TypeError nobody catches.
	if (typeof value !== 'object' || value === null) {
		return { kind: 'result', result: fatal(`array_change_key_case(): Argument #1 ($array) must be of type array, ${jsonType(value, text)} given`) };
	}
	const data = new Map<string, unknown>();
	for (const [key, v] of Object.entries(value as Params)) data.set(asciiUpper(key), v);
	return { kind: 'data', data };
}

/** RestHandler::initiateCheckoutPay() after a successful send. */
function checkoutResult(data: Map<string, unknown>): CheckoutResult {
	const url = data.get('PAYMENT_URL');
	const id = data.get('PAYMENT_ID');
	if (phpEmpty(url) || phpEmpty(id)) {
		const errors = data.get('PAYMENT_ERRORS');
		// Each element becomes an Error's message (printed as PHP prints it where the messages are joined).
		if (!phpEmpty(errors) && isObject(errors)) return errorResult(Object.values(errors).map((e) => ({ message: phpString(e), code: 0 })));
		return errorResult([{ message: DATA_MISSING, code: 0 }]);
	}
	const paymentUrl = phpString(url);
	// getCheckoutPayTemplate(): the URL is not escaped.
	const html = `<a class="btn btn-lg btn-success" style="border-radius: 32px;" href="${paymentUrl}">${BUTTON_PAID}</a>`;
	return { kind: 'url', paymentUrl, paymentId: phpString(id), html };
}

/** array_change_key_case() upper-cases ASCII letters only. */
function asciiUpper(key: string): string {
	return key.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** The PHP type json_decode gives a scalar, as a TypeError names it. */
function jsonType(value: unknown, text: string): string {
	if (value === null) return 'null';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'string') return 'string';
	return /^\s*-?(0|[1-9]\d*)\s*$/.test(text) && Number.isSafeInteger(value) ? 'int' : 'float';
}

function phpType(value: unknown): string {
	if (typeof value === 'string') return 'string';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
	return 'null';
}

// ---- the transport (HttpClient, commit 0d02fd98) ----

type Sent =
	| { status: number; body: Buffer; text: string; headers: Record<string, string>; redirects: string[] }
	| { error: CheckoutError; headers: Record<string, string> | null; redirects: string[] };

type Hop = { status: number; location: string | undefined; body: Buffer; headers: Record<string, string> } | { error: CheckoutError; headers: Record<string, string> | null };

/**
 * HttpClient::query('POST', $url, $params): up to 5 redirects on any answer with a non-empty Location (302 and 303
 * switch to GET; the body and its Content-Length go along, as the same request body is reused).
 */
async function post(actionUri: string, body: string, connectMs: number, readMs: number, track: CheckoutHost['track']): Promise<Sent> {
	const redirects: string[] = [];
	let url = actionUri;
	let method = 'POST';
	let first: Record<string, string> | null = null;
	for (;;) {
		const hop = await send(url, method, body, connectMs, readMs, track);
		first ??= hop.headers;
		if ('error' in hop) return { error: hop.error, headers: first, redirects };
		if (hop.location !== undefined && hop.location !== '') {
			if (redirects.length >= MAX_REDIRECTS) {
				return {
					error: { code: 'REDIRECT', message: `Maximum number of redirects (${MAX_REDIRECTS}) has been reached at URL ${actionUri}` },
					headers: first,
					redirects,
				};
			}
			redirects.push(hop.location);
			url = hop.location;
			if (hop.status === 302 || hop.status === 303) method = 'GET';
			continue;
		}
		return { status: hop.status, body: hop.body, text: hop.body.toString('utf8'), headers: first ?? hop.headers, redirects };
	}
}

const STRERROR: Record<string, string> = {
	ECONNREFUSED: 'Connection refused',
	ETIMEDOUT: 'Connection timed out',
	EHOSTUNREACH: 'No route to host',
	ENETUNREACH: 'Network is unreachable',
	ECONNRESET: 'Connection reset by peer',
	EADDRNOTAVAIL: 'Cannot assign requested address',
};

/**
 * Socket\Stream::connect(): stream_socket_client's failure as "[errno] errstr", or 'Socket connection error.' when
 * there is no errno (a name that does not resolve).
 */
function connectError(code: string | undefined): CheckoutError {
	const errno = code ? (osConstants.errno as Record<string, number | undefined>)[code] : undefined;
	if (!code || errno === undefined || code.startsWith('EAI_') || code === 'ENOTFOUND') return { code: 'NETWORK', message: 'Socket connection error.' };
	return { code: 'NETWORK', message: `[${errno}] ${STRERROR[code] ?? code}` };
}

const network = (message: string): CheckoutError => ({ code: 'NETWORK', message });

/** One request: HttpClient::checkRequest(), buildRequest() (its headers, in its order), the socket handler. */
function send(target: string, method: string, body: string, connectMs: number, readMs: number, track: CheckoutHost['track']): Promise<Hop> {
	let uri: URL;
	try {
		uri = new URL(target);
	} catch {
		// Bitrix's Uri takes a string without a scheme as http with no host.
		return Promise.resolve({ error: { code: 'URI_HOST', message: 'Incorrect host in URI.' }, headers: null });
	}
	const scheme = uri.protocol.replace(/:$/, '').toLowerCase();
	if (scheme !== 'http' && scheme !== 'https') {
		return Promise.resolve({ error: { code: 'URI_SCHEME', message: 'Only http and https shemes are supported.' }, headers: null });
	}
	if (uri.hostname === '') return Promise.resolve({ error: { code: 'URI_HOST', message: 'Incorrect host in URI.' }, headers: null });

	// Request::__construct sets Host (the host only, no port); buildRequest() adds the rest when absent.
	const headers: Record<string, string> = { Host: uri.hostname, Connection: 'close', Accept: '*/*', 'Accept-Language': 'en' };
	const userInfo = uri.username === '' && uri.password === '' ? '' : uri.username + (uri.password === '' ? '' : `:${uri.password}`);
	if (userInfo !== '') headers.Authorization = `Basic ${Buffer.from(userInfo).toString('base64')}`;
	if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
	const payload = Buffer.from(body, 'utf8');
	if (payload.length > 0 || method === 'POST') headers['Content-Length'] = String(payload.length);

	return new Promise<Hop>((resolve) => {
		let settled = false;
		let connected = false;
		let secured = scheme !== 'https';
		let written = false;
		let responded = false;
		let untrack = () => {};
		const finish = (hop: Hop) => {
			if (settled) return;
			settled = true;
			clearTimeout(connectTimer);
			untrack();
			resolve(hop);
		};
		const fail = (error: CheckoutError) => {
			finish({ error, headers });
			req.destroy();
		};
		const lib = scheme === 'https' ? https : http;
		const req = lib.request({
			host: uri.hostname.replace(/^\[(.*)\]$/, '$1'),
			port: uri.port === '' ? (scheme === 'https' ? 443 : 80) : Number(uri.port),
			method,
			path: (uri.pathname === '' ? '/' : uri.pathname) + uri.search,
			headers,
			agent: false,
		});
		untrack = track(() => fail({ code: 'EMULATOR_STOPPED', message: 'The emulator stopped before the handler answered' }));
		// stream_socket_client's socketTimeout: the connection must be made in time.
		const connectTimer = setTimeout(() => fail(connectError('ETIMEDOUT')), connectMs);
		req.on('socket', (socket) => {
			socket.once('connect', () => {
				connected = true;
				clearTimeout(connectTimer);
				// The stream timeout: no data for that long ends the wait (Socket\Queue's time-out control).
				socket.setTimeout(readMs, () => fail(network('Stream timeout has been reached.')));
			});
			socket.once('secureConnect', () => {
				secured = true;
			});
		});
		req.on('finish', () => {
			written = true;
		});
		req.on('error', (e: NodeJS.ErrnoException) => {
			if (responded) return; // the answer's own handlers end it
			if (!connected) return fail(connectError(e.code));
			// Socket\Handler: enableCrypto() failing; a write failing; the server closing without an answer.
			if (!secured) return fail(network('Error establishing an SSL connection.'));
			if (!written) return fail(network('Error sending the message headers.'));
			fail(network('Empty response from the server.'));
		});
		req.on('response', (res) => {
			responded = true;
			const chunks: Buffer[] = [];
			const done = () => {
				let data = Buffer.concat(chunks);
				// A gzip answer is inflated whatever was asked (HttpClient::setCompress's note).
				if (/gzip/i.test(String(res.headers['content-encoding'] ?? ''))) {
					try {
						data = gunzipSync(data);
					} catch {
						// left as received
					}
				}
				const location = res.headers.location;
				finish({ status: res.statusCode ?? 0, location: typeof location === 'string' ? location : undefined, body: data, headers });
			};
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', done);
			// Socket\Handler::receiveBody() reads to the end of the stream: a cut-off body is the body.
			res.on('close', done);
			res.on('error', done);
		});
		req.end(payload);
	});
}
