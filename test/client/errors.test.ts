/**
 * Every error row of the five seed pages, and the auth errors around them, as the user meets them: a
 * NodeApiError whose message says what failed and whose description says how to fix it and quotes Bitrix24.
 * Numeric codes arrive as strings on newer portals and as numbers on older ones: both must read the same.
 */
import type { INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, CRM_ONLY_WEBHOOK, READ_ONLY_WEBHOOK, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { credentialData } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';
import { builtModule } from '../helpers/package';

const { payments, paySystems } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());

const pay = (paymentId: number): INodeParameters => ({ resource: 'payment', operation: 'pay', paymentId });
const unpay = (paymentId: number): INodeParameters => ({ resource: 'payment', operation: 'unpay', paymentId });
const remove = (paymentId: number): INodeParameters => ({ resource: 'payment', operation: 'delete', paymentId });
const update = (paymentId: number, paySystemId: number): INodeParameters => ({
	resource: 'orderPayment',
	operation: 'update',
	paymentId,
	paySystemId,
	updateFields: { comments: 'x' },
});
const payPayment = (paymentId: number, paySystemId: number): INodeParameters => ({
	resource: 'paySystem',
	operation: 'payPayment',
	paymentId,
	paySystemId,
});

interface Expected {
	message: string;
	/** Parts of the description: the hint and the quoted Bitrix24 answer. */
	description: Array<string | RegExp>;
	httpCode: string;
	status: number;
}

async function expectFailure(parameters: INodeParameters, expected: Expected, options: { auth?: Auth; webhook?: { userId: number; secret: string } } = {}) {
	const credentials = options.webhook ? { webhookUrl: emulator.webhookUrl(options.webhook.userId, options.webhook.secret) } : undefined;
	const result = await runNode({ emulator, auth: options.auth, parameters, credentials });

	expect(result.items).toEqual([]);
	expect(result.error?.name).toBe('NodeApiError');
	expect(result.error?.message).toBe(expected.message);
	for (const part of expected.description) expect(result.error?.description).toMatch(part);
	expect(result.error?.httpCode).toBe(expected.httpCode);
	// The portal really answered so: the error is not made up by the node.
	const calls = emulator.restCalls();
	expect(calls[calls.length - 1].status).toBe(expected.status);
}

