/**
 * A fake Stripe API, the one every suite runs the Stripe Checkout examples against: a server implementing only what
 * the examples and n8n's Stripe Trigger call, with Stripe's shapes:
 * - POST /v1/checkout/sessions: a form body with nested keys (`line_items[0][price_data][currency]`), the secret key
 *   as `Authorization: Bearer`, and `Idempotency-Key` (the same key with the same parameters gives the same session
 *   again, marked `Idempotent-Replayed`; with other parameters an `idempotency_error`; a request refused by
 *   validation saves nothing under its key, as Stripe documents);
 * - GET /v1/checkout/sessions/:id: the session as Stripe holds it now (`payment_status` 'unpaid' until the buyer
 *   pays), or Stripe's 404 `resource_missing` error for an id it does not know;
 * - POST / GET / DELETE /v1/webhook_endpoints[/id]: the secret `whsec_...` only in the answer to POST, as Stripe;
 * - `complete(sessionId)`: the buyer paid: the session is complete and paid, and Stripe posts `checkout.session.completed` to every enabled endpoint that
 *   takes it, signed as Stripe signs (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body" with the
 *   endpoint's secret>`); `deliver(event)` sends an event again (Stripe delivers at least once).
 * For a test that sets the scene itself: `open(fields)` is a session opened before the test, `pay(id)` the buyer
 * paying it with no event sent (the test posts its own, `stripeEvent(...)`), `failWith(status, body)` Stripe refusing
 * every request from then on. Every request is kept in `requests` with the status and body it was answered with.
 * Real Stripe wants a publicly reachable endpoint URL; the fake takes n8n's on 127.0.0.1 (users put the Stripe CLI or
 * a tunnel in between).
 *
 * It listens (`protocol`) over https by default, with a self-signed certificate for api.stripe.com: for n8n's own
 * processes (the end-to-end tests), which call https://api.stripe.com itself (`test/e2e/stripe-redirect.ts` sends
 * them here and makes them trust the certificate). Or over plain http: for the engine tests, where n8n's HTTP helper
 * runs in the Jest process and would not trust the certificate; they point the saved URL at `baseUrl`.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: an HTTP(S) server, never shipped */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { selfSignedCertificate } from '../emulator/tls';
import { parsePhpQuery } from '../emulator/php';

export const STRIPE_HOST = 'api.stripe.com';
const API_VERSION = '2025-05-28.basil';

/** Currencies without minor units (Stripe's "zero-decimal currencies"). */
const ZERO_DECIMAL = ['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];

/** Stripe's minimum charge per currency, in minor units (a few; 50 otherwise). */
const MINIMUM: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50 };

/** One request as the fake got it. */
export interface StripeRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	/** The form body, nested as Stripe reads it. */
	form: IDataObject;
	status: number;
	answer: IDataObject;
}

export interface WebhookEndpoint extends IDataObject {
	id: string;
	object: 'webhook_endpoint';
	url: string;
	enabled_events: string[];
	secret: string;
	status: 'enabled' | 'disabled';
	api_version: string | null;
	created: number;
}

export interface StripeEvent extends IDataObject {
	id: string;
	type: string;
	data: { object: IDataObject };
}

/** One post of an event to an endpoint: its answer. */
export interface EventDelivery {
	endpoint: string;
	status: number;
	body: string;
}

class StripeError extends Error {
	constructor(
		readonly status: number,
		readonly body: IDataObject,
	) {
		super(String(body.message));
	}
}

const id = (prefix: string, length = 24) => `${prefix}_${randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length)}`;

/**
 * A form body with Stripe's nested keys (`a[b][0][c]=v`): the bracket syntax PHP reads too, then objects whose keys
 * are 0..n-1 as lists, as Stripe reads them.
 */
export function parseStripeForm(body: string): IDataObject {
	const lists = (value: unknown): unknown => {
		if (typeof value !== 'object' || value === null) return value;
		const entries = Object.entries(value as IDataObject).map(([key, inner]) => [key, lists(inner)] as const);
		const indexed = entries.length > 0 && entries.every(([key], index) => key === String(index));
		return indexed ? entries.map(([, inner]) => inner) : Object.fromEntries(entries);
	};
	return lists(parsePhpQuery(body)) as IDataObject;
}

/** An endpoint as Stripe shows it after its creation: the secret only ever in the answer to POST. */
function withoutSecret(endpoint: WebhookEndpoint): IDataObject {
	const shown: IDataObject = { ...endpoint };
	delete shown.secret;
	return shown;
}

