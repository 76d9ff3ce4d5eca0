// sale.paysystem.* (Bitrix\Sale\PaySystem\RestService). Scope pay_system. UPPER_SNAKE in and out.
// Params are case-insensitive: the service upper-cases every key (recursively for pay systems,
// settings and payments; only the top level for handlers) and maps LOGOTYPE -> LOGOTIP, TARIFF -> TARIF.
// Every method first checks the caller may manage pay systems (AccessChecker / checkOrderPermission):
// a read-only user gets 403 ACCESS_DENIED "Access denied!" - on reads too, as on the portal.
// Other errors are 400 RestExceptions with the codes below, in the portal's order of checks.

import { formatPortal, reformat } from '../datetime';
import { RestError } from '../errors';
import { matchesId, phpEmpty, phpFloatCast, phpIntCast, phpString, type Params } from '../php';
import type { LegacyInvoice, PaySystem, PaySystemHandler, SalePayment, SettingMapping } from '../state';
import { generateXmlId } from '../state';
import { PAYMENT_FIELDS, markPaid, toSalePayment, type CallContext, type MethodDef } from './context';
import { applyFilter, applyOrder, parseFilterKey } from './listing';

const checkFailure = (text: string) => new RestError(400, 'ERROR_CHECK_FAILURE', text);
const accessDenied = () => new RestError(403, 'ACCESS_DENIED', 'Access denied!');

/** AccessChecker::checkAccessPermission() / checkOrderPermission(): the read-only user may do nothing here. */
function checkPermission(ctx: CallContext): void {
	if (!ctx.caller.canWrite) throw accessDenied();
}

function isset(value: unknown): boolean {
	return value !== undefined && value !== null;
}

function isObject(value: unknown): value is Params {
	return typeof value === 'object' && value !== null;
}

/** array_change_key_case(CASE_UPPER), recursively or not; lists stay lists. */
function upperKeys(value: unknown, deep: boolean): unknown {
	if (!isObject(value)) return value;
	if (Array.isArray(value)) return deep ? value.map((v) => upperKeys(v, deep)) : value;
	const out: Params = {};
	for (const [k, v] of Object.entries(value)) out[k.toUpperCase()] = deep ? upperKeys(v, deep) : v;
	return out;
}

const INCOMING_MAP: Record<string, string> = { LOGOTYPE: 'LOGOTIP', TARIFF: 'TARIF' };
const OUTGOING_MAP: Record<string, string> = { LOGOTIP: 'LOGOTYPE', TARIF: 'TARIFF' };

/** RestService::replaceKeys(): renames keys at the top level and inside FIELDS. */
function replaceKeys(data: Params, map: Record<string, string>): Params {
	for (const [from, to] of Object.entries(map)) {
		if (from in data) {
			data[to] = data[from];
			delete data[from];
		}
		if (isObject(data.FIELDS) && !Array.isArray(data.FIELDS) && from in data.FIELDS) {
			data.FIELDS[to] = data.FIELDS[from];
			delete data.FIELDS[from];
		}
	}
	return data;
}

/** prepareIncomingParams(): keys upper-cased recursively, LOGOTYPE/TARIFF renamed. */
function incoming(ctx: CallContext): Params {
	return replaceKeys(upperKeys(ctx.params, true) as Params, INCOMING_MAP);
}

/** prepareHandlerParams(): only the top-level keys are upper-cased. */
function incomingHandler(ctx: CallContext): Params {
	return replaceKeys(upperKeys(ctx.params, false) as Params, INCOMING_MAP);
}

function findPaySystem(ctx: CallContext, id: unknown): PaySystem | undefined {
	for (const [key, ps] of ctx.state.paySystems) if (matchesId(id, key)) return ps;
	return undefined;
}

/** Manager::getById(): `(int)$id <= 0` finds nothing. */
function getPaySystemById(ctx: CallContext, id: unknown): PaySystem | undefined {
	return phpIntCast(id) <= 0 ? undefined : findPaySystem(ctx, id);
}

/** What the business-value lookups read: the portal's data and its options (a method's CallContext is one). */
export type ValueContext = Pick<CallContext, 'state' | 'options'>;

/** PaySystemRestHandlersTable by CODE (a pay system's ACTION_FILE names its REST handler this way). */
export function findHandlerByCode(ctx: Pick<CallContext, 'state'>, code: unknown): PaySystemHandler | undefined {
	for (const h of ctx.state.paySystemHandlers.values()) if (h.CODE === phpString(code)) return h;
	return undefined;
}