describe.each(['string', 'number'] as const)('error codes sent as %ss', (codeStyle) => {
	beforeEach(() => {
		emulator.reset();
		emulator.options.codeStyle = codeStyle;
	});

	describe('CRM Payment (crm.item.payment.pay / unpay / delete)', () => {
		test.each([
			['mark the payment as paid', pay],
			['mark the payment as unpaid', unpay],
			['delete the payment', remove],
		])('code 0 "Payment has not been found": could not %s', async (action, parameters) => {
			await expectFailure(parameters(9999), {
				message: `Bitrix24 could not ${action}: payment 9999 was not found`,
				description: ['Check the Payment ID', 'Bitrix24 answered HTTP 400, error 0: "Payment has not been found".'],
				httpCode: '400',
				status: 400,
			});
		});

		test('code 0 "Insufficient permissions" (older portals, for a missing payment too)', async () => {
			emulator.options.crmNotFoundMessage = 'Insufficient permissions';
			await expectFailure(pay(9999), {
				message: 'Bitrix24 could not mark the payment as paid: payment 9999 was not found or the user may not change it',
				description: ['Check the Payment ID.', 'needs the right to edit payments', 'error 0: "Insufficient permissions"'],
				httpCode: '400',
				status: 400,
			});
		});

		test.each([400, 403] as const)('ACCESS_DENIED with HTTP %i (docs and newer builds)', async (status) => {
			emulator.options.crmAccessDeniedStatus = status;
			await expectFailure(
				unpay(payments.PAID),
				{
					message: 'Bitrix24 could not mark the payment as unpaid: access denied',
					description: ['The Bitrix24 user behind the webhook needs the right to edit payments', `HTTP ${status}, error ACCESS_DENIED`],
					httpCode: String(status),
					status,
				},
				{ webhook: READ_ONLY_WEBHOOK },
			);
			expect(emulator.state.payments.get(payments.PAID)!.paid).toBe('Y');
		});

		test('a paid payment cannot be deleted: the hint says to mark it unpaid first', async () => {
			await expectFailure(remove(payments.PAID), {
				message: `Bitrix24 could not delete the payment: payment ${payments.PAID} is paid`,
				description: ['mark it as unpaid first', 'SALE_PAYMENT_DELETE_EXIST_PAID'],
				httpCode: '400',
				status: 400,
			});
			expect(emulator.state.payments.has(payments.PAID)).toBe(true);
		});
	});

	describe('Order Payment > Update (sale.payment.update)', () => {
		test('200640400001: the payment does not exist', async () => {
			await expectFailure(update(9999, paySystems.CASH), {
				message: 'Bitrix24 could not update the order payment: order payment 9999 was not found',
				description: ['Check the Payment ID', 'error 200640400001'],
				httpCode: '400',
				status: 400,
			});
		});

		test('200040300020: no right to update payments', async () => {
			await expectFailure(
				update(payments.SALE_DOC, paySystems.CASH),
				{
					message: 'Bitrix24 could not update the order payment: access denied',
					description: ['needs the right to edit payments', 'error 200040300020'],
					httpCode: '400',
					status: 400,
				},
				{ webhook: READ_ONLY_WEBHOOK },
			);
		});

		test('an unknown pay system is named', async () => {
			await expectFailure(update(payments.SALE_DOC, 99), {
				message: 'Bitrix24 could not update the order payment: pay system 99 cannot be used for this payment',
				description: ['Check the Pay System ID', 'SALE_PAYMENT_WRONG_PAYMENT_SERVICE'],
				httpCode: '400',
				status: 400,
			});
		});
	});

	describe('Pay System > Pay Payment (sale.paysystem.pay.payment)', () => {
		test('ACCESS_DENIED, HTTP 403', async () => {
			await expectFailure(
				payPayment(payments.UNPAID, paySystems.BANK_TRANSFER),
				{
					message: 'Bitrix24 could not pay the payment through the pay system: access denied',
					description: ['needs the right to edit payments', 'HTTP 403, error ACCESS_DENIED: "Access denied!"'],
					httpCode: '403',
					status: 403,
				},
				{ webhook: READ_ONLY_WEBHOOK },
			);
			expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		});

		test('ERROR_CHECK_FAILURE "Pay system not found"', async () => {
			await expectFailure(payPayment(payments.UNPAID, 99), {
				message: 'Bitrix24 could not pay the payment through the pay system: pay system 99 was not found',
				description: ['Check the Pay System ID', 'ERROR_CHECK_FAILURE: "Pay system not found"'],
				httpCode: '400',
				status: 400,
			});
		});

		test('ERROR_CHECK_FAILURE "Payment with ID=X and PAY_SYSTEM_ID=Y not found"', async () => {
			await expectFailure(payPayment(payments.UNPAID, paySystems.CASH), {
				message: `Bitrix24 could not pay the payment through the pay system: payment ${payments.UNPAID} does not exist or does not use pay system ${paySystems.CASH}`,
				description: ['A pay system can only pay a payment that already uses it', `Payment with ID=${payments.UNPAID} and PAY_SYSTEM_ID=${paySystems.CASH} not found`],
				httpCode: '400',
				status: 400,
			});
		});

		test('ERROR_PROCESS_REQUEST_RESULT: the handler refused the payment', async () => {
			await expectFailure(payPayment(payments.HANDLER_FAILS, paySystems.CARD_REST_HANDLER), {
				message: "Bitrix24 could not pay the payment through the pay system: the pay system's handler failed to process the payment",
				description: ['check the values sent', 'ERROR_PROCESS_REQUEST_RESULT'],
				httpCode: '400',
				status: 400,
			});
			expect(emulator.state.payments.get(payments.HANDLER_FAILS)!.paid).toBe('N');
		});
	});
});

