/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test-only emulator: fixed fixture webhook secrets of a fake portal, never shipped */
// In-memory portal data and the seed every test starts from. In Bitrix24 a CRM
// payment IS a sale order payment (b_sale_order_payment), so there is one table;
// the crm.item.payment.* methods just see it through the deal/invoice binding of its
// order. Around it: orders, CRM items with product rows, shipments, payment lines
// (b_sale_order_payment_item), pay systems, REST handlers, their settings
// (business values), person types and one legacy invoice.

import { randomBytes } from 'node:crypto';

import { formatPortal } from './datetime';

export const DEFAULT_WEBHOOK_SECRET = 'k3y9xq2wz7m1hb5t';

/** Every scope this portal knows; webhooks and tokens get these unless told otherwise. */
export const ALL_SCOPES = ['crm', 'pay_system', 'sale', 'salescenter', 'user'];

/** Stable ids of the seed data (tests refer to these). */
export const SEED_IDS = {
	users: { ADMIN: 1, READ_ONLY: 7, CRM_ONLY: 9 },
	deal: { entityTypeId: 2, entityId: 10 },
	otherDeal: { entityTypeId: 2, entityId: 11 },
	/** A deal with no order yet: crm.item.payment.add creates one for it. */
	dealWithoutOrder: { entityTypeId: 2, entityId: 12 },
	/** A smart invoice (payments enabled), no order yet. */
	smartInvoice: { entityTypeId: 31, entityId: 5 },
	/** A contact: payments are not enabled for contacts ("Cannot create payment for this entity."). */
	contact: { entityTypeId: 3, entityId: 1 },
	orders: { MAIN: 200, SECOND: 201, PLAIN: 202 }, // 200: deal 10, 201: deal 11, 202: shop order, no CRM binding
	payments: {
		UNPAID: 1038, // deal 10, order 200, pay system 2, 100 USD
		UNPAID_2: 1039, // same as 1038
		PAID: 1040, // paid, pay system 2
		SALE_DOC: 144, // the sale.payment.update seed page's payment, pay system 1
		FLAKY: 1050, // pay system 4: pay.payment answers true but nothing is saved
		HANDLER_FAILS: 1051, // pay system 3: the handler refuses the payment
	},
	paySystems: { CASH: 1, BANK_TRANSFER: 2, CARD_REST_HANDLER: 3, FLAKY_SAVE: 4, INVOICE_CARD: 5 },
	personTypes: { INDIVIDUAL: 1, COMPANY: 2, INVOICE_CONTACT: 3, INVOICE_COMPANY: 4 },
	handlers: { EMULATOR_CARD: 1 }, // REST handler CODE 'emulator_card' (pay systems 3 and 5)
	productRows: { ROW_A: 501, ROW_B: 502, OTHER_DEAL_ROW: 503 }, // 501, 502: deal 10; 503: deal 11
	paymentProducts: { ON_UNPAID: 701, ON_PAID: 702 }, // 701: row 501 x1 in 1038; 702: row 502 x1 in 1040 (paid)
	shipments: { MAIN: 601, SECOND: 602, OTHER_ORDER: 603 }, // 601, 602: order 200; 603: order 201
	paymentDeliveries: { ON_UNPAID: 801, ON_PAID: 802 }, // 801: shipment 601 in 1038; 802: shipment 602 in 1040 (paid)
	invoices: { LEGACY: 77 }, // a legacy CRM invoice for sale.paysystem.pay.invoice (pay system 5)
} as const;

/** Code of the seeded REST pay system handler. */
export const EMULATOR_HANDLER_CODE = 'emulator_card';

export const READ_ONLY_WEBHOOK = { userId: 7, secret: 'ro7secret0readonly' } as const;
export const CRM_ONLY_WEBHOOK = { userId: 9, secret: 'crmonly9scope' } as const;

export type YN = 'Y' | 'N';