const missing = (param: string) =>
	new StripeError(400, { code: 'parameter_missing', message: `Missing required param: ${param}.`, param, type: 'invalid_request_error' });

export interface FakeStripeOptions {
	/** 'https' (the default; n8n's own processes) or 'http' (n8n-core in the Jest process). */
	protocol?: 'http' | 'https';
	/** The account's secret key: a random `sk_test_...` unless given. */
	secretKey?: string;
}

/** The event Stripe posts about `object` (a Checkout Session, as Stripe holds it then). */
export function stripeEvent(object: IDataObject, type = 'checkout.session.completed'): StripeEvent {
	return {
		id: id('evt'),
		object: 'event',
		api_version: API_VERSION,
		created: Math.floor(Date.now() / 1000),
		data: { object },
		livemode: false,
		pending_webhooks: 1,
		request: { id: null, idempotency_key: null },
		type,
	};
}

export class FakeStripe {
	/** The account's secret key: what the n8n credential holds. */
	readonly secretKey: string;
	/** Every request, with the status and body it was answered with. */
	readonly requests: StripeRequest[] = [];
	readonly sessions = new Map<string, IDataObject>();
	readonly endpoints = new Map<string, WebhookEndpoint>();
	readonly deliveries: EventDelivery[] = [];
	readonly protocol: 'http' | 'https';
	port = 0;
	/** The self-signed certificate for api.stripe.com (over https only). */
	readonly certPath: string | undefined;
	private readonly idempotent = new Map<string, { form: string; status: number; answer: IDataObject }>();
	private failure: { status: number; body: IDataObject } | undefined;
	private readonly server: http.Server;

	private constructor(o: FakeStripeOptions) {
		this.protocol = o.protocol ?? 'https';
		this.secretKey = o.secretKey ?? `sk_test_${randomBytes(18).toString('hex')}`;
		const listener: http.RequestListener = (req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
		};
		if (this.protocol === 'http') {
			this.server = http.createServer(listener);
			return;
		}
		const tls = selfSignedCertificate([STRIPE_HOST]);
		if (!tls) throw new Error('openssl is needed for the fake Stripe\'s certificate');
		this.certPath = tls.certPath;
		this.server = https.createServer({ key: tls.key, cert: tls.cert }, listener);
	}

	static async start(o: FakeStripeOptions = {}): Promise<FakeStripe> {
		const stripe = new FakeStripe(o);
		await new Promise<void>((resolve) => stripe.server.listen(0, '127.0.0.1', () => resolve()));
		stripe.port = (stripe.server.address() as AddressInfo).port;
		return stripe;
	}

	/** `http(s)://127.0.0.1:<port>`: what a test puts in place of https://api.stripe.com. */
	get baseUrl(): string {
		return `${this.protocol}://127.0.0.1:${this.port}`;
	}

	/** The requests to `path` (and `method`). */
	calls(method: string, path: string): StripeRequest[] {
		return this.requests.filter((request) => request.method === method && request.path === path);
	}

	/** The session as Stripe holds it: the object itself (changing it is Stripe's state changing). */
	session(sessionId: string): IDataObject {
		const session = this.sessions.get(sessionId);
		if (!session) throw new Error(`fake Stripe: no session ${sessionId}`);
		return session;
	}

	/**
	 * A session opened before the test: as Stripe makes one (open, unpaid) with `fields` over it (an `id`, the amount,
	 * or a status: already paid). Gives a copy.
	 */
	open(fields: IDataObject): IDataObject {
		return this.store(fields);
	}

	/** The buyer paid on Stripe's page: the session complete and paid. Gives a copy, as an event carries it; posts nothing. */
	pay(sessionId: string): IDataObject {
		return { ...Object.assign(this.session(sessionId), { status: 'complete', payment_status: 'paid', payment_intent: id('pi') }) };
	}

	/**
	 * The buyer paid the session (`pay`), and `checkout.session.completed` goes to every enabled endpoint that takes
	 * it. Returns the event and its posts.
	 */
	async complete(sessionId: string): Promise<{ event: StripeEvent; deliveries: EventDelivery[] }> {
		const event = stripeEvent(this.pay(sessionId));
		return { event, deliveries: await this.deliver(event) };
	}