describe('credentials and permissions', () => {
	beforeEach(() => emulator.reset());

	test('a wrong webhook secret: rejected credentials, with where to find the right URL', async () => {
		await expectFailure(
			pay(payments.UNPAID),
			{
				message: 'Bitrix24 could not mark the payment as paid: the portal rejected the credentials',
				description: ['Check the webhook URL in the "Bitrix24 Payments Webhook API" credential', 'Inbound webhook', 'error INVALID_CREDENTIALS'],
				httpCode: '401',
				status: 401,
			},
			{ webhook: { userId: 1, secret: 'wrongsecret123' } },
		);
	});

	test('a webhook without the scope: names the scope to tick', async () => {
		await expectFailure(
			update(payments.SALE_DOC, paySystems.CASH),
			{
				message: 'Bitrix24 could not update the order payment: the webhook lacks the "sale" permission',
				description: ['Edit the inbound webhook in Bitrix24, tick the Online Store (sale) permission', 'insufficient_scope'],
				httpCode: '401',
				status: 401,
			},
			{ webhook: CRM_ONLY_WEBHOOK },
		);
	});

	test('an OAuth app without the scope: names the scope to add', async () => {
		const token = emulator.issueToken({ scopes: ['crm'] });
		const result = await runNode({
			emulator,
			auth: 'oAuth2',
			parameters: payPayment(payments.UNPAID, paySystems.BANK_TRANSFER),
			credentials: credentialData(emulator, 'oAuth2', token),
		});

		expect(result.error?.message).toBe(
			'Bitrix24 could not pay the payment through the pay system: the app lacks the "pay_system" permission',
		);
		expect(result.error?.description).toMatch('Add the Payment systems (pay_system) permission to the Bitrix24 app');
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	});

	test('a webhook URL that is not one fails before any request, without echoing the URL', async () => {
		const result = await runNode({
			emulator,
			parameters: pay(payments.UNPAID),
			credentials: { webhookUrl: `${emulator.baseUrl}/rest/secretpart123/` },
		});

		expect(result.error?.message).toBe('The webhook URL in the credential is not a Bitrix24 inbound webhook URL');
		expect(result.error?.description).toMatch('https://YOUR_PORTAL/rest/USER_ID/SECRET/');
		expect(JSON.stringify(result.run)).not.toContain('secretpart123');
		expect(emulator.restCalls()).toEqual([]);
	});

	test('an unreachable portal: says nothing was sent, after the retries the user allowed', async () => {
		const closed = await Bitrix24Emulator.start();
		const url = closed.webhookUrl();
		await closed.stop();
		const result = await runNode({
			emulator,
			parameters: { ...pay(payments.UNPAID), requestOptions: { maxRetries: 1, maxWait: 5 } },
			credentials: { webhookUrl: url, rateLimit: 'none' },
		});

		expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: no answer from the portal');
		expect(result.error?.description).toMatch('The request failed: ECONNREFUSED.');
		// A refused connection never carried the request, so a write is safe to repeat and is said not to have happened.
		expect(result.error?.description).toMatch('nothing was sent');
		expect(result.error?.description).toMatch('Tried 2 times');
		expect(result.error?.description).not.toMatch('may or may not');
	});
});