/** One row of sale_order_payment, REST (camelCase) shape, plus internal fields. */
export interface SalePayment {
	id: number;
	orderId: number;
	paySystemId: number;
	sum: number;
	psSum: number | null;
	companyId: number | null;
	empPaidId: number | null;
	empReturnId: number | null;
	responsibleId: number | null;
	empResponsibleId: number | null;
	empMarkedId: number | null;
	paid: YN;
	psStatus: string; // 'Y' | 'N' | '' (never reported)
	isReturn: string;
	marked: string;
	updated1c: string;
	paySystemIsCash: string;
	externalPayment: string; // 'Y' | 'F' | 'N'
	accountNumber: string;
	currency: string;
	paySystemName: string;
	paySystemXmlId: string;
	psStatusCode: string;
	psStatusDescription: string;
	psStatusMessage: string;
	psCurrency: string;
	psInvoiceId: string | null;
	payVoucherNum: string;
	payReturnNum: string;
	payReturnComment: string;
	comments: string;
	xmlId: string;
	id1c: string;
	version1c: string;
	reasonMarked: string;
	priceCod: string; // the portal answers it as a string
	datePaid: string | null; // 'YYYY-MM-DDTHH:mm:ss+03:00'
	psResponseDate: string | null;
	payVoucherDate: string | null;
	datePayBefore: string | null;
	dateBill: string | null;
	payReturnDate: string | null;
	dateResponsibleId: string | null;
	dateMarked: string | null;
	// internal, never output by REST
	binding: { entityTypeId: number; entityId: number } | null;
	psRecurringToken: string | null;
	psCardNumber: string | null;
}

/** What a pay system's handler does when sale.paysystem.pay.payment runs it. */
export type HandlerBehavior = 'ok' | 'fail' | 'flaky';

/** sale.paysystem.* shape (UPPER_SNAKE, string values as the portal lists them) plus internal behaviour. */
export interface PaySystem {
	ID: string;
	NAME: string;
	PSA_NAME: string;
	ACTIVE: YN;
	PERSON_TYPE_ID: string;
	ACTION_FILE: string;
	/** Not a table column: the portal only takes it in (add/update) and stores it as ACTION_FILE. Kept equal to ACTION_FILE. */
	BX_REST_HANDLER: string;
	DESCRIPTION: string | null;
	SORT: string;
	IS_CASH: string;
	XML_ID: string | null;
	ENTITY_REGISTRY_TYPE: string;
	NEW_WINDOW: YN;
	RESULT_FILE: string | null;
	PS_MODE: string | null;
	HAVE_PAYMENT: YN;
	HAVE_ACTION: YN;
	HAVE_RESULT: YN;
	HAVE_PREPAY: YN;
	HAVE_PRICE: YN;
	HAVE_RESULT_RECEIVE: YN;
	ENCODING: string | null;
	LOGOTIP: string | null; // file id; REST names it LOGOTYPE
	TARIF: string | null; // REST names it TARIFF
	ALLOW_EDIT_PAYMENT: YN;
	AUTO_CHANGE_1C: YN;
	CAN_PRINT_CHECK: YN;
	handlerBehavior: HandlerBehavior;
	handlerError: string; // description sent with ERROR_PROCESS_REQUEST_RESULT
}

/** A REST pay system handler (b_sale_pay_system_rest_handlers), as sale.paysystem.handler.list answers it. */
export interface PaySystemHandler {
	ID: string;
	NAME: string;
	CODE: string;
	SORT: string;
	SETTINGS: Record<string, unknown>; // kept as sent (the portal serializes it)
	/** OAuth client id of the app that added it; null for webhooks. Internal. */
	APP_ID: string | null;
}

/** One business-value mapping of a pay system setting (CODE -> {TYPE, VALUE}). */
export interface SettingMapping {
	TYPE: unknown;
	VALUE: unknown;
}