function findHandlerById(ctx: CallContext, id: unknown): [number, PaySystemHandler] | undefined {
	for (const [key, h] of ctx.state.paySystemHandlers) if (matchesId(id, key)) return [key, h];
	return undefined;
}

/** An app may only touch handlers it added (webhooks have no client id and may touch all). */
function checkHandlerOwner(ctx: CallContext, handler: PaySystemHandler): void {
	const appId = ctx.caller.clientId;
	if (appId && handler.APP_ID && handler.APP_ID !== appId) throw accessDenied();
}

/** hasAccessToPaySystem(): only pay systems running a REST handler (of this app) may be changed via REST. */
function checkPaySystemAccess(ctx: CallContext, ps: PaySystem): void {
	const handler = findHandlerByCode(ctx, ps.ACTION_FILE);
	if (!handler) throw accessDenied();
	checkHandlerOwner(ctx, handler);
}

/** Handler codes Manager::getHandlerList() knows: the built-in ones plus every REST handler. */
const FILE_HANDLERS = ['cash', 'orderdocument', 'bill', 'billen', 'inner', 'emulator_flaky_handler'];

function findPersonType(ctx: CallContext, id: unknown, registry: unknown): boolean {
	for (const pt of ctx.state.personTypes.values()) {
		if (matchesId(id, pt.id) && pt.registry === phpString(registry)) return true;
	}
	return false;
}

function yn(value: unknown): 'Y' | 'N' {
	return value === 'Y' ? 'Y' : 'N';
}

// ---- sale.paysystem.list ----

/** RestService::ALLOWED_PAYSYSTEM_FIELDS, in the portal's order (what a list without SELECT returns). */
const ALLOWED_FIELDS = [
	'ID', 'PERSON_TYPE_ID', 'NAME', 'PSA_NAME', 'SORT', 'DESCRIPTION', 'ACTION_FILE', 'RESULT_FILE',
	'NEW_WINDOW', 'TARIF', 'PS_MODE', 'HAVE_PAYMENT', 'HAVE_ACTION', 'HAVE_RESULT', 'HAVE_PREPAY',
	'HAVE_PRICE', 'HAVE_RESULT_RECEIVE', 'ENCODING', 'LOGOTIP', 'ACTIVE', 'ALLOW_EDIT_PAYMENT',
	'IS_CASH', 'AUTO_CHANGE_1C', 'CAN_PRINT_CHECK', 'ENTITY_REGISTRY_TYPE', 'XML_ID',
];

/** The b_sale_pay_system_action row by column name (values as fetched: strings, or null). */
function paySystemColumn(ps: PaySystem, field: string): unknown {
	const row: Record<string, unknown> = {
		ID: ps.ID, PERSON_TYPE_ID: ps.PERSON_TYPE_ID, NAME: ps.NAME, PSA_NAME: ps.PSA_NAME, SORT: ps.SORT,
		DESCRIPTION: ps.DESCRIPTION, ACTION_FILE: ps.ACTION_FILE, RESULT_FILE: ps.RESULT_FILE, NEW_WINDOW: ps.NEW_WINDOW,
		TARIF: ps.TARIF, PS_MODE: ps.PS_MODE, HAVE_PAYMENT: ps.HAVE_PAYMENT, HAVE_ACTION: ps.HAVE_ACTION,
		HAVE_RESULT: ps.HAVE_RESULT, HAVE_PREPAY: ps.HAVE_PREPAY, HAVE_PRICE: ps.HAVE_PRICE,
		HAVE_RESULT_RECEIVE: ps.HAVE_RESULT_RECEIVE, ENCODING: ps.ENCODING, LOGOTIP: ps.LOGOTIP, ACTIVE: ps.ACTIVE,
		ALLOW_EDIT_PAYMENT: ps.ALLOW_EDIT_PAYMENT, IS_CASH: ps.IS_CASH, AUTO_CHANGE_1C: ps.AUTO_CHANGE_1C,
		CAN_PRINT_CHECK: ps.CAN_PRINT_CHECK, ENTITY_REGISTRY_TYPE: ps.ENTITY_REGISTRY_TYPE, XML_ID: ps.XML_ID,
	};
	return row[field];
}

const INT_FIELDS = ['ID', 'PERSON_TYPE_ID', 'SORT'];

