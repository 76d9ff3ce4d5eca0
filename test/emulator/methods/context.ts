// What a method handler gets, and the helpers the method families share.

import { formatPortal, reformat } from '../datetime';
import { RestError, paramInvalid, paramMissing } from '../errors';
import type { RuntimeOptions } from '../options';
import { phpIsNumeric, type Params } from '../php';
import type { EmulatorState, SalePayment } from '../state';

export interface Caller {
	kind: 'webhook' | 'oauth';
	userId: number;
	scopes: string[];
	canWrite: boolean;
	/** OAuth client id of the calling app (CRestServer::getClientId()); undefined for webhooks. */
	clientId?: string;
	/** The request's `auth_connector` (an app's data exchange channel, offline events); '' when absent or a webhook. */
	connectorId: string;
}

export interface CallContext {
	params: Params;
	caller: Caller;
	state: EmulatorState;
	options: RuntimeOptions;
	now: number; // epoch ms of the request
	/** The portal's address, like `http://127.0.0.1:8624` (for URLs the portal hands out). */
	baseUrl: string;
}

/**
 * A list page of a paginated method: the server moves `next` and `total` next to `result`
 * (CRestServer does that), giving `{result, next?, total?, time}`.
 */
export class PagedResult {
	constructor(
		readonly result: unknown,
		readonly next?: number,
		readonly total?: number,
	) {}
}

/** Page size of every paginated REST list (IRestService::LIST_LIMIT). */
export const LIST_LIMIT = 50;

/**
 * One page of a list action as RestManager pages it: page = intdiv(start, 50) + 1, so `start` is rounded DOWN to a
 * multiple of 50 (start=75 gives rows 50..99 and next=100); start=-1 (DONT_CALCULATE_COUNT) gives the first page
 * without `total` and `next`; other negative values count as 0. The rows go out under `key`, each through `show`.
 */
export function restManagerPage<T>(rows: T[], start: number, key: string, show: (row: T) => unknown): PagedResult | Record<string, unknown[]> {
	const offset = start > 0 ? Math.floor(start / LIST_LIMIT) * LIST_LIMIT : 0;
	const page = rows.slice(offset, offset + LIST_LIMIT);
	const result = { [key]: page.map(show) };
	if (start === -1) return result;
	const next = offset + page.length < rows.length ? offset + page.length : undefined;
	return new PagedResult(result, next, rows.length);
}

export interface MethodDef {
	/** Scope the caller must hold; null for methods every caller may use. */
	scope: string | null;
	run(ctx: CallContext): unknown;
}

/**
 * A controller parameter declared `int $name`: the value must be PHP-numeric;
 * numeric strings and non-integral numbers are then coerced (truncated) as PHP does.
 */
export function bindInt(params: Params, name: string): number {
	if (!(name in params)) throw paramMissing(name);
	const value = params[name];
	if (!phpIsNumeric(value)) throw paramInvalid(value, name, 'int');
	return Math.trunc(Number(String(value).trim()));
}

/** A controller parameter declared `array $name`. */
export function bindArray(params: Params, name: string): Params {
	if (!(name in params)) throw paramMissing(name);
	const value = params[name];
	if (typeof value !== 'object' || value === null) throw paramInvalid(value, name, 'array');
	return (Array.isArray(value) ? { ...value } : value) as Params;
}

/** A controller parameter declared `array $name = []`: absent -> undefined. */
export function bindOptionalArray(params: Params, name: string): Params | undefined {
	if (!(name in params)) return undefined;
	const value = params[name];
	if (typeof value !== 'object' || value === null) throw paramInvalid(value, name, 'array');
	return (Array.isArray(value) ? { ...value } : value) as Params;
}

/** A controller parameter declared `array $name = []` kept as a list of values (select lists). */
export function bindOptionalList(params: Params, name: string): unknown[] | undefined {
	const bound = bindOptionalArray(params, name);
	return bound === undefined ? undefined : Object.values(bound);
}

/**
 * CRM write permission (Crm\Controller\Base::setAccessDenied: "Access denied", code ACCESS_DENIED).
 * The emulator checks it before binding parameters, like a prefilter.
 */
export function crmAccessDenied(ctx: CallContext): RestError {
	return new RestError(ctx.options.crmAccessDeniedStatus, 'ACCESS_DENIED', 'Access denied.');
}

