/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/no-restricted-globals -- test-only emulator: a local HTTP server (node:http) whose unexpected errors become a 500 and whose slow-answer fault waits on a timer, never shipped */
// A local Bitrix24 portal for tests: REST over webhooks and OAuth, the OAuth token
// endpoint, and a log of every request. Answers copy the real portal (statuses,
// error bodies, the `time` block) so a client is judged against real behaviour.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';

import { authorize, authorizeRequestOf } from './authorize';
import { runBatch, type Invocation, type RecordedCommand } from './batch';
import { createBuyer, type BuyerActions, type CheckoutRecord } from './checkout';
import { formatPortal, offsetMinutes, parseLoose } from './datetime';
import { RestError, authErrors, errorBody } from './errors';
import {
	EventQueue,
	hasPaymentListeners,
	jobsFor,
	paymentEvents,
	snapshotPayment,
	snapshotPayments,
	type Delivery,
	type DeliveryJob,
	type PaymentEventCode,
} from './events';
import { LeakyBucket, OperatingClock, faultError, type Fault } from './limits';
import { METHODS, PAYMENT_EVENTS, PagedResult, type Caller, type MethodDef } from './methods';
import { cleanStaleReservations, queueOffline, type ChangeSource } from './offline';
import { DEFAULT_OPTIONS, type EmulatorOptions, type RuntimeOptions } from './options';
import { parsePhpQuery, phpBuildQuery, phpEmpty, type Params } from './php';
import { allows } from './plan';
import { selfSignedCertificate } from './tls';
import {
	ALL_SCOPES,
	DEFAULT_WEBHOOK_SECRET,
	SEED_IDS,
	createSeedState,
	deletePaymentRow,
	newPaymentRow,
	randomToken,
	type EmulatorState,
	type OAuthApp,
	type OfflineEventRecord,
	type SalePayment,
} from './state';

export {
	DEFAULT_WEBHOOK_SECRET,
	SEED_IDS,
	READ_ONLY_WEBHOOK,
	CRM_ONLY_WEBHOOK,
	ALL_SCOPES,
	EMULATOR_HANDLER_CODE,
	CRM_TYPES,
	createSeedState,
	crmItemKey,
} from './state';
export type {
	EmulatorState,
	SalePayment,
	PaySystem,
	WebhookRecord,
	PortalUser,
	PaySystemHandler,
	SettingMapping,
	PersonType,
	SaleOrder,
	CrmItem,
	ProductRow,
	Shipment,
	PayableItem,
	LegacyInvoice,
	OAuthApp,
	EventHandlerRecord,
	OutgoingWebhook,
	OfflineEventRecord,
} from './state';
export type { Delivery, PaymentEventCode } from './events';
export type { BuyerActions, CheckoutError, CheckoutOptions, CheckoutRecord, CheckoutResult } from './checkout';
export { PAYMENT_EVENTS } from './methods';
export { PROCESS_ID_LIFETIME, offlineMessageId } from './offline';
export type { EmulatorOptions, RuntimeOptions } from './options';
export { STANDARD_BUCKET } from './limits';
export type { BucketSettings, Fault, FaultKind, OperatingSettings } from './limits';
export { RestError } from './errors';
export type { RecordedCommand } from './batch';
export { qrPng } from './methods/salescenter';

export interface RecordedRequest {
	httpMethod: string;
	path: string;
	/** Lowercased REST method for /rest/ calls (also when auth then failed), else null. */
	restMethod: string | null;
	auth: 'webhook' | 'oauth' | 'none' | 'token-endpoint' | 'sign-in';
	userId?: number;
	headers: Record<string, string | string[] | undefined>;
	query: Record<string, unknown>;
	body: Record<string, unknown>;
	rawBody: string;
	/** query merged with body, body wins (as the portal reads them) */
	params: Record<string, unknown>;
	/** When it arrived (Date.now()). */
	receivedAt: number;
	status: number;
	response: unknown;
	/** The injected fault this request met, if any. */
	fault?: Fault['kind'];
	/** Whether the method ran (and may have changed state). */
	ran?: boolean;
	/** For a `batch` request that got past auth and the limits: its commands, in the order they were settled. */
	commands?: RecordedCommand[];
}

/** One attempt to run a REST method: a plain request or a command inside a batch. */
export interface MethodCall {
	/** Lowercased method name. */
	method: string;
	/** What the method was given (without `auth`/`access_token`; batch commands after reference substitution). */
	params: Record<string, unknown>;
	via: 'request' | 'batch';
	/** Whether the method ran (and may have changed state). */
	ran: boolean;
	fault?: Fault['kind'];
	/** Error code as a string when the attempt failed with a JSON error (a fault's code included). */
	error?: string;
	/** HTTP status of a plain request (0: no answer); absent for batch commands. */
	status?: number;
}

/** An event a change fired: what deliveries and the offline queue got. */
export interface FiredEvent {
	event: PaymentEventCode;
	paymentId: number;
}

/** Who does a person's change (default the admin, user 1). */
export interface PersonOptions {
	userId?: number;
}

/** Payment fields a person can edit in the UI (`edit`); `id` and `orderId` are not among them. */
export type PersonEditFields = Partial<Omit<SalePayment, 'id' | 'orderId'>>;

/**
 * Changes made as a person in Bitrix24 would make them (the UI, not REST): the payment is saved as Payment::save()
 * saves it and fires what the portal fires (deliveries to online handlers, rows in every offline queue), attributed
 * to the user and to no app or connector. Each answers the events it fired (none when nothing changed) and throws
 * an Error for an unknown payment.
 */