/** One list row: selected columns in select order, then LOGOTIP/TARIF renamed (appended, as replaceKeys does). */
function outgoingRow(ps: PaySystem, select: string[], typed: boolean): Params {
	let row: Params = {};
	for (const field of select) row[field] = paySystemColumn(ps, field);
	if (typed) {
		// Newer builds cast the integer columns; they then come after the string ones (the docs' example).
		const ints: Params = {};
		for (const field of INT_FIELDS) {
			if (field in row) {
				ints[field] = Number(row[field]);
				delete row[field];
			}
		}
		row = { ...row, ...ints };
	}
	return replaceKeys(row, OUTGOING_MAP);
}

function mapIncomingName(name: string): string {
	const upper = name.toUpperCase();
	return INCOMING_MAP[upper] ?? upper;
}

/** checkParamsBeforePaySystemListGet(): a field outside the whitelist is a RestException without a code. */
function notAllowed(fields: string[], what: string): void {
	const diff = fields.filter((f) => !ALLOWED_FIELDS.includes(f));
	if (diff.length > 0) throw new RestError(400, '', `${diff.join(', ')} not allowed for ${what}`);
}

// ---- business values (settings) ----

function handlerCodes(ctx: ValueContext, ps: PaySystem): Params {
	const settings = findHandlerByCode(ctx, ps.ACTION_FILE)?.SETTINGS;
	const codes = isObject(settings) ? settings.CODES : undefined;
	return isObject(codes) && !Array.isArray(codes) ? codes : {};
}

/** BusinessValue::getMapping(): the person type's mapping, else the common one, else the code's DEFAULT. */
function mappingFor(ctx: ValueContext, ps: PaySystem, personTypeId: string, code: string, info: unknown): SettingMapping {
	const own = ctx.state.paySystemSettings.get(`${ps.ID}:${personTypeId}`)?.[code];
	if (own) return own;
	const common = ctx.state.paySystemSettings.get(`${ps.ID}:`)?.[code];
	if (common) return common;
	const def = isObject(info) && isObject(info.DEFAULT) ? info.DEFAULT : undefined;
	return { TYPE: def?.PROVIDER_KEY ?? null, VALUE: def?.PROVIDER_VALUE ?? null };
}

const PAYMENT_UPPER = new Map(PAYMENT_FIELDS.map(([upper, camel]) => [upper, camel]));

/** BusinessValue provider lookup for sale.paysystem.settings.payment.get. */
function providerValue(ctx: ValueContext, mapping: SettingMapping, payment: SalePayment): unknown {
	const key = phpString(mapping.TYPE);
	const field = phpString(mapping.VALUE);
	const tz = ctx.options.timeZone;
	const order = ctx.state.orders.get(payment.orderId);
	switch (key) {
		case 'VALUE':
		case 'INPUT':
			return mapping.VALUE;
		case 'PAYMENT': {
			if (field === 'DATE_BILL_DATE') return reformat(payment.dateBill, tz)?.slice(0, 10) ?? null;
			const camel = PAYMENT_UPPER.get(field);
			return camel === undefined ? null : toSalePayment(payment, tz)[camel];
		}
		case 'ORDER': {
			if (!order) return null;
			const paymentsSum = [...ctx.state.payments.values()].filter((p) => p.orderId === order.id).reduce((s, p) => s + p.sum, 0);
			const values: Record<string, unknown> = {
				ID: order.id, ACCOUNT_NUMBER: order.accountNumber, CURRENCY: order.currency, USER_ID: order.userId,
				PERSON_TYPE_ID: order.personTypeId, PRICE: paymentsSum, SHOULD_PAY: paymentsSum, PAY_SYSTEM_ID: payment.paySystemId,
			};
			return values[field] ?? null;
		}
		case 'USER': {
			const user = order ? ctx.state.users.get(order.userId) : undefined;
			if (!user) return null;
			const values: Record<string, unknown> = { ID: user.id, NAME: user.name, LAST_NAME: user.lastName };
			return values[field] ?? null;
		}
		default:
			return null;
	}
}

/**
 * Service::getParamsBusValue(): a flat {CODE: value}, every CODES key of the pay system's REST handler with its
 * provider resolved for this payment and the order's person type. sale.paysystem.settings.payment.get answers it;
 * the buyer's checkout (checkout.ts) posts FIELDS from it, with `businessValueGet`: as BusinessValue::get (null
 * unless the mapping has a non-empty PROVIDER_KEY and PROVIDER_VALUE) and BaseServiceHandler::getBusinessValue
 * (a string is trim()med) give it. settings.payment.get resolves without them, as it did before the checkout came.
 */