/** A row of b_sale_person_type (sale PersonTypeTable). */
export interface PersonType {
	id: number;
	name: string;
	/** ENTITY_REGISTRY_TYPE of the person type: ORDER (orders, deals) or CRM_INVOICE (legacy invoices). */
	registry: 'ORDER' | 'CRM_INVOICE' | 'CRM_QUOTE';
	/** CODE (the CRM's person types are CRM_CONTACT and CRM_COMPANY); null when none. */
	code: string | null;
	sort: number;
	active: YN;
	xmlId: string | null;
	/** LID, the site. */
	lid: string;
}

/** A sale order (b_sale_order) as far as payments need it. */
export interface SaleOrder {
	id: number;
	accountNumber: string;
	currency: string;
	personTypeId: number;
	userId: number;
	/** The CRM item the order belongs to (b_crm_order_entity); null for a plain shop order. */
	binding: { entityTypeId: number; entityId: number } | null;
	/** Payments ever created in the order: the next payment's account number is `${accountNumber}/${n + 1}`. */
	paymentCounter: number;
}

/** A CRM item (deal, smart invoice, contact, ...) payments can be bound to. */
export interface CrmItem {
	entityTypeId: number;
	id: number;
	title: string;
	currency: string;
}

/** A product row of a CRM item (crm.item.productrow.*). */
export interface ProductRow {
	id: number;
	ownerTypeId: number;
	ownerId: number;
	productName: string;
	price: number;
	quantity: number;
}

/** A shipment (delivery document) of an order. */
export interface Shipment {
	id: number;
	orderId: number;
	deliveryName: string;
	price: number;
}

/** A line of a payment (b_sale_order_payment_item): a product row or a shipment. */
export interface PayableItem {
	id: number;
	paymentId: number;
	entityType: 'BASKET_ITEM' | 'SHIPMENT';
	/** rowId for BASKET_ITEM, shipment (delivery) id for SHIPMENT. */
	entityId: number;
	quantity: number;
}

/** A legacy CRM invoice (crm.invoice.*) with its one non-inner payment, for sale.paysystem.pay.invoice. */
export interface LegacyInvoice {
	id: number;
	accountNumber: string;
	personTypeId: number;
	paySystemId: number;
	sum: number;
	currency: string;
	paid: YN;
	datePaid: string | null;
	psStatus: string;
	psInvoiceId: string | null;
	psSum: number | null;
	psResponseDate: string | null;
}

export interface PortalUser {
	id: number;
	name: string;
	lastName: string;
	admin: boolean;
	canWrite: boolean; // false: read-only CRM/sale permissions
}

export interface WebhookRecord {
	userId: number;
	secret: string;
	scopes: string[];
	canWrite: boolean;
}

export interface OAuthApp {
	clientId: string;
	clientSecret: string;
	/** The app's scopes as registered (tokens the portal issues for its event handlers carry these). */
	scopes: string[];
	/** Sent as auth[application_token] with every event delivered to this app (random per seed). */
	applicationToken: string;
	/** The app's registered address ("handler path"): the sign-in page sends the browser there; none: to redirect_uri. */
	handlerUrl?: string;
}

/**
 * A row of b_rest_event: an app's binding (event.bind) or one event of an outgoing webhook (one row per event,
 * all with the webhook's token). `id` is the event_handler_id the portal sends.
 */
export interface EventHandlerRecord {
	id: number;
	/** OAuth client id of the app that bound it; null for an outgoing webhook. */
	clientId: string | null;
	/** Event code, upper-case (ONPAYMENTENTITYSAVED). */
	event: string;
	/** Handler URL; '' for an offline binding. */
	handler: string;
	/** auth_type: the user the handler's tokens are issued for; 0 = the user whose action caused the event. */
	userId: number;
	offline: boolean;
	connectorId: string;
	/** The outgoing webhook this row belongs to, else null. */
	outgoingWebhookId: number | null;
}

/**
 * A row of b_rest_event_offline (rest EventOfflineTable): one changed object waiting in an app's offline queue, per
 * app and connector. Repeated changes merge into the unreserved row of the same MESSAGE_ID (see offline.ts).
 */
