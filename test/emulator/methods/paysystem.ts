// sale.paysystem.pay.payment (Bitrix\Sale\PaySystem\RestService::payPayment). Scope pay_system.
// Params are UPPER_CASE but case-insensitive (the service upper-cases every key).
// Checks in the portal's order: permission (403), PAY_SYSTEM_ID empty, pay system
// unknown, PAYMENT_ID empty, payment not on that pay system; then the handler runs.

import { formatPortal } from '../datetime';
import { RestError } from '../errors';
import { matchesId, phpEmpty, phpFloatCast, phpString, type Params } from '../php';
import type { PaySystem, SalePayment } from '../state';
import { markPaid, type CallContext, type MethodDef } from './context';

const checkFailure = (text: string) => new RestError(400, 'ERROR_CHECK_FAILURE', text);

function upperKeys(params: Params): Params {
	const out: Params = {};
	for (const [k, v] of Object.entries(params)) out[k.toUpperCase()] = v;
	return out;
}

function findPaySystem(ctx: CallContext, id: unknown): PaySystem | undefined {
	for (const [key, ps] of ctx.state.paySystems) if (matchesId(id, key)) return ps;
	return undefined;
}

function findPayment(ctx: CallContext, id: unknown, paySystemId: number): SalePayment | undefined {
	for (const p of ctx.state.payments.values()) if (matchesId(id, p.id) && p.paySystemId === paySystemId) return p;
	return undefined;
}

export const paySystemMethods: Record<string, MethodDef> = {
	'sale.paysystem.pay.payment': {
		scope: 'pay_system',
		run(ctx) {
			if (!ctx.caller.canWrite) throw new RestError(403, 'ACCESS_DENIED', 'Access denied!');
			const p = upperKeys(ctx.params);
			if (phpEmpty(p.PAY_SYSTEM_ID)) throw checkFailure('Empty field PAY_SYSTEM_ID!');
			const paySystem = findPaySystem(ctx, p.PAY_SYSTEM_ID);
			if (!paySystem) throw checkFailure('Pay system not found');
			if (phpEmpty(p.PAYMENT_ID)) throw checkFailure('Empty field PAYMENT_ID');
			const payment = findPayment(ctx, p.PAYMENT_ID, Number(paySystem.ID));
			if (!payment) {
				throw checkFailure(
					`Payment with ID=${phpString(p.PAYMENT_ID)} and PAY_SYSTEM_ID=${phpString(p.PAY_SYSTEM_ID)} not found`,
				);
			}

			if (paySystem.handlerBehavior === 'fail') {
				throw new RestError(400, 'ERROR_PROCESS_REQUEST_RESULT', paySystem.handlerError);
			}
			// Documented quirk: the order save fails afterwards, is only logged, and the answer is still true.
			if (paySystem.handlerBehavior === 'flaky') return true;

			const now = formatPortal(ctx.now, ctx.options.timeZone);
			markPaid(payment, ctx);
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
			return true;
		},
	},
};