export function paymentBusinessValues(
	ctx: ValueContext,
	ps: PaySystem,
	payment: SalePayment,
	personTypeId: number,
	o: { businessValueGet?: boolean } = {},
): Record<string, unknown> {
	const result: Record<string, unknown> = {};
	for (const [code, info] of Object.entries(handlerCodes(ctx, ps))) {
		const mapping = mappingFor(ctx, ps, String(personTypeId), code, info);
		if (!o.businessValueGet) {
			result[code] = providerValue(ctx, mapping, payment);
			continue;
		}
		const value = phpEmpty(mapping.TYPE) || phpEmpty(mapping.VALUE) ? null : providerValue(ctx, mapping, payment);
		result[code] = typeof value === 'string' ? phpTrim(value) : value;
	}
	return result;
}

/** PHP trim(): strips " \t\n\r\0\x0B" from both ends (not every Unicode space, as String.prototype.trim does). */
function phpTrim(value: string): string {
	const blank = ' \t\n\r\u0000\u000b';
	let start = 0;
	let end = value.length;
	while (start < end && blank.includes(value[start])) start++;
	while (end > start && blank.includes(value[end - 1])) end--;
	return value.slice(start, end);
}

// ---- paying (pay.payment, pay.invoice) ----

interface PayTarget {
	markPaid(): void;
	setPs(p: Params, now: string): void;
}

/** Runs the pay system's handler (Service::processRequest) and reports its result as the portal does. */
function runHandler(paySystem: PaySystem, target: PayTarget, p: Params, ctx: CallContext): true {
	if (paySystem.handlerBehavior === 'fail') {
		throw new RestError(400, 'ERROR_PROCESS_REQUEST_RESULT', paySystem.handlerError);
	}
	// Documented quirk: the order save fails afterwards, is only logged, and the answer is still true.
	if (paySystem.handlerBehavior === 'flaky') return true;
	target.markPaid();
	target.setPs(p, formatPortal(ctx.now, ctx.options.timeZone));
	return true;
}

function paymentTarget(payment: SalePayment, ctx: CallContext): PayTarget {
	return {
		markPaid: () => markPaid(payment, ctx),
		setPs(p, now) {
			payment.psStatus = 'Y';
			payment.psResponseDate = now;
			if ('PS_INVOICE_ID' in p) payment.psInvoiceId = p.PS_INVOICE_ID === null ? null : phpString(p.PS_INVOICE_ID);
			if ('PS_STATUS_CODE' in p) payment.psStatusCode = phpString(p.PS_STATUS_CODE);
			if ('PS_STATUS_DESCRIPTION' in p) payment.psStatusDescription = phpString(p.PS_STATUS_DESCRIPTION);
			if ('PS_STATUS_MESSAGE' in p) payment.psStatusMessage = phpString(p.PS_STATUS_MESSAGE);
			if ('PS_SUM' in p) payment.psSum = phpFloatCast(p.PS_SUM);
			if ('PS_CURRENCY' in p) payment.psCurrency = phpString(p.PS_CURRENCY);
			if ('PS_RECURRING_TOKEN' in p) payment.psRecurringToken = phpString(p.PS_RECURRING_TOKEN);
			if ('PS_CARD_NUMBER' in p) payment.psCardNumber = phpString(p.PS_CARD_NUMBER);
		},
	};
}

function invoiceTarget(invoice: LegacyInvoice, ctx: CallContext): PayTarget {
	return {
		markPaid() {
			if (invoice.paid === 'Y') return;
			invoice.paid = 'Y';
			invoice.datePaid = formatPortal(ctx.now, ctx.options.timeZone);
		},
		setPs(p, now) {
			invoice.psStatus = 'Y';
			invoice.psResponseDate = now;
			if ('PS_INVOICE_ID' in p) invoice.psInvoiceId = p.PS_INVOICE_ID === null ? null : phpString(p.PS_INVOICE_ID);
			if ('PS_SUM' in p) invoice.psSum = phpFloatCast(p.PS_SUM);
		},
	};
}

function findPaymentOfPaySystem(ctx: CallContext, paymentId: unknown, paySystemId: unknown): SalePayment {
	for (const p of ctx.state.payments.values()) if (matchesId(paymentId, p.id) && matchesId(paySystemId, p.paySystemId)) return p;
	throw checkFailure(`Payment with ID=${phpString(paymentId)} and PAY_SYSTEM_ID=${phpString(paySystemId)} not found`);
}

