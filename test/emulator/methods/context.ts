// What a method handler gets, and the helpers the method families share.

import { formatPortal, reformat } from '../datetime';
import { paramInvalid, paramMissing } from '../errors';
import type { RuntimeOptions } from '../options';
import { phpIsNumeric, type Params } from '../php';
import type { EmulatorState, SalePayment } from '../state';

export interface Caller {
	kind: 'webhook' | 'oauth';
	userId: number;
	scopes: string[];
	canWrite: boolean;
}

export interface CallContext {
	params: Params;
	caller: Caller;
	state: EmulatorState;
	options: RuntimeOptions;
	now: number; // epoch ms of the request
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