export interface OfflineEventRecord {
	id: number;
	/** TIMESTAMP_X: epoch ms of the last change, whole seconds as the database keeps a datetime. */
	timestampX: number;
	/** md5(EVENT_NAME + '|' + JSON of EVENT_DATA): the same object and event always give the same id. */
	messageId: string;
	/** APP_ID: the app's client id here (the portal keeps b_rest_app.ID, never shown). */
	clientId: string;
	/** EVENT_NAME, upper-case. */
	event: string;
	/** EVENT_DATA: `{FIELDS: {ID: <payment id>}}` for the payment events. */
	eventData: { FIELDS: { ID: number } };
	/** EVENT_ADDITIONAL: `{user_id}` of who made the change, `[]` when no user did (automation). */
	eventAdditional: Record<string, unknown> | unknown[];
	/** PROCESS_ID: '' until event.offline.get reserves the row. */
	processId: string;
	connectorId: string;
	/** ERROR: set by event.offline.error. */
	error: boolean;
}

/** An outgoing webhook as the portal's UI saves it (Developer resources > Other > Outgoing webhook). */
export interface OutgoingWebhook {
	id: number;
	handler: string;
	/** Event codes, upper-case. */
	events: string[];
	applicationToken: string;
}

export interface AccessTokenRecord {
	accessToken: string;
	userId: number;
	scopes: string[];
	clientId: string;
	expiresAt: number; // epoch ms
	expired: boolean; // forced by expireToken()
}

export interface GrantRecord {
	userId: number;
	scopes: string[];
	clientId: string;
	expiresAt: number; // epoch ms
}

export interface EmulatorState {
	memberId: string;
	payments: Map<number, SalePayment>;
	paySystems: Map<number, PaySystem>;
	users: Map<number, PortalUser>;
	webhooks: WebhookRecord[];
	oauthApps: OAuthApp[];
	tokens: Map<string, AccessTokenRecord>;
	refreshTokens: Map<string, GrantRecord>; // removed when used (rotation)
	authCodes: Map<string, GrantRecord>; // removed when used
	orders: Map<number, SaleOrder>;
	crmItems: Map<string, CrmItem>; // key crmItemKey(entityTypeId, id)
	productRows: Map<number, ProductRow>;
	shipments: Map<number, Shipment>;
	payableItems: Map<number, PayableItem>;
	personTypes: Map<number, PersonType>;
	paySystemHandlers: Map<number, PaySystemHandler>;
	/** Business-value mappings: key `${paySystemId}:${personTypeId}` ('' person type = all person types). */
	paySystemSettings: Map<string, Record<string, SettingMapping>>;
	invoices: Map<number, LegacyInvoice>;
	/** Event handlers (b_rest_event): apps' bindings and outgoing webhooks' rows, in id order. */
	eventHandlers: EventHandlerRecord[];
	outgoingWebhooks: OutgoingWebhook[];
	/** The offline event queue (b_rest_event_offline), in id order. */
	offlineEvents: OfflineEventRecord[];
	/** Last ids handed out per table (new rows get max + 1, as auto-increment would). */
	lastIds: {
		payment: number; order: number; payableItem: number; paySystem: number; handler: number; file: number;
		eventHandler: number; outgoingWebhook: number; offlineEvent: number;
	};
}

/** A 32-hex-digit token like the portal's application tokens. */
export function randomToken(): string {
	return randomBytes(16).toString('hex');
}

export function crmItemKey(entityTypeId: number, id: number): string {
	return `${entityTypeId}:${id}`;
}

/** CRM entity types the portal has factories for, and what they allow. Others: "Unknown entity type". */
export const CRM_TYPES: Record<number, { name: string; paymentsEnabled: boolean; productsEnabled: boolean }> = {
	1: { name: 'Lead', paymentsEnabled: false, productsEnabled: true },
	2: { name: 'Deal', paymentsEnabled: true, productsEnabled: true },
	3: { name: 'Contact', paymentsEnabled: false, productsEnabled: false },
	4: { name: 'Company', paymentsEnabled: false, productsEnabled: false },
	7: { name: 'Quote', paymentsEnabled: false, productsEnabled: true },
	31: { name: 'Smart invoice', paymentsEnabled: true, productsEnabled: true },
};