export interface PersonActions {
	/**
	 * Marks it paid (Sale\Payment::onFieldModify('PAID')): datePaid = `datePaid` (a portal datetime string, read as
	 * the portal reads input, epoch ms or a Date) or now, empPaidId = the user, isReturn 'N'. A paid one: nothing.
	 */
	pay(paymentId: number, o?: PersonOptions & { datePaid?: string | number | Date }): FiredEvent[];
	/** paid = 'N', as crm.item.payment.unpay and sale.payment.update do (datePaid and empPaidId stay). */
	unpay(paymentId: number, o?: PersonOptions): FiredEvent[];
	/**
	 * Sets fields as given (no stamps: use pay/unpay for that); a new paySystemId also sets paySystemName,
	 * paySystemXmlId and paySystemIsCash (an unknown one throws).
	 */
	edit(paymentId: number, fields: PersonEditFields, o?: PersonOptions): FiredEvent[];
	/** Deletes it with its lines; a paid one is refused as the portal refuses it (throws). */
	delete(paymentId: number, o?: PersonOptions): FiredEvent[];
}

/** A webhook's or token's caller, and the key its operating time is counted under. */
interface Auth {
	caller: Caller;
	authKey: string;
}

/** What Bitrix24's token endpoint answers. */
export interface OAuthTokenData {
	access_token: string;
	expires: number;
	expires_in: number;
	scope: string;
	domain: string;
	server_endpoint: string;
	status: string;
	client_endpoint: string;
	member_id: string;
	user_id: number;
	refresh_token: string;
}

const ACCESS_TTL_MS = 3600 * 1000;
const REFRESH_TTL_MS = 180 * 24 * 3600 * 1000;
const AUTH_CODE_TTL_MS = 30 * 1000;

export class Bitrix24Emulator {
	readonly options: RuntimeOptions;
	state: EmulatorState;
	requests: RecordedRequest[] = [];
	/** Optional tap, e.g. for logging in the CLI. */
	onRequest?: (r: RecordedRequest) => void;

	private readonly startOptions: RuntimeOptions;
	// One port for both, as a portal answers http and https: the first byte of a connection tells TLS (a handshake,
	// 0x16) from plain HTTP. https exists for the sign-in page, which n8n's OAuth2 credential opens as https://.
	private readonly server: net.Server;
	private readonly sockets = new Set<net.Socket>();
	private readonly plain: http.Server;
	private readonly secure?: https.Server;
	/** The self-signed certificate of the https side (undefined without openssl): trust it, or click through. */
	readonly certificatePath?: string;
	private url = '';
	private bucket = new LeakyBucket();
	private clock = new OperatingClock();
	private faults: Fault[] = [];
	private readonly eventQueue = new EventQueue(
		() => this.options.eventDelayMs,
		(job) => this.eventBody(job),
	);

	/** Payment changes as a person in Bitrix24's UI makes them (see PersonActions). */
	readonly person: PersonActions = {
		pay: (paymentId, o = {}) => {
			const userId = o.userId ?? SEED_IDS.users.ADMIN;
			return this.personChange(paymentId, userId, (p, now) => {
				if (p.paid === 'Y') return; // an unchanged field: nothing to save
				p.paid = 'Y';
				p.datePaid = formatPortal(o.datePaid === undefined ? now : this.instant(o.datePaid), this.options.timeZone);
				p.empPaidId = userId;
				p.isReturn = 'N';
			});
		},
		unpay: (paymentId, o = {}) =>
			this.personChange(paymentId, o.userId ?? SEED_IDS.users.ADMIN, (p) => {
				p.paid = 'N';
			}),
		edit: (paymentId, fields, o = {}) =>
			this.personChange(paymentId, o.userId ?? SEED_IDS.users.ADMIN, (p) => {
				const rest: PersonEditFields & { id?: unknown; orderId?: unknown } = { ...fields };
				delete rest.id;
				delete rest.orderId;
				if (rest.paySystemId !== undefined && rest.paySystemId !== p.paySystemId) {
					const sys = this.state.paySystems.get(rest.paySystemId);
					if (!sys) throw new Error(`person.edit: no pay system ${rest.paySystemId}`);
					p.paySystemName = sys.NAME;
					p.paySystemXmlId = sys.XML_ID ?? '';
					p.paySystemIsCash = sys.IS_CASH;
				}
				Object.assign(p, rest);
			}),
		delete: (paymentId, o = {}) =>
			this.personChange(paymentId, o.userId ?? SEED_IDS.users.ADMIN, (p) => {
				// Sale\Payment::delete() refuses a paid payment, whoever asks.
				if (p.paid === 'Y') throw new Error(`person.delete: payment ${paymentId} is paid (Partial payment done. Cancel payment)`);
				deletePaymentRow(this.state, paymentId);
			}),
	};

	/** Every `buyer.pay` call since the last reset, in the order they finished (see checkout.ts). */
	checkouts: CheckoutRecord[] = [];
	/** Checkout requests in flight (stop() aborts them). */
	private readonly checkoutAborts = new Set<() => void>();

	/**
	 * The buyer's side of paying: Sales Center's payment page running a pay system's REST handler in checkout mode
	 * (the portal POSTs to CHECKOUT_DATA.ACTION_URI and stores the answer's PAYMENT_ID). The buyer is not signed in,
	 * so the saves it makes fire events caused by no user. See checkout.ts.
	 */
	readonly buyer: BuyerActions = createBuyer({
		state: () => this.state,
		options: () => this.options,
		baseUrl: () => this.baseUrl,
		save: (paymentId, change) => void this.personChange(paymentId, 0, change),
		record: (r) => this.checkouts.push(r),
		track: (abort) => {
			this.checkoutAborts.add(abort);
			return () => this.checkoutAborts.delete(abort);
		},
	});