/** The legacy CRM controllers (options.crmPaymentController): what the current ones refuse they answer false to. */
export function legacyCrm(ctx: CallContext): boolean {
	return ctx.options.crmPaymentController === 'legacy';
}

export function checkCrmWrite(ctx: CallContext): void {
	if (!ctx.caller.canWrite) throw crmAccessDenied(ctx);
}

/** The short payment object of crm.item.payment.get / list (typed by OrmTypeCast). */
export function toCrmPayment(p: SalePayment, tz: string): Record<string, unknown> {
	return {
		id: p.id,
		accountNumber: p.accountNumber,
		paid: p.paid,
		datePaid: reformat(p.datePaid, tz),
		empPaidId: p.empPaidId,
		paySystemId: p.paySystemId,
		sum: p.sum,
		currency: p.currency,
		paySystemName: p.paySystemName,
	};
}

/** Full sale_order_payment object as sale.payment.* answer it (keys sorted like the portal). */
export function toSalePayment(p: SalePayment, tz: string): Record<string, unknown> {
	return {
		accountNumber: p.accountNumber,
		comments: p.comments,
		companyId: p.companyId,
		currency: p.currency,
		dateBill: reformat(p.dateBill, tz),
		dateMarked: reformat(p.dateMarked, tz),
		datePaid: reformat(p.datePaid, tz),
		datePayBefore: reformat(p.datePayBefore, tz),
		dateResponsibleId: reformat(p.dateResponsibleId, tz),
		empMarkedId: p.empMarkedId,
		empPaidId: p.empPaidId,
		empResponsibleId: p.empResponsibleId,
		empReturnId: p.empReturnId,
		externalPayment: p.externalPayment,
		id: p.id,
		id1c: p.id1c,
		isReturn: p.isReturn,
		marked: p.marked,
		orderId: p.orderId,
		paid: p.paid,
		payReturnComment: p.payReturnComment,
		payReturnDate: reformat(p.payReturnDate, tz),
		payReturnNum: p.payReturnNum,
		paySystemId: p.paySystemId,
		paySystemIsCash: p.paySystemIsCash,
		paySystemName: p.paySystemName,
		paySystemXmlId: p.paySystemXmlId,
		payVoucherDate: reformat(p.payVoucherDate, tz),
		payVoucherNum: p.payVoucherNum,
		priceCod: p.priceCod,
		psCurrency: p.psCurrency,
		psInvoiceId: p.psInvoiceId,
		psResponseDate: reformat(p.psResponseDate, tz),
		psStatus: p.psStatus,
		psStatusCode: p.psStatusCode,
		psStatusDescription: p.psStatusDescription,
		psStatusMessage: p.psStatusMessage,
		psSum: p.psSum,
		reasonMarked: p.reasonMarked,
		responsibleId: p.responsibleId,
		sum: p.sum,
		updated1c: p.updated1c,
		version1c: p.version1c,
		xmlId: p.xmlId,
	};
}

type FieldType = 'integer' | 'double' | 'string' | 'char' | 'date' | 'datetime';

/**
 * The fields of Sale\Rest\Entity\Payment::getFields(), in its order: UPPER_SNAKE name, REST (camelCase)
 * name, type and attributes (R read-only, Q required, I immutable).
 */
