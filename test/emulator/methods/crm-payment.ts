// crm.item.payment.pay / unpay / delete / get (Bitrix\Crm\Controller\Item\Payment).
// Scope crm. Errors: 100 (id missing / not int), 0 + crmNotFoundMessage (unknown id),
// ACCESS_DENIED for a user who may not change payments.

import { reformat } from '../datetime';
import { RestError } from '../errors';
import type { SalePayment } from '../state';
import { bindInt, markPaid, type CallContext, type MethodDef } from './context';

// Write permission is checked before the action binds its parameters (like a prefilter).
function checkWrite(ctx: CallContext): void {
	if (!ctx.caller.canWrite) throw new RestError(ctx.options.crmAccessDeniedStatus, 'ACCESS_DENIED', 'Access denied.');
}

// Only payments of orders bound to a CRM entity are visible to crm.item.payment.*.
function findPayment(ctx: CallContext): SalePayment {
	const id = bindInt(ctx.params, 'id');
	const payment = ctx.state.payments.get(id);
	if (!payment || !payment.binding) throw new RestError(400, '0', ctx.options.crmNotFoundMessage);
	return payment;
}

export const crmPaymentMethods: Record<string, MethodDef> = {
	'crm.item.payment.pay': {
		scope: 'crm',
		run(ctx) {
			checkWrite(ctx);
			markPaid(findPayment(ctx), ctx);
			return true;
		},
	},
	'crm.item.payment.unpay': {
		scope: 'crm',
		run(ctx) {
			checkWrite(ctx);
			findPayment(ctx).paid = 'N';
			return true;
		},
	},
	'crm.item.payment.delete': {
		scope: 'crm',
		run(ctx) {
			checkWrite(ctx);
			const payment = findPayment(ctx);
			// Sale\Payment::delete() refuses paid payments; the controller passes that error through.
			if (payment.paid === 'Y') {
				throw new RestError(400, 'SALE_PAYMENT_DELETE_EXIST_PAID', 'Partial payment done. Cancel payment');
			}
			ctx.state.payments.delete(payment.id);
			return true;
		},
	},
	'crm.item.payment.get': {
		scope: 'crm',
		run(ctx) {
			const p = findPayment(ctx);
			return {
				id: p.id,
				accountNumber: p.accountNumber,
				paid: p.paid,
				datePaid: reformat(p.datePaid, ctx.options.timeZone),
				empPaidId: p.empPaidId,
				paySystemId: p.paySystemId,
				sum: p.sum,
				currency: p.currency,
				paySystemName: p.paySystemName,
			};
		},
	},
};
