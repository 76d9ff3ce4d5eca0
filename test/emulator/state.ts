/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test-only emulator: fixed fixture webhook secrets of a fake portal, never shipped */
// In-memory portal data and the seed every test starts from. In Bitrix24 a CRM
// payment IS a sale order payment (b_sale_order_payment), so there is one table;
// the crm.item.payment.* methods just see it through the deal/invoice binding.

import { formatPortal } from './datetime';

export const DEFAULT_WEBHOOK_SECRET = 'k3y9xq2wz7m1hb5t';

/** Every scope this portal knows; webhooks and tokens get these unless told otherwise. */
export const ALL_SCOPES = ['crm', 'pay_system', 'sale', 'salescenter', 'user'];

/** Stable ids of the seed data (tests refer to these). */
export const SEED_IDS = {
	users: { ADMIN: 1, READ_ONLY: 7, CRM_ONLY: 9 },
	deal: { entityTypeId: 2, entityId: 10 },
	otherDeal: { entityTypeId: 2, entityId: 11 },
	orders: { MAIN: 200, SECOND: 201 },
	payments: {
		UNPAID: 1038, // deal 10, order 200, pay system 2, 100 USD
		UNPAID_2: 1039, // same as 1038
		PAID: 1040, // paid, pay system 2
		SALE_DOC: 144, // the sale.payment.update seed page's payment, pay system 1
		FLAKY: 1050, // pay system 4: pay.payment answers true but nothing is saved
		HANDLER_FAILS: 1051, // pay system 3: the handler refuses the payment
	},
	paySystems: { CASH: 1, BANK_TRANSFER: 2, CARD_REST_HANDLER: 3, FLAKY_SAVE: 4 },
} as const;

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
	BX_REST_HANDLER: string;
	DESCRIPTION: string;
	SORT: string;
	IS_CASH: string;
	XML_ID: string;
	ENTITY_REGISTRY_TYPE: string;
	NEW_WINDOW: YN;
	handlerBehavior: HandlerBehavior;
	handlerError: string; // description sent with ERROR_PROCESS_REQUEST_RESULT
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
		oauthApps: [{ clientId: 'local.emulator.app', clientSecret: 'emulator-client-secret' }],
		tokens: new Map(),
		refreshTokens: new Map(),
		authCodes: new Map(),
	};

	for (const u of [
		{ id: 1, name: 'Anna', lastName: 'Admin', admin: true, canWrite: true },
		{ id: 7, name: 'Rita', lastName: 'Reader', admin: false, canWrite: false },
		{ id: 9, name: 'Carl', lastName: 'Crm', admin: false, canWrite: true },
	]) state.users.set(u.id, u);

	const ps = (id: number, name: string, handler: string, isCash: string, behavior: HandlerBehavior, error = '') =>
		state.paySystems.set(id, {
			ID: String(id), NAME: name, PSA_NAME: name, ACTIVE: 'Y', PERSON_TYPE_ID: '3',
			ACTION_FILE: handler, BX_REST_HANDLER: handler, DESCRIPTION: '', SORT: String(id * 100),
			IS_CASH: isCash, XML_ID: `bx_emulator_ps_${id}`, ENTITY_REGISTRY_TYPE: 'ORDER', NEW_WINDOW: 'N',
			handlerBehavior: behavior, handlerError: error,
		});
	ps(1, 'Cash', 'cash', 'Y', 'ok');
	ps(2, 'Bank Transfer (Company)', 'orderdocument', 'N', 'ok');
	ps(3, 'Card (REST handler)', 'emulator_card_handler', 'N', 'fail', 'Card payment was declined by the payment system: insufficient funds');
	ps(4, 'Flaky save', 'emulator_flaky_handler', 'N', 'flaky');

	const add = (p: Partial<SalePayment> & Pick<SalePayment, 'id' | 'orderId' | 'paySystemId' | 'accountNumber'>) => {
		const sys = state.paySystems.get(p.paySystemId)!;
		state.payments.set(p.id, {
			sum: 100, psSum: null, companyId: null, empPaidId: null, empReturnId: null,
			responsibleId: 1, empResponsibleId: 1, empMarkedId: null,
			paid: 'N', psStatus: '', isReturn: 'N', marked: 'N', updated1c: 'N',
			paySystemIsCash: sys.IS_CASH, externalPayment: 'N',
			currency: 'USD', paySystemName: sys.NAME, paySystemXmlId: sys.XML_ID,
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
	return state;
}
