// crm.item.payment.add / list / update / pay / unpay / delete / get (Bitrix\Crm\Controller\Item\Payment).
// Scope crm. Errors: 100 (parameter missing / not int / not array), 0 + crmNotFoundMessage (unknown id),
// ACCESS_DENIED for a user who may not change payments (checked before parameters are bound),
// add: 0 "Unknown entity type: N." / "Cannot create payment for this entity." / "Entity ID #N does not exist.",
// update: 0 "Empty fields" / "Payment system has not been found".

import { RestError, paramMissing } from '../errors';
import { phpEmpty, phpIntCast, type Params } from '../php';
import { CRM_TYPES, crmItemKey, deletePaymentRow, newPaymentRow, type SaleOrder, type SalePayment } from '../state';
import {
	bindArray,
	bindInt,
	bindOptionalArray,
	checkCrmWrite,
	formatNow,
	legacyCrm,
	markPaid,
	paymentResolver,
	toCrmPayment,
	type CallContext,
	type MethodDef,
} from './context';
import { applyFilter, applyOrder, bitrixUpperSnake } from './listing';

// Only payments of orders bound to a CRM entity are visible to crm.item.payment.*.
function findPayment(ctx: CallContext): SalePayment {
	const id = bindInt(ctx.params, 'id');
	const payment = ctx.state.payments.get(id);
	if (!payment || !payment.binding) throw new RestError(400, '0', legacyCrm(ctx) ? 'Insufficient permissions.' : ctx.options.crmNotFoundMessage);
	return payment;
}

/**
 * The legacy controller's update, pay, unpay and delete: no prefilter, the id bound, then
 * `if (!$payment || !$this->hasPermissionForPayment($payment)) { $this->addError(...); return false; }`.
 */
function quietlyRefused(ctx: CallContext): boolean {
	if (!legacyCrm(ctx)) return false;
	const payment = ctx.state.payments.get(bindInt(ctx.params, 'id'));
	return !payment || !payment.binding || !ctx.caller.canWrite;
}

/** `fields` keys as the controller reads them (convertKeysToUpper: camelCase -> UPPER_SNAKE). */
function upperFields(fields: Params): Params {
	const out: Params = {};
	for (const [k, v] of Object.entries(fields)) out[bitrixUpperSnake(k)] = v;
	return out;
}

/** The order a new CRM payment goes into: the entity's first order, or a new one (SalesCenter builder). */
function orderForEntity(ctx: CallContext, entityTypeId: number, entityId: number, currency: string): SaleOrder {
	for (const order of ctx.state.orders.values()) {
		if (order.binding?.entityTypeId === entityTypeId && order.binding.entityId === entityId) return order;
	}
	const id = ++ctx.state.lastIds.order;
	const order: SaleOrder = {
		id, accountNumber: String(id), currency, personTypeId: 1, userId: ctx.caller.userId,
		binding: { entityTypeId, entityId }, paymentCounter: 0,
	};
	ctx.state.orders.set(id, order);
	return order;
}