/** The seeded REST handler's settings (what sale.paysystem.handler.add was given). */
function emulatorHandlerSettings(): Record<string, unknown> {
	return {
		CURRENCY: ['USD', 'EUR'],
		CLIENT_TYPE: 'b2c',
		FORM_DATA: {
			ACTION_URI: 'https://pay.emulator.invalid/form',
			METHOD: 'POST',
			FIELDS: { paymentId: { CODE: 'PAYMENT_ID', VISIBLE: 'Y' }, serviceId: { CODE: 'REST_SERVICE_ID' } },
		},
		CODES: {
			REST_SERVICE_ID: { NAME: 'Shop ID', SORT: '100' },
			REST_SERVICE_KEY: { NAME: 'Shop key', SORT: '200' },
			PAYMENT_ID: { NAME: 'Payment number', SORT: '300', GROUP: 'PAYMENT', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'ACCOUNT_NUMBER' } },
			PAYMENT_SUM: { NAME: 'Amount', SORT: '400', GROUP: 'PAYMENT', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'SUM' } },
			PAYMENT_CURRENCY: { NAME: 'Currency', SORT: '500', GROUP: 'PAYMENT', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'CURRENCY' } },
			PS_WORK_MODE: { NAME: 'Mode', SORT: '600', INPUT: { TYPE: 'ENUM', OPTIONS: { TEST: 'Test', REGULAR: 'Live' } } },
		},
	};
}

/** `uniqid('bx_')`-like XML id, deterministic per (prefix number). */
export function generateXmlId(seed: number): string {
	return `bx_${(0x65f0a1b2c3d00 + seed * 4099).toString(16).slice(0, 13)}`;
}

/** A new sale order payment row with the portal's defaults (sum 0, unpaid, no pay system). */
export function newPaymentRow(
	state: EmulatorState,
	order: SaleOrder,
	nowPortal: string,
	userId: number,
	init: Partial<SalePayment> = {},
): SalePayment {
	const id = init.id ?? ++state.lastIds.payment;
	if (id > state.lastIds.payment) state.lastIds.payment = id;
	order.paymentCounter += 1;
	const sys = init.paySystemId ? state.paySystems.get(init.paySystemId) : undefined;
	const row: SalePayment = {
		id, orderId: order.id, paySystemId: 0, sum: 0, psSum: null, companyId: null, empPaidId: null, empReturnId: null,
		responsibleId: userId, empResponsibleId: userId, empMarkedId: null,
		paid: 'N', psStatus: '', isReturn: 'N', marked: 'N', updated1c: 'N',
		paySystemIsCash: sys?.IS_CASH ?? 'N', externalPayment: 'N',
		accountNumber: `${order.accountNumber}/${order.paymentCounter}`, currency: order.currency,
		paySystemName: sys?.NAME ?? '', paySystemXmlId: sys?.XML_ID ?? '',
		psStatusCode: '', psStatusDescription: '', psStatusMessage: '', psCurrency: '', psInvoiceId: null,
		payVoucherNum: '', payReturnNum: '', payReturnComment: '', comments: '', xmlId: generateXmlId(id),
		id1c: '', version1c: '', reasonMarked: '', priceCod: '0',
		datePaid: null, psResponseDate: null, payVoucherDate: null, datePayBefore: null,
		dateBill: nowPortal, payReturnDate: null, dateResponsibleId: nowPortal, dateMarked: null,
		binding: order.binding ? { ...order.binding } : null, psRecurringToken: null, psCardNumber: null,
		...init,
	};
	row.id = id;
	row.orderId = order.id;
	state.payments.set(id, row);
	return row;
}