	static async start(options: EmulatorOptions = {}): Promise<Bitrix24Emulator> {
		const emulator = new Bitrix24Emulator(options);
		await new Promise<void>((resolve, reject) => {
			emulator.server.once('error', reject);
			emulator.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
		});
		const { address, port } = emulator.server.address() as AddressInfo;
		emulator.url = options.url ? options.url.replace(/\/+$/, '') : `http://${urlHost(advertisedAddress(address))}:${port}`;
		return emulator;
	}

	private constructor(options: EmulatorOptions) {
		const rest: EmulatorOptions = { ...options };
		delete rest.port;
		delete rest.host;
		delete rest.url;
		this.startOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(rest) };
		offsetMinutes(this.startOptions.timeZone); // fail fast on a bad offset
		this.options = { ...this.startOptions };
		this.state = createSeedState(this.options.timeZone);
		const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
			this.handle(req, res).catch((e) => {
				if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end(String(e));
			});
		};
		this.plain = http.createServer(listener);
		const tls = selfSignedCertificate();
		if (tls) {
			this.secure = https.createServer({ key: tls.key, cert: tls.cert }, listener);
			this.certificatePath = tls.certPath;
		}
		this.server = net.createServer((socket) => {
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
			socket.once('data', (first) => {
				socket.pause();
				socket.unshift(first);
				(first[0] === 0x16 && this.secure ? this.secure : this.plain).emit('connection', socket);
				process.nextTick(() => socket.resume());
			});
		});
	}

	/** The base URL it gives out (see `url` in the options). */
	get baseUrl(): string {
		return this.url;
	}

	/** Where the server listens, e.g. `0.0.0.0:8624` or `127.0.0.1:41234`. */
	get listenAddress(): string {
		const { address, port } = this.server.address() as AddressInfo;
		return `${urlHost(address)}:${port}`;
	}

	get oauthApp(): OAuthApp {
		return this.state.oauthApps[0];
	}

	webhookUrl(userId = 1, secret = DEFAULT_WEBHOOK_SECRET): string {
		return `${this.baseUrl}/rest/${userId}/${secret}/`;
	}

	addWebhook(w: { userId: number; secret: string; scopes: string[]; canWrite: boolean }): void {
		this.state.webhooks = this.state.webhooks.filter((x) => !(x.userId === w.userId && x.secret === w.secret));
		this.state.webhooks.push({ ...w, scopes: [...w.scopes] });
	}

	/** Requests that reached /rest/<method>, optionally for one method (case-insensitive). */
	restCalls(method?: string): RecordedRequest[] {
		const m = method?.toLowerCase();
		return this.requests.filter((r) => r.restMethod !== null && (m === undefined || r.restMethod === m));
	}

	/**
	 * Every attempt to run a REST method, in order: plain /rest/ requests (auth failures and unknown methods
	 * included) and the commands of batch requests; the outer `batch` requests themselves are left out.
	 */
	methodCalls(method?: string): MethodCall[] {
		const m = method?.toLowerCase();
		const calls = this.restCalls().flatMap((r) => (r.restMethod === 'batch' ? (r.commands ?? []).map(commandCall) : [requestCall(r)]));
		return m === undefined ? calls : calls.filter((c) => c.method === m);
	}

	tokenRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.auth === 'token-endpoint');
	}

	/**
	 * Re-seed data (event bindings, outgoing webhooks and the offline queue too), clear the logs and the event queue,
	 * restore the options given to start().
	 */
	reset(): void {
		Object.assign(this.options, this.startOptions);
		this.state = createSeedState(this.options.timeZone);
		this.requests = [];
		this.bucket = new LeakyBucket();
		this.clock.clear();
		this.faults = [];
		this.eventQueue.reset();
		this.checkouts = [];
	}

	/** The next matching request(s) meet this fault (see `Fault`). */
	injectFault(fault: Fault): void {
		this.faults.push({ ...fault, times: fault.times ?? 1 });
	}

	/** Requests the portal's bucket refused with QUERY_LIMIT_EXCEEDED since the last reset. */
	get refusedByBucket(): number {
		return this.bucket.refused;
	}

	/**
	 * A token pair as the token endpoint would hand it out (the refresh token works once), for the seeded app or
	 * the app `clientId` (see addOAuthApp).
	 */
	issueToken(o: { scopes?: string[]; userId?: number; expired?: boolean; clientId?: string } = {}): OAuthTokenData {
		const clientId = o.clientId ?? this.oauthApp.clientId;
		if (!this.state.oauthApps.some((a) => a.clientId === clientId)) throw new Error(`issueToken: no OAuth app ${clientId}`);
		return this.issue(o.userId ?? 1, o.scopes ?? [...ALL_SCOPES], clientId, o.expired ?? false);
	}

	/** Installs another app (its bindings are its own); scopes default to all, the application token is random. */
	addOAuthApp(a: { clientId: string; clientSecret: string; scopes?: string[]; handlerUrl?: string }): OAuthApp {
		if (this.state.oauthApps.some((x) => x.clientId === a.clientId)) throw new Error(`addOAuthApp: ${a.clientId} exists`);
		const app: OAuthApp = {
			clientId: a.clientId,
			clientSecret: a.clientSecret,
			scopes: [...(a.scopes ?? ALL_SCOPES)],
			applicationToken: randomToken(),
			...(a.handlerUrl ? { handlerUrl: a.handlerUrl } : {}),
		};
		this.state.oauthApps.push(app);
		return app;
	}

	// ---- events ----

	/**
	 * Registers an outgoing webhook as the portal's UI does (Developer resources > Other > Outgoing webhook): one
	 * b_rest_event row per event (its id is the event_handler_id sent), one random application token for all.
	 * Event codes are case-insensitive; only the payment events exist here.
	 */
	addOutgoingWebhook(w: { handler: string; events: string[] }): { id: number; applicationToken: string } {
		const events = [...new Set(w.events.map((e) => e.toUpperCase()))];
		for (const e of events) if (!Object.prototype.hasOwnProperty.call(PAYMENT_EVENTS, e)) throw new Error(`addOutgoingWebhook: unknown event ${e}`);
		const id = ++this.state.lastIds.outgoingWebhook;
		const applicationToken = randomToken();
		this.state.outgoingWebhooks.push({ id, handler: w.handler, events, applicationToken });
		for (const event of events) {
			this.state.eventHandlers.push({
				id: ++this.state.lastIds.eventHandler,
				clientId: null,
				event,
				handler: w.handler,
				userId: 0,
				offline: false,
				connectorId: '',
				outgoingWebhookId: id,
			});
		}
		return { id, applicationToken };
	}

	/** Every POST the event queue made since the last reset, in the order they were sent. */
	deliveries(): Delivery[] {
		return this.eventQueue.deliveries();
	}

	/** Resolves once the event queue is empty (nothing waiting, nothing in flight). */
	deliveriesSettled(): Promise<void> {
		return this.eventQueue.settled();
	}

	/**
	 * Test-only: POSTs a form body (fields encoded as http_build_query does, or a raw string) to a handler, e.g. a
	 * forged event. Not recorded in deliveries(). Answers the handler's status, 0 if it could not be reached.
	 */
	async sendEvent(handler: string, fields: Record<string, unknown> | string): Promise<number> {
		const body = typeof fields === 'string' ? fields : phpBuildQuery(fields);
		try {
			const res = await fetch(handler, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
			await res.arrayBuffer().catch(() => undefined);
			return res.status;
		} catch {
			return 0;
		}
	}

	/**
	 * Copies of the offline event queue's rows (b_rest_event_offline), in id order; only one app's or connector's
	 * when asked.
	 */
	offlineRecords(o: { clientId?: string; connectorId?: string } = {}): OfflineEventRecord[] {
		return this.state.offlineEvents
			.filter((r) => (o.clientId === undefined || r.clientId === o.clientId) && (o.connectorId === undefined || r.connectorId === o.connectorId))
			.sort((a, b) => a.id - b.id)
			.map((r) => structuredClone(r));
	}

	/**
	 * Runs the portal's clean-up of reservations nobody cleared: reserved rows whose TIMESTAMP_X is more than
	 * PROCESS_ID_LIFETIME (2 952 000 s) before `now` (epoch ms) are deleted. Answers how many went.
	 */
	cleanStaleReservations(now: number = Date.now()): number {
		return cleanStaleReservations(this.state, now);
	}

	/**
	 * For benchmarks: `count` new order payments (seedOrderPayments, `overrides` as there), each then paid as a person
	 * (`userId`, default the admin), so every offline binding's queue gets one row per payment and online handlers one
	 * post each. Returns the ids, ascending.
	 */
	seedChangedPayments(count: number, o: PersonOptions & { overrides?: Partial<Omit<SalePayment, 'id'>> } = {}): number[] {
		const ids = this.seedOrderPayments(count, o.overrides);
		for (const id of ids) this.person.pay(id, { userId: o.userId });
		return ids;
	}

	/** The portal's host as events name it in auth[domain]. */
	private get domain(): string {
		return new URL(this.baseUrl).host;
	}

	/**
	 * The body the queue posts: event, event_handler_id, data[FIELDS][ID], ts, auth. An outgoing webhook gets
	 * domain, client_endpoint, server_endpoint, member_id, application_token; an app also an access token issued
	 * for it (its scopes) and the user, unless there is no user (automation), and no refresh token (see options).
	 */
	private eventBody(job: DeliveryJob): string {
		const common = {
			domain: this.domain,
			client_endpoint: `${this.baseUrl}/rest/`,
			server_endpoint: `${this.baseUrl}/oauth/rest/`,
			member_id: this.state.memberId,
		};
		let auth: Record<string, unknown>;
		if (job.kind === 'outgoing') {
			auth = { ...common, application_token: job.applicationToken ?? '' };
		} else {
			const app = this.state.oauthApps.find((a) => a.clientId === job.clientId);
			const applicationToken = app?.applicationToken ?? '';
			if (!app || job.userId <= 0) {
				auth = { ...common, application_token: applicationToken };
			} else {
				const token = this.issue(job.userId, app.scopes, app.clientId, false);
				if (!this.options.eventRefreshToken) this.state.refreshTokens.delete(token.refresh_token);
				auth = {
					access_token: token.access_token,
					expires_in: token.expires_in,
					scope: token.scope,
					domain: common.domain,
					server_endpoint: common.server_endpoint,
					status: token.status,
					client_endpoint: common.client_endpoint,
					member_id: common.member_id,
					...(this.options.eventRefreshToken ? { refresh_token: token.refresh_token } : {}),
					application_token: applicationToken,
				};
			}
		}
		return phpBuildQuery({
			event: job.event,
			event_handler_id: job.eventHandlerId,
			data: { FIELDS: { ID: job.paymentId } },
			ts: job.ts,
			auth,
		});
	}


	/** An authorization code for grant_type=authorization_code (lives 30 s, works once). */
	issueAuthCode(o: { scopes?: string[]; userId?: number; clientId?: string } = {}): string {
		const code = randomBytes(16).toString('hex');
		this.state.authCodes.set(code, {
			userId: o.userId ?? 1,
			scopes: o.scopes ?? [...ALL_SCOPES],
			clientId: o.clientId ?? this.oauthApp.clientId,
			expiresAt: Date.now() + AUTH_CODE_TTL_MS,
		});
		return code;
	}

	/**
	 * Adds `count` order payments in one go (for paging tests): unpaid, sum 100, pay system 2, in the
	 * shop order 202 (no CRM binding, so crm.item.payment.list does not see them) unless `overrides`
	 * says otherwise (`orderId` must name a seeded or created order). Returns the new ids, ascending.
	 */
	seedOrderPayments(count: number, overrides: Partial<Omit<SalePayment, 'id'>> = {}): number[] {
		const orderId = overrides.orderId ?? SEED_IDS.orders.PLAIN;
		const order = this.state.orders.get(orderId);
		if (!order) throw new Error(`seedOrderPayments: no order ${orderId}`);
		const paySystemId = overrides.paySystemId ?? SEED_IDS.paySystems.BANK_TRANSFER;
		const sys = this.state.paySystems.get(paySystemId);
		const now = formatPortal(Date.now(), this.options.timeZone);
		const ids: number[] = [];
		for (let i = 0; i < count; i++) {
			const row = newPaymentRow(this.state, order, now, 1, {
				sum: 100,
				paySystemId,
				paySystemName: sys?.NAME ?? '',
				paySystemXmlId: sys?.XML_ID ?? '',
				paySystemIsCash: sys?.IS_CASH ?? 'N',
				...overrides,
				orderId,
			});
			ids.push(row.id);
		}
		return ids;
	}

	/** One person's change of one payment: saved, then fired as the portal fires it (only when something changed). */
	private personChange(paymentId: number, userId: number, change: (payment: SalePayment, now: number) => void): FiredEvent[] {
		const payment = this.state.payments.get(paymentId);
		if (!payment) throw new Error(`person: no payment ${paymentId}`);
		const now = Date.now();
		const before = snapshotPayment(this.state, paymentId);
		change(payment, now);
		const after = snapshotPayment(this.state, paymentId);
		if (before === after) return [];
		const fired: FiredEvent[] = [{ event: after === undefined ? 'ONPAYMENTDELETED' : 'ONPAYMENTENTITYSAVED', paymentId }];
		const jobs: DeliveryJob[] = [];
		this.firePaymentEvents(fired, userId, null, now, jobs);
		this.eventQueue.enqueue(jobs);
		return fired;
	}

	/**
	 * Sender::call for the events a change fired: a delivery job per online handler (into `jobs`), a row in each
	 * offline queue but the changing app's own connector's (`source`).
	 */
	private firePaymentEvents(fired: FiredEvent[], causedBy: number, source: ChangeSource | null, now: number, jobs: DeliveryJob[]): void {
		const ts = Math.floor(now / 1000);
		for (const e of fired) {
			jobs.push(...jobsFor(this.state, e.event, e.paymentId, causedBy, ts));
			queueOffline(this.state, e.event, e.paymentId, causedBy, source, now);
		}
	}

	/** A datetime given by a test: epoch ms, a Date, or a string read as the portal reads input (portal time). */
	private instant(value: string | number | Date): number {
		if (value instanceof Date) return value.getTime();
		if (typeof value === 'number') return value;
		const ms = parseLoose(value, this.options.timeZone);
		if (ms === null) throw new Error(`Unreadable datetime "${value}"`);
		return ms;
	}

	expireToken(accessToken: string): void {
		const t = this.state.tokens.get(accessToken);
		if (t) t.expired = true;
	}

	async stop(): Promise<void> {
		this.eventQueue.reset();
		for (const abort of [...this.checkoutAborts]) abort();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			for (const socket of this.sockets) socket.destroy();
		});
	}

	// ---- HTTP ----

	// Events the request caused go to the queue once it has answered (or failed to), as the portal's
	// background job sends them after the hit.
	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const events: DeliveryJob[] = [];
		try {
			await this.handleRequest(req, res, events);
		} finally {
			if (events.length > 0) this.eventQueue.enqueue(events);
		}
	}

	private async handleRequest(req: http.IncomingMessage, res: http.ServerResponse, events: DeliveryJob[]): Promise<void> {
		const startedAt = nowSeconds();
		const rawBody = await readBody(req);
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const query = parsePhpQuery(url.search.slice(1));
		const body = parseBody(req.headers['content-type'], rawBody);
		const rec: RecordedRequest = {
			httpMethod: req.method ?? 'GET',
			path: url.pathname,
			restMethod: null,
			auth: 'none',
			headers: { ...req.headers },
			query,
			body,
			rawBody,
			params: { ...query, ...body },
			receivedAt: Date.now(),
			status: 0,
			response: undefined,
		};
		this.requests.push(rec);

		let status: number;
		let payload: unknown;
		if (/^\/oauth\/authorize\/?$/.test(url.pathname)) {
			rec.auth = 'sign-in';
			return this.signIn(rec, res);
		} else if (/^\/oauth\/token\/?$/.test(url.pathname)) {
			rec.auth = 'token-endpoint';
			[status, payload] = this.tokenEndpoint(rec.params);
		} else if (url.pathname === '/rest' || url.pathname.startsWith('/rest/')) {
			const fault = this.takeFault(parseRestPath(url.pathname).method);
			if (fault && !fault.afterRun && fault.kind !== 'slow' && fault.kind !== 'late') return this.answerFault(fault, rec, req, res);
			if (fault?.kind === 'late') {
				rec.fault = 'late';
				await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
			}
			[status, payload] = this.restCall(rec, req, startedAt, events);
			if (fault?.kind === 'slow') {
				rec.fault = 'slow';
				await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000));
			} else if (fault && fault.kind !== 'late') return this.answerFault(fault, rec, req, res);
		} else {
			rec.status = 404;
			rec.response = 'Not Found';
			res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end('<html><body><h1>404 Not Found</h1></body></html>');
			this.onRequest?.(rec);
			return;
		}
		rec.status = status;
		rec.response = payload;
		// PHP's json_encode escapes "/" ("356\/1"); JSON parsers read both forms.
		const json = JSON.stringify(payload).replace(/\//g, '\\/');
		res.writeHead(status, {
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': Buffer.byteLength(json),
		});
		res.end(json);
		this.onRequest?.(rec);
	}

	private takeFault(method: string): Fault | undefined {
		return this.takeFaultWhere((f) => f.method === undefined || f.method.toLowerCase() === method);
	}

	// Inside a batch only faults that name the command's method and answer with a JSON error apply;
	// the rest wait for the outer request or for a plain request of that method.
	private takeCommandFault(method: string): Fault | undefined {
		return this.takeFaultWhere((f) => f.method?.toLowerCase() === method && faultError(f.kind) !== undefined);
	}

	private takeFaultWhere(matches: (f: Fault) => boolean): Fault | undefined {
		const index = this.faults.findIndex(matches);
		if (index < 0) return undefined;
		const fault = this.faults[index];
		fault.times = (fault.times ?? 1) - 1;
		if (fault.times <= 0) this.faults.splice(index, 1);
		return fault;
	}

	private answerFault(fault: Fault, rec: RecordedRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
		rec.fault = fault.kind;
		rec.restMethod ??= parseRestPath(rec.path).method || null;
		const send = (status: number, type: string, body: string) => {
			rec.status = status;
			rec.response = body;
			res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
			res.end(body);
		};
		const error = faultError(fault.kind);
		if (error) {
			const body = JSON.stringify({ error: error.code, error_description: error.description });
			send(error.status, 'application/json; charset=utf-8', body);
			this.onRequest?.(rec);
			return;
		}
		switch (fault.kind) {
			case 'badGateway':
				send(502, 'text/html', '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
				break;
			case 'htmlPage':
				send(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><h1>Bitrix24 is under maintenance</h1></body></html>');
				break;
			case 'emptyBody':
				send(200, 'application/json; charset=utf-8', '');
				break;
			case 'moved': {
				const location = `https://moved-portal.bitrix24.com${rec.path}`;
				rec.status = 302;
				rec.response = location;
				res.writeHead(302, { Location: location, 'Content-Length': 0 });
				res.end();
				break;
			}
			case 'reset':
			case 'slow': // slow and late answers never reach here: they are delayed, then answered
			case 'late':
				rec.status = 0;
				req.socket.destroy();
				break;
		}
		this.onRequest?.(rec);
	}

	private restCall(rec: RecordedRequest, req: http.IncomingMessage, startedAt: number, events: DeliveryJob[]): [number, unknown] {
		const { isWebhook, segments, method } = parseRestPath(rec.path);
		rec.restMethod = method === '' ? null : method;

		try {
			const auth = isWebhook ? this.webhookCaller(rec, Number(segments[0]), segments[1]) : this.oauthCaller(rec, req);
			const def = method === 'batch' ? this.batchMethod(rec, auth, events) : lookupMethod(method);
			const { value: result, time } = this.invoke(method, def, withoutAuth(rec.params), auth, startedAt, true, events);
			rec.ran = true;
			if (result instanceof PagedResult) {
				// CRestServer lifts `next` and `total` out of the result, next to it.
				const body: Record<string, unknown> = { result: result.result };
				if (result.next !== undefined) body.next = result.next;
				if (result.total !== undefined) body.total = result.total;
				body.time = time;
				return [200, body];
			}
			return [200, { result, time }];
		} catch (e) {
			if (e instanceof RestError) return [e.status, errorBody(e, this.options.codeStyle)];
			throw e;
		}
	}

	/**
	 * One method call as the portal runs it, alone or as a batch command: refused (unknown method, scope, limits)
	 * before it runs, then charged to its operating time. Only a request takes a place in the bucket. The payment
	 * events it caused (any payment row or line it added, changed or deleted) are added to `events`.
	 */
	private invoke(
		method: string,
		def: MethodDef | undefined,
		params: Params,
		auth: Auth,
		startedAt: number,
		takesBucket: boolean,
		events: DeliveryJob[],
	): Invocation {
		const { caller, authKey } = auth;
		if (!def) throw authErrors.methodNotFound();
		if (def.scope !== null && !caller.scopes.includes(def.scope)) throw authErrors.insufficientScope(caller.kind);
		// Both limits refuse a call before it runs.
		if (takesBucket && this.options.bucket) this.bucket.take(this.options.bucket, Date.now());
		const operatingKey = `${authKey}|${method}`;
		this.clock.check(operatingKey, this.options.operating, nowSeconds());

		const t0 = nowSeconds();
		// Only watched when someone listens: snapshots of 10 000 payments per call would slow every test down.
		// A batch is not watched as a whole: each of its commands is, as it runs.
		const before = method !== 'batch' && hasPaymentListeners(this.state) ? snapshotPayments(this.state) : undefined;
		const value = def.run({ params, caller, state: this.state, options: this.options, now: Date.now(), baseUrl: this.baseUrl });
		if (before) {
			const causedBy = this.options.automationEvents ? 0 : caller.userId;
			// An app's own change is not queued for its own connector's offline binding.
			const source = caller.kind === 'oauth' && caller.clientId !== undefined ? { clientId: caller.clientId, connectorId: caller.connectorId } : null;
			this.firePaymentEvents(paymentEvents(before, snapshotPayments(this.state)), causedBy, source, Date.now(), events);
		}
		const processing = nowSeconds() - t0;
		const cost = processing + (this.options.methodCost[method] ?? 0);
		const time = this.timeBlock(startedAt, processing, this.clock.record(operatingKey, this.options.operating, nowSeconds(), cost));
		return { value, time };
	}

	// `batch` needs no scope; its commands run with the outer request's caller and are logged on it.
	private batchMethod(rec: RecordedRequest, auth: Auth, events: DeliveryJob[]): MethodDef {
		return {
			scope: null,
			run: ({ params }) => {
				rec.commands = [];
				return runBatch(params, {
					codeStyle: this.options.codeStyle,
					// A copy, as for a plain request: a method may take params out (sale.payment.list's `start`).
					run: (method, commandParams) =>
						this.invoke(method, lookupMethod(method), { ...commandParams }, auth, nowSeconds(), false, events),
					takeFault: (method) => this.takeCommandFault(method),
					record: (command) => rec.commands?.push(command),
				});
			},
		};
	}

	private webhookCaller(rec: RecordedRequest, userId: number, secret: string): Auth {
		rec.auth = 'webhook';
		rec.userId = userId;
		const w = this.state.webhooks.find((x) => x.userId === userId && x.secret === secret);
		if (!w) throw authErrors.invalidCredentials();
		if (!this.options.restAvailable) throw authErrors.restUnavailable('webhook', this.options.plan);
		return {
			caller: { kind: 'webhook', userId, scopes: [...w.scopes], canWrite: w.canWrite, connectorId: '' },
			authKey: `webhook:${userId}:${secret}`,
		};
	}

	// Token from "Authorization: Bearer" (wins), else `auth`, else `access_token` in query/body.
	private oauthCaller(rec: RecordedRequest, req: http.IncomingMessage): Auth {
		const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
		const token = bearer ?? stringParam(rec.params.auth) ?? stringParam(rec.params.access_token);
		if (!token) throw authErrors.noAuth();
		rec.auth = 'oauth';
		const t = this.state.tokens.get(token);
		if (!t) throw authErrors.invalidToken();
		rec.userId = t.userId;
		if (t.expired || t.expiresAt <= Date.now()) throw authErrors.expiredToken();
		if (!this.options.restAvailable && this.options.plan !== 'selfHosted') throw authErrors.restUnavailable('oauth', this.options.plan);
		const canWrite = this.state.users.get(t.userId)?.canWrite ?? true;
		// auth_connector travels with the token (query or body) and is part of the auth data, not a method parameter.
		const connector = rec.params.auth_connector;
		const connectorId = typeof connector === 'string' || typeof connector === 'number' ? String(connector) : '';
		// CRestServer::checkAuth: `$this->authData['auth_connector'] && !$this->canUseConnectors()` (PHP truthiness).
		if (!phpEmpty(connectorId) && !allows(this.options.plan, 'rest_auth_connector')) throw authErrors.connectorsNotInPlan();
		return {
			caller: { kind: 'oauth', userId: t.userId, scopes: [...t.scopes], canWrite, clientId: t.clientId, connectorId },
			authKey: `oauth:${t.clientId}`,
		};
	}

	private timeBlock(
		start: number,
		processing: number,
		{ operating, resetAt }: { operating: number; resetAt: number },
	): Record<string, number | string> {
		const finish = nowSeconds();
		return {
			start,
			finish,
			duration: finish - start,
			processing,
			date_start: formatPortal(start * 1000, this.options.timeZone),
			date_finish: formatPortal(finish * 1000, this.options.timeZone),
			operating_reset_at: resetAt,
			operating,
		};
	}

	// ---- OAuth: the portal's sign-in page, and the token endpoint (oauth.bitrix.info/oauth/token/) ----

	private signIn(rec: RecordedRequest, res: http.ServerResponse): void {
		const answer = authorize(
			{
				apps: this.state.oauthApps,
				users: [...this.state.users.values()],
				domain: this.domain,
				memberId: this.state.memberId,
				issueCode: (app, userId) => this.issueAuthCode({ clientId: app.clientId, userId, scopes: app.scopes }),
			},
			authorizeRequestOf(rec.params),
			rec.httpMethod,
		);
		rec.status = answer.status;
		if ('location' in answer) {
			rec.response = answer.location;
			res.writeHead(302, { Location: answer.location });
			res.end();
		} else {
			rec.response = answer.html;
			res.writeHead(answer.status, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(answer.html);
		}
		this.onRequest?.(rec);
	}


	private tokenEndpoint(p: Params): [number, unknown] {
		const app = this.state.oauthApps.find((a) => a.clientId === p.client_id);
		if (!app || app.clientSecret !== p.client_secret) {
			return [401, { error: 'invalid_client', error_description: 'Invalid client credentials' }];
		}
		const now = Date.now();
		if (p.grant_type === 'refresh_token') {
			const key = stringParam(p.refresh_token) ?? '';
			const grant = this.state.refreshTokens.get(key);
			if (!grant || grant.clientId !== app.clientId || grant.expiresAt <= now) {
				return [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }];
			}
			this.state.refreshTokens.delete(key); // rotation: a refresh token works once
			return [200, this.issue(grant.userId, grant.scopes, app.clientId, false)];
		}
		if (p.grant_type === 'authorization_code') {
			const key = stringParam(p.code) ?? '';
			const grant = this.state.authCodes.get(key);
			if (!grant || grant.clientId !== app.clientId || grant.expiresAt <= now) {
				return [400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }];
			}
			this.state.authCodes.delete(key);
			return [200, this.issue(grant.userId, grant.scopes, app.clientId, false)];
		}
		return [400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' }];
	}

	private issue(userId: number, scopes: string[], clientId: string, expired: boolean): OAuthTokenData {
		const now = Date.now();
		const accessToken = randomBytes(16).toString('hex');
		const refreshToken = randomBytes(16).toString('hex');
		const expiresAt = expired ? now - 1000 : now + ACCESS_TTL_MS;
		this.state.tokens.set(accessToken, { accessToken, userId, scopes: [...scopes], clientId, expiresAt, expired });
		this.state.refreshTokens.set(refreshToken, { userId, scopes: [...scopes], clientId, expiresAt: now + REFRESH_TTL_MS });
		return {
			access_token: accessToken,
			expires: Math.floor(expiresAt / 1000),
			expires_in: 3600,
			scope: scopes.join(','),
			domain: 'oauth.bitrix.info',
			server_endpoint: `${this.baseUrl}/oauth/rest/`,
			status: 'L',
			client_endpoint: `${this.baseUrl}/rest/`,
			member_id: this.state.memberId,
			user_id: userId,
			refresh_token: refreshToken,
		};
	}
}

/** `/rest/1/secret/crm.item.payment.pay.json` or `/rest/crm.item.payment.pay`: the parts the portal reads. */
function parseRestPath(path: string): { isWebhook: boolean; segments: string[]; method: string } {
	const segments = path.slice('/rest/'.length).split('/');
	if (segments[segments.length - 1] === '') segments.pop();
	const isWebhook = segments.length >= 2 && /^\d+$/.test(segments[0]);
	const rawMethod = (isWebhook ? segments.slice(2) : segments).join('/');
	return { isWebhook, segments, method: rawMethod.replace(/\.json$/i, '').toLowerCase() };
}

function lookupMethod(method: string): MethodDef | undefined {
	return Object.prototype.hasOwnProperty.call(METHODS, method) ? METHODS[method] : undefined;
}

// The server reads the token (and the app's connector) from these and does not pass them on to the method.
function withoutAuth(params: Record<string, unknown>): Params {
	const rest: Params = { ...params };
	delete rest.auth;
	delete rest.access_token;
	delete rest.auth_connector;
	return rest;
}

function requestCall(r: RecordedRequest): MethodCall {
	const call: MethodCall = { method: r.restMethod ?? '', params: withoutAuth(r.params), via: 'request', ran: r.ran === true, status: r.status };
	if (r.fault) call.fault = r.fault;
	// A JSON fault's answer is kept as text; a slow answer is the method's own.
	const error = (r.fault && faultError(r.fault)?.code) ?? errorCode(r.response);
	if (error !== undefined) call.error = String(error);
	return call;
}

function commandCall(c: RecordedCommand): MethodCall {
	const call: MethodCall = { method: c.method, params: c.params, via: 'batch', ran: c.ran };
	if (c.fault) call.fault = c.fault;
	if (c.error !== undefined) call.error = c.error;
	return call;
}

function errorCode(response: unknown): unknown {
	return typeof response === 'object' && response !== null && 'error' in response ? (response as { error: unknown }).error : undefined;
}

function nowSeconds(): number {
	return (performance.timeOrigin + performance.now()) / 1000;
}

function stringParam(v: unknown): string | undefined {
	return typeof v === 'string' && v !== '' ? v : undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

// The portal reads JSON bodies and form bodies (PHP bracket syntax); other bodies are not parameters.
function parseBody(contentType: string | undefined, raw: string): Params {
	if (raw === '') return {};
	const ct = (contentType ?? '').toLowerCase();
	if (ct.includes('application/json')) {
		try {
			const v: unknown = JSON.parse(raw);
			return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Params) : {};
		} catch {
			return {};
		}
	}
	if (ct.includes('application/x-www-form-urlencoded')) return parsePhpQuery(raw);
	return {};
}

/**
 * An address others can use for the one the server listens on: a wildcard (every interface) is not one, so this
 * machine's first non-internal IPv4 address stands for it (127.0.0.1 when it has none).
 */
function advertisedAddress(address: string): string {
	if (address !== '0.0.0.0' && address !== '::') return address;
	for (const entries of Object.values(networkInterfaces())) {
		const external = entries?.find((entry) => entry.family === 'IPv4' && !entry.internal);
		if (external) return external.address;
	}
	return '127.0.0.1';
}

/** An IPv6 address goes in brackets in a URL. */
function urlHost(address: string): string {
	return address.includes(':') ? `[${address}]` : address;
}