export const paySystemMethods: Record<string, MethodDef> = {
	// Checks in the portal's order: permission (403), PAY_SYSTEM_ID empty, pay system unknown,
	// PAYMENT_ID empty, payment not on that pay system; then the handler runs.
	'sale.paysystem.pay.payment': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = upperKeys(ctx.params, true) as Params;
			if (phpEmpty(p.PAY_SYSTEM_ID)) throw checkFailure('Empty field PAY_SYSTEM_ID!');
			const paySystem = getPaySystemById(ctx, p.PAY_SYSTEM_ID);
			if (!paySystem) throw checkFailure('Pay system not found');
			if (phpEmpty(p.PAYMENT_ID)) throw checkFailure('Empty field PAYMENT_ID');
			const payment = findPaymentOfPaySystem(ctx, p.PAYMENT_ID, p.PAY_SYSTEM_ID);
			return runHandler(paySystem, paymentTarget(payment, ctx), p, ctx);
		},
	},
	// Legacy CRM invoices: the pay system must be of the CRM_INVOICE registry.
	'sale.paysystem.pay.invoice': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = upperKeys(ctx.params, true) as Params;
			if (!isset(p.BX_REST_HANDLER) && !isset(p.PAY_SYSTEM_ID)) throw checkFailure('Empty field BX_REST_HANDLER and PAY_SYSTEM_ID');
			if (isset(p.PAY_SYSTEM_ID) && !getPaySystemById(ctx, p.PAY_SYSTEM_ID)) {
				throw checkFailure(`Pay system with ID=${phpString(p.PAY_SYSTEM_ID)} not found`);
			}
			if (isset(p.BX_REST_HANDLER) && !findHandlerByCode(ctx, p.BX_REST_HANDLER)) throw checkFailure('Incorrect rest handler code');
			if (phpEmpty(p.INVOICE_ID)) throw checkFailure('Empty field INVOICE_ID!');
			let invoice: LegacyInvoice | undefined;
			for (const inv of ctx.state.invoices.values()) if (matchesId(p.INVOICE_ID, inv.id)) invoice = inv;
			if (!invoice) {
				throw new RestError(400, 'ERROR_INTERNAL_INVOICE_NOT_FOUND', `Invoice #${phpString(p.INVOICE_ID)} not found`);
			}
			let paySystem: PaySystem | undefined;
			for (const ps of ctx.state.paySystems.values()) {
				if (ps.ENTITY_REGISTRY_TYPE !== 'CRM_INVOICE') continue;
				if (isset(p.PAY_SYSTEM_ID) ? matchesId(p.PAY_SYSTEM_ID, Number(ps.ID)) : ps.ACTION_FILE === phpString(p.BX_REST_HANDLER)) {
					paySystem = ps;
					break;
				}
			}
			if (!paySystem) throw new RestError(400, 'ERROR_PROCESS_REQUEST_RESULT', 'Pay system not found');
			return runHandler(paySystem, invoiceTarget(invoice, ctx), p, ctx);
		},
	},
	'sale.paysystem.list': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			const rawSelect = Array.isArray(p.SELECT) || (isObject(p.SELECT) && !Array.isArray(p.SELECT)) ? Object.values(p.SELECT) : undefined;
			const select = rawSelect ? [...new Set(rawSelect.map((f) => mapIncomingName(phpString(f))))] : [];
			const filter = isObject(p.FILTER) && !Array.isArray(p.FILTER) ? p.FILTER : {};
			const order = isObject(p.ORDER) && !Array.isArray(p.ORDER) ? p.ORDER : {};
			if (select.length > 0) notAllowed(select, 'select');
			notAllowed(Object.keys(filter).map((k) => mapIncomingName(parseFilterKey(k).field)), 'filter');
			notAllowed(Object.keys(order), 'order');

			const resolve = (field: string) => (ALLOWED_FIELDS.includes(field) ? (ps: PaySystem) => paySystemColumn(ps, field) : undefined);
			const rows = applyOrder(
				applyFilter([...ctx.state.paySystems.values()], filter, resolve, mapIncomingName),
				order,
				resolve,
				mapIncomingName,
				[['ID', 'ASC']],
			);
			// Not paginated: every pay system, no `total` / `next`.
			const columns = select.length > 0 ? select : ALLOWED_FIELDS;
			return rows.map((ps) => outgoingRow(ps, columns, ctx.options.paySystemListTyped));
		},
	},
	'sale.paysystem.add': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			// With the crm module installed the registry defaults to CRM_INVOICE (legacy invoices), not ORDER.
			if (!isset(p.ENTITY_REGISTRY_TYPE)) p.ENTITY_REGISTRY_TYPE = 'CRM_INVOICE';
			if (phpEmpty(p.BX_REST_HANDLER)) throw checkFailure('Parameter BX_REST_HANDLER is not defined');
			const handler = findHandlerByCode(ctx, p.BX_REST_HANDLER);
			if (!handler) throw new RestError(400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
			checkHandlerOwner(ctx, handler);
			if (!findPersonType(ctx, p.PERSON_TYPE_ID, p.ENTITY_REGISTRY_TYPE)) {
				throw new RestError(400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!');
			}
			// NAME is not checked up front: the table's required-field validation fails Manager::add().
			const name = phpString(p.NAME);
			if (name === '') throw new RestError(400, 'ERROR_PAY_SYSTEM_ADD', 'Field "NAME" is required');

			const id = ++ctx.state.lastIds.paySystem;
			const code = phpString(p.BX_REST_HANDLER);
			const personTypeId = String(phpIntCast(p.PERSON_TYPE_ID));
			ctx.state.paySystems.set(id, {
				ID: String(id), NAME: name, PSA_NAME: name, ACTIVE: yn(p.ACTIVE), PERSON_TYPE_ID: personTypeId,
				ACTION_FILE: code, BX_REST_HANDLER: code, DESCRIPTION: isset(p.DESCRIPTION) ? phpString(p.DESCRIPTION) : null,
				SORT: '100', IS_CASH: 'N', XML_ID: phpEmpty(p.XML_ID) ? generateXmlId(id) : phpString(p.XML_ID),
				ENTITY_REGISTRY_TYPE: phpString(p.ENTITY_REGISTRY_TYPE), NEW_WINDOW: yn(p.NEW_WINDOW),
				RESULT_FILE: null, PS_MODE: null, HAVE_PAYMENT: 'N', HAVE_ACTION: 'N', HAVE_RESULT: 'N', HAVE_PREPAY: 'N',
				HAVE_PRICE: 'N', HAVE_RESULT_RECEIVE: 'Y', ENCODING: null,
				LOGOTIP: isset(p.LOGOTIP) ? String(++ctx.state.lastIds.file) : null, TARIF: null,
				ALLOW_EDIT_PAYMENT: 'Y', AUTO_CHANGE_1C: 'N', CAN_PRINT_CHECK: 'N',
				handlerBehavior: 'ok', handlerError: '',
			});
			if (isObject(p.SETTINGS) && !Array.isArray(p.SETTINGS)) {
				const key = `${id}:${personTypeId}`;
				const mappings: Record<string, SettingMapping> = { ...ctx.state.paySystemSettings.get(key) };
				for (const [code2, value] of Object.entries(p.SETTINGS)) {
					mappings[code2] = { TYPE: isObject(value) ? (value.TYPE ?? null) : null, VALUE: isObject(value) ? (value.VALUE ?? null) : null };
				}
				ctx.state.paySystemSettings.set(key, mappings);
			}
			return id;
		},
	},
	'sale.paysystem.update': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			const fields = isObject(p.FIELDS) && !Array.isArray(p.FIELDS) ? p.FIELDS : {};
			// checkParamsBeforePaySystemUpdate() looks FIELDS[BX_REST_HANDLER] up first: without it
			// (or with an unknown code) the answer is ERROR_HANDLER_NOT_FOUND, even for a valid ID.
			const handlerCode = phpString(fields.BX_REST_HANDLER);
			if (!isset(fields.BX_REST_HANDLER) || !(FILE_HANDLERS.includes(handlerCode) || findHandlerByCode(ctx, handlerCode))) {
				throw new RestError(400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
			}
			const ps = findPaySystem(ctx, p.ID);
			if (!ps) throw new RestError(400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
			checkPaySystemAccess(ctx, ps);
			// ... and FIELDS[PERSON_TYPE_ID] must be a person type of the pay system's registry.
			if (!findPersonType(ctx, fields.PERSON_TYPE_ID, ps.ENTITY_REGISTRY_TYPE)) {
				throw new RestError(400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!');
			}
			if (isset(fields.NAME)) ps.NAME = phpString(fields.NAME);
			if (isset(fields.DESCRIPTION)) ps.DESCRIPTION = phpString(fields.DESCRIPTION);
			if (isset(fields.NEW_WINDOW)) ps.NEW_WINDOW = yn(fields.NEW_WINDOW);
			if (isset(fields.ACTIVE)) ps.ACTIVE = yn(fields.ACTIVE);
			ps.PERSON_TYPE_ID = String(phpIntCast(fields.PERSON_TYPE_ID));
			ps.ACTION_FILE = ps.BX_REST_HANDLER = handlerCode;
			if (isset(fields.LOGOTIP)) ps.LOGOTIP = String(++ctx.state.lastIds.file);
			return true;
		},
	},
	'sale.paysystem.delete': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			const ps = getPaySystemById(ctx, p.ID);
			if (!ps) throw new RestError(400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
			checkPaySystemAccess(ctx, ps);
			// Manager::delete() does not look at payments: they keep the old PAY_SYSTEM_ID.
			ctx.state.paySystems.delete(Number(ps.ID));
			for (const key of [...ctx.state.paySystemSettings.keys()]) if (key.startsWith(`${ps.ID}:`)) ctx.state.paySystemSettings.delete(key);
			return true;
		},
	},
	'sale.paysystem.settings.get': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			if (!isset(p.PERSON_TYPE_ID)) throw checkFailure('Parameter PERSON_TYPE_ID is not defined');
			if (!isset(p.ID)) throw checkFailure('Parameter ID is not defined');
			const ps = getPaySystemById(ctx, p.ID);
			if (!ps) throw checkFailure('Pay system not found');
			checkPaySystemAccess(ctx, ps);
			const result: Record<string, SettingMapping> = {};
			for (const [code, info] of Object.entries(handlerCodes(ctx, ps))) {
				result[code] = mappingFor(ctx, ps, String(phpIntCast(p.PERSON_TYPE_ID)), code, info);
			}
			return Object.keys(result).length > 0 ? result : [];
		},
	},
	'sale.paysystem.settings.update': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			if (!isset(p.ID)) throw checkFailure('Parameter ID is not defined');
			const ps = getPaySystemById(ctx, p.ID);
			if (!ps) throw checkFailure('Pay system not found');
			// The portal's code answers a missing SETTINGS with ERROR_HANDLER_NOT_FOUND (sic).
			if (!isObject(p.SETTINGS) || phpEmpty(p.SETTINGS)) {
				throw new RestError(400, 'ERROR_HANDLER_NOT_FOUND', 'Parameter SETTINGS is not defined or empty');
			}
			checkPaySystemAccess(ctx, ps);
			// No PERSON_TYPE_ID: the mapping is stored for all person types.
			const key = `${ps.ID}:${isset(p.PERSON_TYPE_ID) ? String(phpIntCast(p.PERSON_TYPE_ID)) : ''}`;
			const mappings: Record<string, SettingMapping> = { ...ctx.state.paySystemSettings.get(key) };
			for (const [code, value] of Object.entries(p.SETTINGS)) {
				// BusinessValue::setMapping() fails on a value without a provider: the answer is then false.
				if (!isObject(value) || phpEmpty(value.TYPE)) return false;
				mappings[code] = { TYPE: value.TYPE, VALUE: value.VALUE ?? null };
				ctx.state.paySystemSettings.set(key, { ...mappings });
			}
			return true;
		},
	},
	'sale.paysystem.settings.payment.get': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incoming(ctx);
			if (phpEmpty(p.PAY_SYSTEM_ID)) throw checkFailure('Empty field PAY_SYSTEM_ID!');
			if (phpEmpty(p.PAYMENT_ID)) throw checkFailure('Empty field PAYMENT_ID');
			const ps = getPaySystemById(ctx, p.PAY_SYSTEM_ID);
			if (!ps) throw checkFailure('Pay system not found');
			checkPaySystemAccess(ctx, ps);
			const payment = findPaymentOfPaySystem(ctx, p.PAYMENT_ID, p.PAY_SYSTEM_ID);
			const order = ctx.state.orders.get(payment.orderId);
			if (!order) throw new RestError(400, 'ERROR_INTERNAL_ORDER_NOT_FOUND', `Order #${payment.orderId} not found`);
			const result = paymentBusinessValues(ctx, ps, payment, order.personTypeId);
			return Object.keys(result).length > 0 ? result : [];
		},
	},
	'sale.paysystem.handler.add': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incomingHandler(ctx);
			if (!isset(p.NAME)) throw checkFailure('Parameter NAME is not defined');
			if (!isset(p.CODE)) throw checkFailure('Parameter CODE is not defined');
			if (!isset(p.SETTINGS)) throw checkFailure('Parameter SETTINGS is not defined');
			const settings = isObject(p.SETTINGS) && !Array.isArray(p.SETTINGS) ? p.SETTINGS : {};
			if (!isset(settings.CODES)) throw checkFailure('Parameter SETTINGS[CODES] is not defined');
			const form = settings.FORM_DATA;
			const checkout = settings.CHECKOUT_DATA;
			const iframe = settings.IFRAME_DATA;
			if (phpEmpty(form) && phpEmpty(checkout) && phpEmpty(iframe)) {
				throw checkFailure('Parameter SETTINGS[FORM_DATA] or SETTINGS[CHECKOUT_DATA] or SETTINGS[IFRAME_DATA] is not defined');
			}
			const actionUri = (data: unknown) => (isObject(data) ? data.ACTION_URI : undefined);
			if (!phpEmpty(form) && phpEmpty(actionUri(form))) throw checkFailure('Parameter SETTINGS[FORM_DATA][ACTION_URI] is not defined');
			// The portal's message names IFRAME_DATA for a CHECKOUT_DATA without ACTION_URI too.
			if (!phpEmpty(checkout) && phpEmpty(actionUri(checkout))) throw checkFailure('Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined');
			if (!phpEmpty(iframe) && phpEmpty(actionUri(iframe))) throw checkFailure('Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined');
			if (isset(settings.CLIENT_TYPE) && !['b2c', 'b2b'].includes(phpString(settings.CLIENT_TYPE))) {
				throw checkFailure('Parameter value SETTINGS[CLIENT_TYPE] is invalid');
			}
			if (findHandlerByCode(ctx, p.CODE)) throw new RestError(400, 'ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!');
			const id = ++ctx.state.lastIds.handler;
			ctx.state.paySystemHandlers.set(id, {
				ID: String(id),
				NAME: phpString(p.NAME),
				CODE: phpString(p.CODE),
				SORT: phpEmpty(p.SORT) ? '100' : phpString(p.SORT),
				SETTINGS: settings,
				APP_ID: ctx.caller.clientId ?? null,
			});
			return id;
		},
	},
	'sale.paysystem.handler.update': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incomingHandler(ctx);
			if (!isset(p.FIELDS)) throw checkFailure('Parameter FIELDS is not defined');
			// The portal checks a top-level SETTINGS[CLIENT_TYPE], not FIELDS[SETTINGS][CLIENT_TYPE].
			const top = isObject(p.SETTINGS) ? p.SETTINGS.CLIENT_TYPE : undefined;
			if (isset(top) && !['b2c', 'b2b'].includes(phpString(top))) throw checkFailure('Parameter value SETTINGS[CLIENT_TYPE] is invalid');
			const found = findHandlerById(ctx, p.ID);
			if (!found) throw new RestError(400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
			const [, handler] = found;
			checkHandlerOwner(ctx, handler);
			// FIELDS goes to the table as sent (keys not upper-cased): NAME, CODE, SORT, SETTINGS.
			const fields = isObject(p.FIELDS) && !Array.isArray(p.FIELDS) ? p.FIELDS : {};
			if (isset(fields.NAME)) handler.NAME = phpString(fields.NAME);
			if (isset(fields.CODE)) handler.CODE = phpString(fields.CODE);
			if (isset(fields.SORT)) handler.SORT = phpString(fields.SORT);
			if (isObject(fields.SETTINGS) && !Array.isArray(fields.SETTINGS)) handler.SETTINGS = fields.SETTINGS;
			return true;
		},
	},
	'sale.paysystem.handler.list': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			// Not paginated. ID and SORT come as strings.
			return [...ctx.state.paySystemHandlers.values()].map((h) => ({ ID: h.ID, NAME: h.NAME, CODE: h.CODE, SORT: h.SORT, SETTINGS: h.SETTINGS }));
		},
	},
	'sale.paysystem.handler.delete': {
		scope: 'pay_system',
		run(ctx) {
			checkPermission(ctx);
			const p = incomingHandler(ctx);
			const found = findHandlerById(ctx, p.ID);
			if (!found) throw new RestError(400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found');
			const [key, handler] = found;
			checkHandlerOwner(ctx, handler);
			for (const ps of ctx.state.paySystems.values()) {
				if (ps.ACTION_FILE === handler.CODE) {
					throw new RestError(400, 'ERROR_PAY_SYSTEM_DELETE', `Pay system with handler ${handler.CODE.toUpperCase()} exists!`);
				}
			}
			ctx.state.paySystemHandlers.delete(key);
			return true;
		},
	},
};
