// sale.payment.add / get / update / list / delete / getFields (Bitrix\Sale\Controller\Payment). Scope sale.
// Order of checks as on the portal: permission (before parameters are bound; write 200040300020,
// read 200040300010), id missing (100), payment unknown (200640400001), fields missing/empty (100),
// "Required fields: ..." (0), then the order builder ("Cannot load order", wrong pay system).
// `id` is not typed there: "abc" just finds nothing.

import { parseLoose, formatPortal } from '../datetime';
import { RestError, paramMissing } from '../errors';
import { matchesId, phpFloatCast, phpIntCast, phpString, type Params } from '../php';
import { deletePaymentRow, newPaymentRow, type SalePayment } from '../state';
import {
	PAYMENT_FIELDS,
	restManagerPage,
	bindArray,
	bindOptionalArray,
	bindOptionalList,
	formatNow,
	markPaid,
	paymentResolver,
	toSalePayment,
	type CallContext,
	type MethodDef,
} from './context';
import { applyFilter, applyOrder, parseFilterKey, saleUpperSnake } from './listing';

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
const WRITE_DENIED = () => new RestError(400, '200040300020', 'Access Denied');
const WRONG_PAY_SYSTEM = () => new RestError(400, 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE', 'Incorrect payment system specified');

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
		if (!sys) throw WRONG_PAY_SYSTEM();
		payment.paySystemName = sys.NAME;
		payment.paySystemXmlId = sys.XML_ID ?? '';
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
			if (!ctx.caller.canWrite) throw WRITE_DENIED();
			const payment = findPayment(ctx);
			const fields = bindArray(ctx.params, 'fields');
			if (Object.keys(fields).length === 0) throw paramMissing('fields');
			if (!('paySystemId' in fields)) throw new RestError(400, '0', 'Required fields: paySystemId');
			applyFields(payment, fields, ctx);
			return { payment: toSalePayment(payment, ctx.options.timeZone) };
		},
	},
	'sale.payment.add': {
		scope: 'sale',
		run(ctx) {
			if (!ctx.caller.canWrite) throw WRITE_DENIED();
			const fields = bindArray(ctx.params, 'fields');
			if (Object.keys(fields).length === 0) throw paramMissing('fields');
			// checkRequiredFieldsAdd(): the key must be there (is_set), whatever its value.
			const missing = ['orderId', 'paySystemId'].filter((name) => !(name in fields));
			if (missing.length > 0) throw new RestError(400, '0', `Required fields: ${missing.join(', ')}`);
			// OrderBuilderExist::createOrder(): an unknown (or non-positive) order id cannot be loaded.
			const order = ctx.state.orders.get(phpIntCast(fields.orderId));
			if (!order) throw new RestError(400, '0', 'Cannot load order');
			const paySystemId = fields.paySystemId === null || fields.paySystemId === '' ? 0 : phpIntCast(fields.paySystemId);
			if (!ctx.state.paySystems.has(paySystemId)) throw WRONG_PAY_SYSTEM();
			const payment = newPaymentRow(ctx.state, order, formatNow(ctx), ctx.caller.userId);
			applyFields(payment, fields, ctx);
			return { payment: toSalePayment(payment, ctx.options.timeZone) };
		},
	},
	// Sale\Rest\Entity\Base::internalizeFilterFields -> internalizeFieldValue: a datetime field's value goes through
	// strtotime(): an instant with its offset (or Z) exactly, to the second; without one, in the server's zone; a
	// value strtotime cannot read (or reads as 0) drops the condition, without an error.
	'sale.payment.list': {
		scope: 'sale',
		run(ctx) {
			// CRestServer takes `start` out of the parameters (intval) before the controller sees them.
			const start = 'start' in ctx.params ? phpIntCast(ctx.params.start) : 0;
			delete ctx.params.start;
			// listAction(PageNavigation, array $select = [], array $filter = [], array $order = []).
			const select = bindOptionalList(ctx.params, 'select');
			const filter = bindOptionalArray(ctx.params, 'filter');
			const order = bindOptionalArray(ctx.params, 'order');

			// The Sale REST entity whitelists keys: unknown select / filter / order fields are dropped.
			const known = new Set(PAYMENT_FIELDS.map(([upper]) => upper));
			const wanted = (select ?? []).map((name) => (name === '*' ? '*' : saleUpperSnake(phpString(name))));
			const picked = wanted.includes('*') ? [] : wanted.filter((name) => known.has(name));
			const camelPicked = new Set(PAYMENT_FIELDS.filter(([upper]) => picked.includes(upper)).map(([, camel]) => camel));

			const resolve = paymentResolver(ctx);
			const rows = applyOrder(
				applyFilter([...ctx.state.payments.values()], datesRead(filter, ctx.options.timeZone), resolve, saleUpperSnake),
				order,
				resolve,
				saleUpperSnake,
				[['ID', 'ASC']],
			);

			return restManagerPage(rows, start, 'payments', (p) => {
				const full = toSalePayment(p, ctx.options.timeZone);
				if (camelPicked.size === 0) return full;
				return Object.fromEntries(Object.entries(full).filter(([key]) => camelPicked.has(key)));
			});
		},
	},
	'sale.payment.delete': {
		scope: 'sale',
		run(ctx) {
			if (!ctx.caller.canWrite) throw WRITE_DENIED();
			const payment = findPayment(ctx);
			// Sale\Payment::delete() refuses a paid payment.
			if (payment.paid === 'Y') {
				throw new RestError(400, 'SALE_PAYMENT_DELETE_EXIST_PAID', 'Partial payment done. Cancel payment');
			}
			deletePaymentRow(ctx.state, payment.id);
			return true;
		},
	},
	'sale.payment.getfields': {
		scope: 'sale',
		run() {
			// No permission check for getfields. Keys come back sorted, as the docs show them.
			const payment: Record<string, unknown> = {};
			for (const [, camel, type, attrs] of [...PAYMENT_FIELDS].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
				payment[camel] = {
					isImmutable: attrs.includes('I'),
					isReadOnly: attrs.includes('R'),
					isRequired: attrs.includes('Q'),
					type,
				};
			}
			return { payment };
		},
	},
};

const DATETIME_FIELDS = new Set(PAYMENT_FIELDS.filter(([, , type]) => type === 'datetime').map(([upper]) => upper));

/** A filter as internalizeFilterFields leaves it: datetime values as instants, conditions on unreadable ones gone. */
function datesRead(filter: Params | undefined, tz: string): Params | undefined {
	if (!filter) return filter;
	const read: Params = {};
	for (const [key, value] of Object.entries(filter)) {
		if (!DATETIME_FIELDS.has(saleUpperSnake(parseFilterKey(key).field))) {
			read[key] = value;
			continue;
		}
		const ms = parseLoose(value, tz);
		// strtotime() false, or 0 (which the `$time ?` test takes for false): the condition is dropped.
		if (ms === null || Math.floor(ms / 1000) === 0) continue;
		read[key] = formatPortal(Math.floor(ms / 1000) * 1000, tz);
	}
	return read;
}