export const PAYMENT_FIELDS: ReadonlyArray<readonly [string, string, FieldType, string]> = [
	['PAY_SYSTEM_XML_ID', 'paySystemXmlId', 'string', 'R'],
	['PAY_SYSTEM_IS_CASH', 'paySystemIsCash', 'char', 'R'],
	['ACCOUNT_NUMBER', 'accountNumber', 'string', 'R'],
	['ID', 'id', 'integer', 'R'],
	['ORDER_ID', 'orderId', 'integer', 'IQ'],
	['PAID', 'paid', 'char', ''],
	['DATE_PAID', 'datePaid', 'datetime', ''],
	['EMP_PAID_ID', 'empPaidId', 'integer', ''],
	['PAY_SYSTEM_ID', 'paySystemId', 'integer', 'Q'],
	['PS_STATUS', 'psStatus', 'char', ''],
	['PS_STATUS_CODE', 'psStatusCode', 'string', ''],
	['PS_STATUS_DESCRIPTION', 'psStatusDescription', 'string', ''],
	['PS_STATUS_MESSAGE', 'psStatusMessage', 'string', ''],
	['PS_SUM', 'psSum', 'double', ''],
	['PS_CURRENCY', 'psCurrency', 'string', ''],
	['PS_RESPONSE_DATE', 'psResponseDate', 'datetime', ''],
	['PAY_VOUCHER_NUM', 'payVoucherNum', 'string', ''],
	['PAY_VOUCHER_DATE', 'payVoucherDate', 'datetime', ''],
	['DATE_PAY_BEFORE', 'datePayBefore', 'datetime', ''],
	['DATE_BILL', 'dateBill', 'datetime', ''],
	['XML_ID', 'xmlId', 'string', ''],
	['SUM', 'sum', 'double', ''],
	['CURRENCY', 'currency', 'string', 'R'],
	['PAY_SYSTEM_NAME', 'paySystemName', 'string', 'R'],
	['COMPANY_ID', 'companyId', 'integer', ''],
	['PAY_RETURN_NUM', 'payReturnNum', 'string', ''],
	['PRICE_COD', 'priceCod', 'double', ''],
	// The portal's code declares TYPE_DATE; the docs' getFields example shows "datetime".
	['PAY_RETURN_DATE', 'payReturnDate', 'date', ''],
	['EMP_RETURN_ID', 'empReturnId', 'integer', ''],
	['PAY_RETURN_COMMENT', 'payReturnComment', 'string', ''],
	['RESPONSIBLE_ID', 'responsibleId', 'integer', ''],
	['EMP_RESPONSIBLE_ID', 'empResponsibleId', 'integer', ''],
	['DATE_RESPONSIBLE_ID', 'dateResponsibleId', 'datetime', 'R'],
	['IS_RETURN', 'isReturn', 'char', ''],
	['COMMENTS', 'comments', 'string', ''],
	['UPDATED_1C', 'updated1c', 'char', ''],
	['ID_1C', 'id1c', 'string', ''],
	['VERSION_1C', 'version1c', 'string', ''],
	['EXTERNAL_PAYMENT', 'externalPayment', 'char', ''],
	['PS_INVOICE_ID', 'psInvoiceId', 'string', ''],
	['MARKED', 'marked', 'char', ''],
	['REASON_MARKED', 'reasonMarked', 'string', ''],
	['DATE_MARKED', 'dateMarked', 'datetime', 'R'],
	['EMP_MARKED_ID', 'empMarkedId', 'integer', ''],
];

const PAYMENT_UPPER_TO_CAMEL = new Map(PAYMENT_FIELDS.map(([upper, camel]) => [upper, camel]));

/** Reads sale payment fields by UPPER_SNAKE name (for filters and orders); unknown names give undefined. */
/** The fields toSalePayment re-prints in the portal's offset; every other one it passes as stored. */
const REPRINTED = new Set(['dateBill', 'dateMarked', 'datePaid', 'datePayBefore', 'dateResponsibleId', 'payReturnDate', 'payVoucherDate', 'psResponseDate']);

export function paymentResolver(ctx: CallContext): (field: string) => ((p: SalePayment) => unknown) | undefined {
	const tz = ctx.options.timeZone;
	return (field) => {
		const camel = PAYMENT_UPPER_TO_CAMEL.get(field);
		if (camel === undefined) return undefined;
		// Reads the one field as toSalePayment prints it (only datetimes are re-printed): lists filter and sort
		// 10 000 rows in tests, and building every row's whole object per comparison was most of their time.
		if (!REPRINTED.has(camel)) return (p) => (p as unknown as Record<string, unknown>)[camel];
		return (p) => reformat((p as unknown as Record<string, string | null>)[camel], tz);
	};
}

/** Marks a payment paid the way Sale\Payment::onFieldModify('PAID') does: stamp date and user once. */
export function markPaid(p: SalePayment, ctx: CallContext, explicit: { datePaid?: boolean; empPaidId?: boolean } = {}): void {
	if (p.paid === 'Y') return; // unchanged field: no modify event, no new stamps
	p.paid = 'Y';
	if (!explicit.datePaid) p.datePaid = formatNow(ctx);
	if (!explicit.empPaidId) p.empPaidId = ctx.caller.userId;
	p.isReturn = 'N';
}

export function formatNow(ctx: CallContext): string {
	return formatPortal(ctx.now, ctx.options.timeZone);
}