	/** Every request from now on is answered with `status` and `body`, whatever it asks (the key not checked). */
	failWith(status: number, body: IDataObject) {
		this.failure = { status, body };
	}

	/** Posts `event` to every enabled endpoint that takes its type, signed now with each endpoint's secret. */
	async deliver(event: StripeEvent, o: { secret?: string } = {}): Promise<EventDelivery[]> {
		const body = JSON.stringify(event, null, 2);
		const made: EventDelivery[] = [];
		for (const endpoint of this.endpoints.values()) {
			if (endpoint.status !== 'enabled' || !(endpoint.enabled_events.includes(event.type) || endpoint.enabled_events.includes('*'))) continue;
			const t = Math.floor(Date.now() / 1000);
			const v1 = createHmac('sha256', o.secret ?? endpoint.secret).update(`${t}.${body}`).digest('hex');
			const response = await fetch(endpoint.url, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json; charset=utf-8',
					'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
					'Stripe-Signature': `t=${t},v1=${v1}`,
				},
				body,
			});
			made.push({ endpoint: endpoint.id, status: response.status, body: await response.text() });
		}
		this.deliveries.push(...made);
		return made;
	}

	async stop() {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
		const url = new URL(req.url ?? '/', `https://${STRIPE_HOST}`);
		const method = req.method ?? 'GET';
		const form = parseStripeForm(method === 'GET' ? url.search.slice(1) : body);
		const answer = (status: number, json: IDataObject, headers: Record<string, string> = {}) => {
			this.requests.push({ method, path: url.pathname, headers: req.headers, form, status, answer: json });
			res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': id('req', 14), 'Stripe-Version': API_VERSION, ...headers });
			res.end(JSON.stringify(json, null, 2));
		};
		if (this.failure) return answer(this.failure.status, this.failure.body);
		try {
			this.authenticate(req.headers.authorization);
			const key = req.headers['idempotency-key'];
			if (method === 'POST' && typeof key === 'string') {
				const saved = this.idempotent.get(`${url.pathname} ${key}`);
				if (saved && saved.form !== JSON.stringify(form)) {
					throw new StripeError(400, {
						message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
						type: 'idempotency_error',
					});
				}
				if (saved) return answer(saved.status, saved.answer, { 'Idempotent-Replayed': 'true', 'Original-Request': 'req_original' });
				const made = this.route(method, url.pathname, form);
				this.idempotent.set(`${url.pathname} ${key}`, { form: JSON.stringify(form), status: 200, answer: made });
				return answer(200, made, { 'Idempotency-Key': key });
			}
			answer(200, this.route(method, url.pathname, form));
		} catch (error) {
			// Anything but Stripe's own refusals is a fault of the fake: Stripe's answer to its own faults.
			if (error instanceof StripeError) answer(error.status, { error: error.body });
			else answer(500, { error: { message: `The fake Stripe failed: ${(error as Error).message}`, type: 'api_error' } });
		}
	}

	private authenticate(authorization: string | undefined) {
		const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
		const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
		const key = bearer ?? (basic ? Buffer.from(basic, 'base64').toString().split(':')[0] : undefined);
		if (!key) {
			throw new StripeError(401, {
				message:
					'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.',
				type: 'invalid_request_error',
			});
		}
		if (key !== this.secretKey) {
			throw new StripeError(401, { message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`, type: 'invalid_request_error' });
		}
	}

	private route(method: string, path: string, form: IDataObject): IDataObject {
		if (method === 'POST' && path === '/v1/checkout/sessions') return this.createSession(form);
		const sessionId = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path)?.[1];
		if (method === 'GET' && sessionId) {
			const session = this.sessions.get(sessionId);
			if (!session) {
				throw new StripeError(404, {
					code: 'resource_missing',
					doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
					message: `No such checkout.session: '${sessionId}'`,
					param: 'session',
					type: 'invalid_request_error',
				});
			}
			return { ...session };
		}
		if (method === 'POST' && path === '/v1/webhook_endpoints') return this.createEndpoint(form);
		if (method === 'GET' && path === '/v1/webhook_endpoints') {
			const data = [...this.endpoints.values()].map(withoutSecret);
			return { object: 'list', data, has_more: false, url: '/v1/webhook_endpoints' };
		}
		const endpointId = /^\/v1\/webhook_endpoints\/([^/]+)$/.exec(path)?.[1];
		if (endpointId && (method === 'GET' || method === 'DELETE')) {
			const endpoint = this.endpoints.get(endpointId);
			if (!endpoint) {
				throw new StripeError(404, {
					code: 'resource_missing',
					doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
					message: `No such webhook endpoint: '${endpointId}'`,
					param: 'id',
					type: 'invalid_request_error',
				});
			}
			if (method === 'DELETE') {
				this.endpoints.delete(endpointId);
				return { id: endpointId, object: 'webhook_endpoint', deleted: true };
			}
			return withoutSecret(endpoint);
		}
		throw new StripeError(404, { message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, type: 'invalid_request_error' });
	}

	private createEndpoint(form: IDataObject): WebhookEndpoint {
		if (!form.url) throw missing('url');
		const events = form.enabled_events;
		if (!Array.isArray(events) || events.length === 0) throw missing('enabled_events');
		const endpoint: WebhookEndpoint = {
			id: id('we'),
			object: 'webhook_endpoint',
			api_version: typeof form.api_version === 'string' ? form.api_version : null,
			application: null,
			created: Math.floor(Date.now() / 1000),
			description: typeof form.description === 'string' ? form.description : null,
			enabled_events: events.map(String),
			livemode: false,
			metadata: {},
			secret: `whsec_${randomBytes(24).toString('hex')}`,
			status: 'enabled',
			url: String(form.url),
		};
		this.endpoints.set(endpoint.id, endpoint);
		return { ...endpoint };
	}

	private createSession(form: IDataObject): IDataObject {
		if (!form.mode) throw missing('mode');
		if (form.mode !== 'payment') throw new StripeError(400, { message: 'The fake Stripe makes payment sessions only.', param: 'mode', type: 'invalid_request_error' });
		if (!form.success_url) throw missing('success_url');
		const lines = form.line_items;
		if (!Array.isArray(lines) || lines.length === 0) throw missing('line_items');
		let total = 0;
		let currency = '';
		lines.forEach((line: IDataObject, index) => {
			const price = (line.price_data ?? {}) as IDataObject;
			if (!price.currency) throw missing(`line_items[${index}][price_data][currency]`);
			if (price.unit_amount === undefined) throw missing(`line_items[${index}][price_data][unit_amount]`);
			const amount = Number(price.unit_amount);
			if (!Number.isInteger(amount) || amount < 0) {
				throw new StripeError(400, { message: `Invalid integer: ${String(price.unit_amount)}`, param: `line_items[${index}][price_data][unit_amount]`, type: 'invalid_request_error' });
			}
			currency = String(price.currency).toLowerCase();
			total += amount * Number(line.quantity ?? 1);
		});
		const minimum = MINIMUM[currency] ?? 50;
		if (total < minimum) {
			const shown = ZERO_DECIMAL.includes(currency.toUpperCase()) ? String(minimum) : (minimum / 100).toFixed(2);
			throw new StripeError(400, {
				code: 'amount_too_small',
				doc_url: 'https://stripe.com/docs/error-codes/amount-too-small',
				message: `The Checkout Session's total amount due must add up to at least ${currency === 'usd' ? '$' : ''}${shown} ${currency}`,
				type: 'invalid_request_error',
			});
		}
		return this.store({
			amount_subtotal: total,
			amount_total: total,
			cancel_url: form.cancel_url ?? null,
			client_reference_id: form.client_reference_id ?? null,
			currency,
			metadata: form.metadata ?? {},
			success_url: form.success_url,
		});
	}

	/** A session as Stripe makes one (open, unpaid, its page's URL), with `fields` over it; kept. Gives a copy. */
	private store(fields: IDataObject): IDataObject {
		const now = Math.floor(Date.now() / 1000);
		const sessionId = typeof fields.id === 'string' ? fields.id : id('cs_test', 58);
		const session: IDataObject = {
			id: sessionId,
			object: 'checkout.session',
			amount_subtotal: fields.amount_total ?? null,
			amount_total: null,
			cancel_url: null,
			client_reference_id: null,
			created: now,
			currency: null,
			customer: null,
			expires_at: now + 24 * 3600,
			livemode: false,
			metadata: {},
			mode: 'payment',
			payment_intent: null,
			payment_status: 'unpaid',
			status: 'open',
			success_url: null,
			url: `https://checkout.stripe.com/c/pay/${sessionId}`,
			...fields,
		};
		this.sessions.set(sessionId, session);
		return { ...session };
	}
}