/** Payment sum as the portal recalculates it after its items change: sum of quantity x price. */
export function recalculatePaymentSum(state: EmulatorState, paymentId: number): void {
	const payment = state.payments.get(paymentId);
	if (!payment) return;
	let sum = 0;
	for (const item of state.payableItems.values()) {
		if (item.paymentId !== paymentId) continue;
		const price =
			item.entityType === 'BASKET_ITEM'
				? (state.productRows.get(item.entityId)?.price ?? 0)
				: (state.shipments.get(item.entityId)?.price ?? 0);
		sum += item.quantity * price;
	}
	payment.sum = Math.round(sum * 100) / 100;
}

/** Removes a payment and its items (the portal deletes b_sale_order_payment_item rows with it). */
export function deletePaymentRow(state: EmulatorState, paymentId: number): void {
	state.payments.delete(paymentId);
	for (const [id, item] of state.payableItems) if (item.paymentId === paymentId) state.payableItems.delete(id);
}

export function createSeedState(timeZone = '+03:00'): EmulatorState {
	const at = (iso: string) => formatPortal(Date.parse(iso), timeZone);
	const state: EmulatorState = {
		memberId: 'a223c6b3710f85df22e9377d6c4f7553',
		payments: new Map(),
		paySystems: new Map(),
		users: new Map(),
		webhooks: [
			{ userId: 1, secret: DEFAULT_WEBHOOK_SECRET, scopes: [...ALL_SCOPES], canWrite: true },
			{ ...READ_ONLY_WEBHOOK, scopes: [...ALL_SCOPES], canWrite: false },
			{ ...CRM_ONLY_WEBHOOK, scopes: ['crm'], canWrite: true },
		],
		oauthApps: [
			{ clientId: 'local.emulator.app', clientSecret: 'emulator-client-secret', scopes: [...ALL_SCOPES], applicationToken: randomToken() },
		],
		tokens: new Map(),
		refreshTokens: new Map(),
		authCodes: new Map(),
		orders: new Map(),
		crmItems: new Map(),
		productRows: new Map(),
		shipments: new Map(),
		payableItems: new Map(),
		personTypes: new Map(),
		paySystemHandlers: new Map(),
		paySystemSettings: new Map(),
		invoices: new Map(),
		eventHandlers: [],
		outgoingWebhooks: [],
		offlineEvents: [],
		lastIds: {
			payment: 0, order: 0, payableItem: 0, paySystem: 0, handler: 0, file: 9000, eventHandler: 0, outgoingWebhook: 0,
			offlineEvent: 0,
		},
	};

	for (const u of [
		{ id: 1, name: 'Anna', lastName: 'Admin', admin: true, canWrite: true },
		{ id: 7, name: 'Rita', lastName: 'Reader', admin: false, canWrite: false },
		{ id: 9, name: 'Carl', lastName: 'Crm', admin: false, canWrite: true },
	]) state.users.set(u.id, u);

	// Person types: 1, 2 for orders and deals; 3, 4 for legacy CRM invoices (each registry has its own).
	for (const pt of [
		{ id: 1, name: 'Individual', registry: 'ORDER', code: 'CRM_CONTACT', sort: 100, xmlId: 'bx_emulator_pt_1' },
		{ id: 2, name: 'Company', registry: 'ORDER', code: 'CRM_COMPANY', sort: 110, xmlId: 'bx_emulator_pt_2' },
		{ id: 3, name: 'Contact', registry: 'CRM_INVOICE', code: null, sort: 150, xmlId: null },
		{ id: 4, name: 'Company', registry: 'CRM_INVOICE', code: null, sort: 150, xmlId: null },
	] as const) state.personTypes.set(pt.id, { ...pt, active: 'Y', lid: 's1' });

	state.paySystemHandlers.set(1, {
		ID: '1', NAME: 'Emulator card', CODE: EMULATOR_HANDLER_CODE, SORT: '100', SETTINGS: emulatorHandlerSettings(), APP_ID: null,
	});
	state.lastIds.handler = 1;

	const ps = (
		id: number, name: string, handler: string, isCash: string, behavior: HandlerBehavior,
		extra: { error?: string; personTypeId?: number; registry?: string } = {},
	) =>
		state.paySystems.set(id, {
			ID: String(id), NAME: name, PSA_NAME: name, ACTIVE: 'Y', PERSON_TYPE_ID: String(extra.personTypeId ?? 1),
			ACTION_FILE: handler, BX_REST_HANDLER: handler, DESCRIPTION: '', SORT: String(id * 100),
			IS_CASH: isCash, XML_ID: `bx_emulator_ps_${id}`, ENTITY_REGISTRY_TYPE: extra.registry ?? 'ORDER', NEW_WINDOW: 'N',
			RESULT_FILE: null, PS_MODE: null, HAVE_PAYMENT: 'N', HAVE_ACTION: 'N', HAVE_RESULT: 'N', HAVE_PREPAY: 'N',
			HAVE_PRICE: 'N', HAVE_RESULT_RECEIVE: 'Y', ENCODING: null, LOGOTIP: null, TARIF: null,
			ALLOW_EDIT_PAYMENT: 'Y', AUTO_CHANGE_1C: 'N', CAN_PRINT_CHECK: 'N',
			handlerBehavior: behavior, handlerError: extra.error ?? '',
		});
	ps(1, 'Cash', 'cash', 'Y', 'ok');
	ps(2, 'Bank Transfer (Company)', 'orderdocument', 'N', 'ok');
	ps(3, 'Card (REST handler)', EMULATOR_HANDLER_CODE, 'N', 'fail', {
		error: 'Card payment was declined by the payment system: insufficient funds',
	});
	ps(4, 'Flaky save', 'emulator_flaky_handler', 'N', 'flaky');
	ps(5, 'Invoice card (REST handler)', EMULATOR_HANDLER_CODE, 'N', 'ok', { personTypeId: 3, registry: 'CRM_INVOICE' });
	state.lastIds.paySystem = 5;
	state.paySystemSettings.set('3:1', {
		REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'emu-shop-1' },
		REST_SERVICE_KEY: { TYPE: 'VALUE', VALUE: 'emu-shop-key' },
		PAYMENT_ID: { TYPE: 'PAYMENT', VALUE: 'ACCOUNT_NUMBER' },
		PS_WORK_MODE: { TYPE: 'INPUT', VALUE: 'TEST' },
	});
	state.paySystemSettings.set('5:3', { REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'emu-shop-invoices' } });

	for (const item of [
		{ entityTypeId: 2, id: 10, title: 'Deal #10', currency: 'USD' },
		{ entityTypeId: 2, id: 11, title: 'Deal #11', currency: 'USD' },
		{ entityTypeId: 2, id: 12, title: 'Deal #12 (no order yet)', currency: 'EUR' },
		{ entityTypeId: 31, id: 5, title: 'Smart invoice #5', currency: 'USD' },
		{ entityTypeId: 3, id: 1, title: 'Contact #1', currency: 'USD' },
	]) state.crmItems.set(crmItemKey(item.entityTypeId, item.id), item);

	const order = (id: number, accountNumber: string, binding: SaleOrder['binding'], paymentCounter: number) =>
		state.orders.set(id, { id, accountNumber, currency: 'USD', personTypeId: 1, userId: 1, binding, paymentCounter });
	order(200, '356', { entityTypeId: 2, entityId: 10 }, 4);
	order(201, '357', { entityTypeId: 2, entityId: 11 }, 2);
	order(202, '358', null, 0);
	state.lastIds.order = 202;

	const add = (p: Partial<SalePayment> & Pick<SalePayment, 'id' | 'orderId' | 'paySystemId' | 'accountNumber'>) => {
		const sys = state.paySystems.get(p.paySystemId)!;
		state.payments.set(p.id, {
			sum: 100, psSum: null, companyId: null, empPaidId: null, empReturnId: null,
			responsibleId: 1, empResponsibleId: 1, empMarkedId: null,
			paid: 'N', psStatus: '', isReturn: 'N', marked: 'N', updated1c: 'N',
			paySystemIsCash: sys.IS_CASH, externalPayment: 'N',
			currency: 'USD', paySystemName: sys.NAME, paySystemXmlId: sys.XML_ID ?? '',
			psStatusCode: '', psStatusDescription: '', psStatusMessage: '', psCurrency: '', psInvoiceId: null,
			payVoucherNum: '', payReturnNum: '', payReturnComment: '', comments: '', xmlId: `bx_emulator_${p.id}`,
			id1c: '', version1c: '', reasonMarked: '', priceCod: '0',
			datePaid: null, psResponseDate: null, payVoucherDate: null, datePayBefore: null,
			dateBill: at('2024-05-20T09:00:00Z'), payReturnDate: null,
			dateResponsibleId: at('2024-05-20T09:00:00Z'), dateMarked: null,
			binding: { entityTypeId: 2, entityId: 10 }, psRecurringToken: null, psCardNumber: null,
			...p,
		});
	};
	add({ id: 144, orderId: 200, paySystemId: 1, accountNumber: '356/1', dateBill: at('2024-04-10T07:00:00Z') });
	add({ id: 1038, orderId: 200, paySystemId: 2, accountNumber: '356/2' });
	add({ id: 1039, orderId: 200, paySystemId: 2, accountNumber: '356/3' });
	add({
		id: 1040, orderId: 200, paySystemId: 2, accountNumber: '356/4',
		paid: 'Y', datePaid: at('2024-05-20T09:32:02Z'), empPaidId: 1,
	});
	add({ id: 1050, orderId: 201, paySystemId: 4, accountNumber: '357/1', binding: { entityTypeId: 2, entityId: 11 } });
	add({ id: 1051, orderId: 201, paySystemId: 3, accountNumber: '357/2', binding: { entityTypeId: 2, entityId: 11 } });
	state.lastIds.payment = 1051;

	// Deal 10's product rows and order 200's shipments; 1038 and 1040 already hold some of them.
	// (Seed payment sums stay 100 as the seed pages show; they are recalculated once items change.)
	for (const row of [
		{ id: 501, ownerTypeId: 2, ownerId: 10, productName: 'Coffee beans 1 kg', price: 20, quantity: 3 },
		{ id: 502, ownerTypeId: 2, ownerId: 10, productName: 'Grinder', price: 15, quantity: 2 },
		{ id: 503, ownerTypeId: 2, ownerId: 11, productName: 'Espresso machine', price: 50, quantity: 1 },
	]) state.productRows.set(row.id, row);
	for (const sh of [
		{ id: 601, orderId: 200, deliveryName: 'Courier', price: 10 },
		{ id: 602, orderId: 200, deliveryName: 'Pickup point', price: 5 },
		{ id: 603, orderId: 201, deliveryName: 'Courier', price: 10 },
	]) state.shipments.set(sh.id, sh);
	for (const item of [
		{ id: 701, paymentId: 1038, entityType: 'BASKET_ITEM', entityId: 501, quantity: 1 },
		{ id: 702, paymentId: 1040, entityType: 'BASKET_ITEM', entityId: 502, quantity: 1 },
		{ id: 801, paymentId: 1038, entityType: 'SHIPMENT', entityId: 601, quantity: 1 },
		{ id: 802, paymentId: 1040, entityType: 'SHIPMENT', entityId: 602, quantity: 1 },
	] as const) state.payableItems.set(item.id, { ...item });
	state.lastIds.payableItem = 802;

	state.invoices.set(77, {
		id: 77, accountNumber: '77', personTypeId: 3, paySystemId: 5, sum: 250, currency: 'USD',
		paid: 'N', datePaid: null, psStatus: '', psInvoiceId: null, psSum: null, psResponseDate: null,
	});
	return state;
}