export const crmPaymentMethods: Record<string, MethodDef> = {
	'crm.item.payment.add': {
		scope: 'crm',
		run(ctx) {
			checkCrmWrite(ctx);
			// Parameters in the action's order: addAction(int $entityId, int $entityTypeId, array $fields = []).
			const entityId = bindInt(ctx.params, 'entityId');
			const entityTypeId = bindInt(ctx.params, 'entityTypeId');
			const fields = upperFields(bindOptionalArray(ctx.params, 'fields') ?? {});
			const type = CRM_TYPES[entityTypeId];
			if (!type) throw new RestError(400, '0', `Unknown entity type: ${entityTypeId}.`);
			if (!type.paymentsEnabled) throw new RestError(400, '0', 'Cannot create payment for this entity.');
			const item = ctx.state.crmItems.get(crmItemKey(entityTypeId, entityId));
			if (!item) throw new RestError(400, '0', `Entity ID #${entityId} does not exist.`);

			// Only PAY_SYSTEM_ID is taken from `fields`, and only when not empty(); the sum is always 0.
			let paySystemId = 0;
			if (!phpEmpty(fields.PAY_SYSTEM_ID)) {
				paySystemId = phpIntCast(fields.PAY_SYSTEM_ID);
				if (!ctx.state.paySystems.has(paySystemId)) {
					throw new RestError(400, 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE', 'Incorrect payment system specified');
				}
			}
			const order = orderForEntity(ctx, entityTypeId, entityId, item.currency);
			const payment = newPaymentRow(ctx.state, order, formatNow(ctx), ctx.caller.userId, { paySystemId });
			return payment.id;
		},
	},
	'crm.item.payment.list': {
		scope: 'crm',
		run(ctx) {
			// listAction(int $entityId, int $entityTypeId, array $filter = [], array $order = []); reading is allowed to all.
			const entityId = bindInt(ctx.params, 'entityId');
			const entityTypeId = bindInt(ctx.params, 'entityTypeId');
			const filter = bindOptionalArray(ctx.params, 'filter');
			const order = bindOptionalArray(ctx.params, 'order');
			const rows = [...ctx.state.payments.values()].filter(
				(p) => p.binding?.entityTypeId === entityTypeId && p.binding.entityId === entityId,
			);
			const resolve = paymentResolver(ctx);
			const filtered = applyFilter(rows, filter, resolve, bitrixUpperSnake);
			const sorted = applyOrder(filtered, order, resolve, bitrixUpperSnake, [['ID', 'ASC']]);
			// Not paginated: every payment of the entity, no `total` / `next`.
			return sorted.map((p) => toCrmPayment(p, ctx.options.timeZone));
		},
	},
	'crm.item.payment.update': {
		scope: 'crm',
		run(ctx) {
			if (!legacyCrm(ctx)) checkCrmWrite(ctx);
			const id = bindInt(ctx.params, 'id');
			const raw = bindArray(ctx.params, 'fields');
			if (Object.keys(raw).length === 0) throw paramMissing('fields');
			// Only PAID and PAY_SYSTEM_ID are honoured; anything else is dropped before the check.
			const fields = upperFields(raw);
			const usable: Params = {};
			for (const key of ['PAID', 'PAY_SYSTEM_ID']) if (key in fields) usable[key] = fields[key];
			if (Object.keys(usable).length === 0) {
				if (legacyCrm(ctx)) return false;
				throw new RestError(400, '0', 'Empty fields');
			}
			if (quietlyRefused(ctx)) return false;
			const payment = ctx.state.payments.get(id);
			if (!payment || !payment.binding) throw new RestError(400, '0', ctx.options.crmNotFoundMessage);
			if (usable.PAY_SYSTEM_ID !== undefined && usable.PAY_SYSTEM_ID !== null) {
				const sys = ctx.state.paySystems.get(phpIntCast(usable.PAY_SYSTEM_ID));
				if (!sys) throw new RestError(400, '0', 'Payment system has not been found');
				payment.paySystemId = Number(sys.ID);
				payment.paySystemName = sys.NAME;
				payment.paySystemXmlId = sys.XML_ID ?? '';
				payment.paySystemIsCash = sys.IS_CASH;
			}
			if ('PAID' in usable) {
				if (usable.PAID === 'Y') markPaid(payment, ctx);
				else payment.paid = 'N';
			}
			return true;
		},
	},
	'crm.item.payment.pay': {
		scope: 'crm',
		run(ctx) {
			if (quietlyRefused(ctx)) return false;
			checkCrmWrite(ctx);
			markPaid(findPayment(ctx), ctx);
			return true;
		},
	},
	'crm.item.payment.unpay': {
		scope: 'crm',
		run(ctx) {
			if (quietlyRefused(ctx)) return false;
			checkCrmWrite(ctx);
			findPayment(ctx).paid = 'N';
			return true;
		},
	},
	'crm.item.payment.delete': {
		scope: 'crm',
		run(ctx) {
			if (quietlyRefused(ctx)) return false;
			checkCrmWrite(ctx);
			const payment = findPayment(ctx);
			// Sale\Payment::delete() refuses paid payments; the controller passes that error through.
			if (payment.paid === 'Y') {
				throw new RestError(400, 'SALE_PAYMENT_DELETE_EXIST_PAID', 'Partial payment done. Cancel payment');
			}
			deletePaymentRow(ctx.state, payment.id);
			return true;
		},
	},
	'crm.item.payment.get': {
		scope: 'crm',
		run(ctx) {
			return toCrmPayment(findPayment(ctx), ctx.options.timeZone);
		},
	},
};
