// sale.payment.get / update (Bitrix\Sale\Controller\Payment). Scope sale.
// Order of checks as on the portal: write permission (before parameters are bound),
// id missing (100), payment unknown (200640400001), fields missing/empty (100),
// "Required fields: paySystemId" (0). `id` is not typed there: "abc" just finds nothing.

import { parseLoose, formatPortal } from '../datetime';
import { RestError, paramMissing } from '../errors';
import { matchesId, phpFloatCast, phpIntCast, phpString, type Params } from '../php';
import type { SalePayment } from '../state';
import { bindArray, markPaid, toSalePayment, type CallContext, type MethodDef } from './context';

type Kind = 'int' | 'float' | 'string' | 'char' | 'paid' | 'datetime' | 'nullableString' | 'numericString';

// The writable fields of the sale.payment.update seed page. Everything else in
// `fields` (id, orderId, accountNumber, currency, paySystemName, ...) is ignored.
const WRITABLE: Record<string, Kind> = {
	paySystemId: 'int', paid: 'paid', datePaid: 'datetime', empPaidId: 'int', psStatus: 'char',
	psStatusCode: 'string', psStatusDescription: 'string', psStatusMessage: 'string', psSum: 'float',
	psCurrency: 'string', psResponseDate: 'datetime', payVoucherNum: 'string', payVoucherDate: 'datetime',
	datePayBefore: 'datetime', dateBill: 'datetime', xmlId: 'string', sum: 'float', companyId: 'int',
	payReturnNum: 'string', priceCod: 'numericString', payReturnDate: 'datetime', empReturnId: 'int',
	payReturnComment: 'string', responsibleId: 'int', empResponsibleId: 'int', isReturn: 'char',
	comments: 'string', updated1c: 'char', id1c: 'string', version1c: 'string', externalPayment: 'char',
	psInvoiceId: 'nullableString', marked: 'char', reasonMarked: 'string', empMarkedId: 'int',
};

const NOT_FOUND = () => new RestError(400, '200640400001', 'payment is not exists');

function findPayment(ctx: CallContext): SalePayment {
	if (!('id' in ctx.params)) throw paramMissing('id');
	const id = ctx.params.id;
	for (const p of ctx.state.payments.values()) if (matchesId(id, p.id)) return p;
	throw NOT_FOUND();
}

// Coerce one incoming value; undefined = the portal drops it (unparseable or empty datetime).
function coerce(kind: Kind, value: unknown, tz: string): unknown {
	switch (kind) {
		case 'int':
			return value === null || value === '' ? null : phpIntCast(value);
		case 'float':
			return value === null || value === '' ? null : phpFloatCast(value);
		case 'paid':
			return value === 'Y' ? 'Y' : 'N';
		case 'datetime': {
			const ms = parseLoose(value, tz);
			return ms === null ? undefined : formatPortal(ms, tz);
		}
		case 'nullableString':
			return value === null ? null : phpString(value);
		case 'numericString':
			return phpString(value === null || value === '' ? 0 : phpFloatCast(value));
		default:
			return phpString(value);
	}
}

function applyFields(payment: SalePayment, fields: Params, ctx: CallContext): void {
	const tz = ctx.options.timeZone;
	const changes: Record<string, unknown> = {};
	for (const [name, raw] of Object.entries(fields)) {
		if (!Object.prototype.hasOwnProperty.call(WRITABLE, name)) continue;
		const kind = WRITABLE[name];
		const value = coerce(kind, raw, tz);
		if (value !== undefined) changes[name] = value;
	}
	if ('paySystemId' in changes) {
		const sys = ctx.state.paySystems.get(changes.paySystemId as number);
		if (!sys) throw new RestError(400, 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE', 'Incorrect payment system specified');
		payment.paySystemName = sys.NAME;
		payment.paySystemXmlId = sys.XML_ID;
		payment.paySystemIsCash = sys.IS_CASH;
	}
	if (changes.sum === null) changes.sum = 0; // SUM is NOT NULL
	const { paid, ...rest } = changes;
	Object.assign(payment, rest);
	if (paid === 'Y') markPaid(payment, ctx, { datePaid: 'datePaid' in changes, empPaidId: 'empPaidId' in changes });
	if (paid === 'N') payment.paid = 'N';
}

export const salePaymentMethods: Record<string, MethodDef> = {
	'sale.payment.get': {
		scope: 'sale',
		run(ctx) {
			return { payment: toSalePayment(findPayment(ctx), ctx.options.timeZone) };
		},
	},
	'sale.payment.update': {
		scope: 'sale',
		run(ctx) {
			if (!ctx.caller.canWrite) throw new RestError(400, '200040300020', 'Access Denied');
			const payment = findPayment(ctx);
			const fields = bindArray(ctx.params, 'fields');
			if (Object.keys(fields).length === 0) throw paramMissing('fields');
			if (!('paySystemId' in fields)) throw new RestError(400, '0', 'Required fields: paySystemId');
			applyFields(payment, fields, ctx);
			return { payment: toSalePayment(payment, ctx.options.timeZone) };
		},
	},
};