describe('answers the node never provokes (it checks first) still read well', () => {
	const { bitrix24ApiError } = builtModule<typeof import('../../nodes/client/errors')>('nodes/client/errors');
	const node = { id: '1', name: 'Bitrix24 Payments', type: 'bitrix24Payments', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };

	beforeEach(() => emulator.reset());

	test.each([
		['crm.item.payment.pay', {}, 'a parameter is missing or has the wrong type', 'Could not find value for parameter {id}'],
		['crm.item.payment.unpay', { id: 'abc' }, 'a parameter is missing or has the wrong type', 'Invalid value {abc} to match with parameter {id}'],
		['sale.payment.update', { id: 144 }, 'a parameter is missing or has the wrong type', 'Could not find value for parameter {fields}'],
		['sale.payment.update', { id: 144, fields: { paid: 'Y' } }, 'a required field is missing', 'Required fields: paySystemId'],
		['sale.paysystem.pay.payment', { PAY_SYSTEM_ID: 2 }, 'a required parameter is missing', 'Empty field PAYMENT_ID'],
		['sale.paysystem.pay.payment', { PAYMENT_ID: 1038 }, 'a required parameter is missing', 'Empty field PAY_SYSTEM_ID!'],
	])('%s with %j: "%s"', async (method, params, problem, quoted) => {
		const response = await fetch(`${emulator.webhookUrl()}${method}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(params),
		});
		const body = (await response.json()) as { error: string; error_description: string };
		const error = bitrix24ApiError(node, { status: response.status, code: String(body.error), description: body.error_description }, { method, ids: {}, itemIndex: 0, connection: { authentication: 'webhook', secrets: [] } });

		expect(error.message).toMatch(`: ${problem}`);
		expect(error.description).toMatch(quoted);
	});
});

describe('what some portals answer instead of an error', () => {
	beforeEach(() => emulator.reset());
	afterEach(() => emulator.reset());

	test.each([
		['webhook', 'REST is available only by subscription.'],
		['oAuth2', 'REST is available only on commercial plans'],
	] as const)('a plan without REST (%s): says the plan is the cause and what to do, not a missing permission', async (auth, quoted) => {
		emulator.options.restAvailable = false;
		await expectFailure(
			pay(payments.UNPAID),
			{
				message: "Bitrix24 could not mark the payment as paid: the portal's Bitrix24 plan does not include the REST API",
				description: ['Nothing is wrong with the credential', 'Switch the portal to a plan that includes the REST API', `error ACCESS_DENIED: "${quoted}"`],
				httpCode: '401',
				status: 401,
			},
			{ auth },
		);
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
	});

	describe('an older CRM module (crm 24.0.x) answers false for a payment it cannot find or the user may not change', () => {
		beforeEach(() => {
			emulator.options.crmPaymentController = 'legacy';
		});

		test.each([
			['mark the payment as paid', pay(9999)],
			['mark the payment as unpaid', unpay(9999)],
			['delete the payment', remove(9999)],
			['update the payment', { resource: 'payment', operation: 'update', paymentId: 9999, updateFields: { paid: 'Y' } }],
		])('%s of payment 9999: not found or not allowed, nothing changed; not "false instead of true"', async (action, parameters) => {
			await expectFailure(parameters as INodeParameters, {
				message: `Bitrix24 could not ${action}: payment 9999 was not found or the user may not change it; nothing was changed`,
				description: ["This portal's CRM answers false instead of saying why", 'Check the ID', 'Bitrix24 answered HTTP 200 with the result false and no error.'],
				httpCode: '200',
				status: 200,
			});
		});

		test('a read-only user marking a real payment paid: the same, and the payment stays unpaid', async () => {
			await expectFailure(
				pay(payments.UNPAID),
				{
					message: `Bitrix24 could not mark the payment as paid: payment ${payments.UNPAID} was not found or the user may not change it; nothing was changed`,
					description: ['needs the right to edit payments'],
					httpCode: '200',
					status: 200,
				},
				{ webhook: READ_ONLY_WEBHOOK },
			);
			expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		});

		test('a line of a paid payment: false to a change, null to an add, each told as such', async () => {
			const { paymentProducts, productRows } = SEED_IDS;
			await expectFailure(
				{ resource: 'paymentProduct', operation: 'delete', paymentProductId: paymentProducts.ON_PAID },
				{
					message: 'Bitrix24 could not remove the product from the payment: the payment product line was not found or the user may not change it; nothing was changed',
					description: ['line or its payment does not exist', 'result false'],
					httpCode: '200',
					status: 200,
				},
			);
			await expectFailure(
				{ resource: 'paymentProduct', operation: 'create', paymentId: payments.PAID, rowId: productRows.ROW_A, quantity: 1 },
				{
					message: 'Bitrix24 could not add the product to the payment: the payment product line was not found or the user may not change it; nothing was changed',
					description: ['answers null instead of saying why', 'result null'],
					httpCode: '200',
					status: 200,
				},
			);
			expect([...emulator.state.payableItems.values()].filter((line) => line.paymentId === payments.PAID)).toHaveLength(2);
		});
	});
});
