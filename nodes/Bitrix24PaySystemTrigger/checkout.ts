import { createHash } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { Bitrix24ApiError } from '../client/errors';
import { callPortal } from '../client/request';
import { formField, postedId, postedText, sameSecret } from '../portalPost';
import { mainFieldsFirst } from '../paymentFields';
import { checkoutSecret, paySystemsOf, CHECKOUT_FIELD, setupOf } from './setup';

/**
 * A checkout as the portal posts it (RestHandler::getCheckoutPayParams): the handler's fields, and
 * BX_SYSTEM_PARAMS with the payment, its pay system, sum, currency, the buyer's return URL and, on a second try,
 * the id the service gave the first time. Nothing in it is trusted but the key; the payment is read from the portal.
 */
export interface Checkout {
	key: string;
	paymentId?: number;
	paySystemId?: number;
	sum: string;
	currency: string;
	returnUrl: string;
	externalPaymentId?: string;
	/** The handler's own fields as posted (the key left out). */
	fields: IDataObject;
}

/** What starts a run: the contract's item. */
export interface CheckoutItem extends IDataObject {
	event: 'checkout';
	paymentId: number;
	orderId: number;
	paySystemId: number;
	sum: number;
	currency: string;
	returnUrl: string;
	externalPaymentId?: string;
	fields: IDataObject;
	/** The payment as sale.payment.get returns it, main fields first. */
	payment: IDataObject;
	/** The same for every try of this payment at this sum: a payment service that takes one makes one payment of them. */
	idempotencyKey: string;
}

/** The answer to the portal: a run with the item, or no run with a status and a body. */
export type Verdict = { item: CheckoutItem } | { status: number; body: IDataObject };

const SYSTEM = 'BX_SYSTEM_PARAMS';

export function readCheckout(body: unknown): Checkout {
	const data = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
	const system = (name: string) => formField(data, SYSTEM, name);
	const fields: IDataObject = {};
	for (const [name, value] of Object.entries(data)) {
		if (name === CHECKOUT_FIELD || name === SYSTEM || name.startsWith(`${SYSTEM}[`)) continue;
		fields[name] = value;
	}
	const externalPaymentId = postedText(system('EXTERNAL_PAYMENT_ID'));
	return {
		key: postedText(data[CHECKOUT_FIELD]),
		paymentId: postedId(system('PAYMENT_ID')),
		paySystemId: postedId(system('PAYSYSTEM_ID')),
		sum: postedText(system('SUM')),
		currency: postedText(system('CURRENCY')),
		returnUrl: postedText(system('RETURN_URL')),
		...(externalPaymentId ? { externalPaymentId } : {}),
		fields,
	};
}

const cents = (value: unknown) => Math.round(Number(value) * 100);

/** No run: the manager reads these in the payment's log in Bitrix24. */
const refuse = (...errors: string[]): Verdict => ({ status: 200, body: { PAYMENT_ERRORS: errors } });

/**
 * Accepts a checkout only when it carries this pay system's key and the payment, read now, exists, is unpaid,
 * uses one of this handler's pay systems, and has the sum and currency posted.
 */
export async function verifyCheckout(ctx: IWebhookFunctions, checkout: Checkout): Promise<Verdict> {
	const { handlerCode } = setupOf(ctx);
	const secret = await checkoutSecret(ctx, handlerCode);
	if (!sameSecret(checkout.key, secret)) {
		return { status: 401, body: { error: 'This checkout does not come from a Bitrix24 pay system of this workflow' } };
	}
	const { paymentId, paySystemId } = checkout;
	if (paymentId === undefined || paySystemId === undefined) {
		return { status: 400, body: { error: 'The checkout names no payment or pay system (BX_SYSTEM_PARAMS)' } };
	}

	let payment: IDataObject;
	let ours: boolean;
	try {
		const [read, paySystems] = await Promise.all([
			callPortal(ctx, 'sale.payment.get', { id: paymentId }, { paymentId }),
			paySystemsOf(ctx, handlerCode),
		]);
		payment = mainFieldsFirst(((read as IDataObject | undefined)?.payment ?? {}) as IDataObject);
		ours = paySystems.some((row) => Number(row.ID) === paySystemId);
	} catch (error) {
		if (error instanceof Bitrix24ApiError && error.notFound) return refuse(`Payment ${paymentId} does not exist in Bitrix24.`);
		return refuse(`n8n could not read payment ${paymentId} in Bitrix24 (${(error as Error).message}). Try again in a minute.`);
	}

	if (!ours) return refuse(`Pay system ${paySystemId} is not run by this n8n workflow (handler ${handlerCode}).`);
	if (payment.paid === 'Y') return refuse(`Payment ${paymentId} is already paid.`);
	if (Number(payment.paySystemId) !== paySystemId) {
		return refuse(`Payment ${paymentId} uses pay system ${String(payment.paySystemId)}, not ${paySystemId}. Choose the pay system again.`);
	}
	const currency = String(payment.currency ?? '');
	if (cents(payment.sum) !== cents(checkout.sum) || currency !== checkout.currency) {
		return refuse(
			`Payment ${paymentId} is ${String(payment.sum)} ${currency} in Bitrix24, not ${checkout.sum} ${checkout.currency} as asked. Open the payment again.`,
		);
	}

	const sum = cents(payment.sum) / 100;
	return {
		item: {
			event: 'checkout',
			paymentId,
			orderId: Number(payment.orderId),
			paySystemId,
			sum,
			currency,
			returnUrl: checkout.returnUrl,
			...(checkout.externalPaymentId ? { externalPaymentId: checkout.externalPaymentId } : {}),
			fields: checkout.fields,
			payment,
			idempotencyKey: `bitrix24-${createHash('sha256').update(`${secret} ${paymentId} ${cents(sum)} ${currency}`).digest('hex').slice(0, 40)}`,
		},
	};
}
