/**
 * Pay System and Pay System Handler, every operation with each credential type (Pay Payment's plain happy path is
 * in operations.test.ts): the requests that reached the portal, the state they changed, the items the node
 * output and the errors a user reads. The pay system picker runs through n8n-core's own load-options context.
 */
import type { ICredentialDataDecryptedObject, INodeListSearchResult, INodeParameters } from 'n8n-workflow';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, EMULATOR_HANDLER_CODE, READ_ONLY_WEBHOOK, SEED_IDS } from '../emulator/server';
import type { Auth } from '../helpers/bitrix24';
import { AUTHS, credentialData, itemsOf, onlyCall as onlyCallOf } from '../helpers/bitrix24';
import { loadOptionsContext, runNode } from '../helpers/engine';
import { nodeType } from '../helpers/package';

const { payments, paySystems, personTypes, handlers, invoices } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

/** The one REST call of a run, and where it went. */
const onlyCall = (method: string, auth: Auth) => onlyCallOf(emulator, method, auth);

/** Credentials of the portal's read-only user (Rita, user 7): an inbound webhook, or an app token issued to her. */
function readOnlyCredentials(auth: Auth): ICredentialDataDecryptedObject {
	if (auth === 'webhook') return { webhookUrl: emulator.webhookUrl(READ_ONLY_WEBHOOK.userId, READ_ONLY_WEBHOOK.secret) };
	return credentialData(emulator, 'oAuth2', emulator.issueToken({ userId: READ_ONLY_WEBHOOK.userId }));
}

const rl = (mode: 'list' | 'id', value: string) => ({ __rl: true, mode, value });

/** Runs the node's `searchPaySystems` as n8n's editor does when a user opens the "From List" picker. */
async function searchPaySystems(
	auth: Auth,
	filter?: string,
	credentials?: ICredentialDataDecryptedObject,
	[resource, operation] = ['paySystem', 'payPayment'],
): Promise<INodeListSearchResult> {
	const type = auth === 'webhook' ? 'bitrix24PaymentsWebhookApi' : 'bitrix24PaymentsOAuth2Api';
	const parameters: INodeParameters = { authentication: auth, resource, operation, paySystemId: rl('list', '') };
	const context = loadOptionsContext(nodeType, parameters, { type, data: credentials ?? credentialData(emulator, auth) }, 'paySystemId');
	return await nodeType.methods!.listSearch!.searchPaySystems.call(context, filter);
}

describe.each(AUTHS)('with %s credentials', (auth) => {
	const whose = auth === 'webhook' ? 'webhook' : 'app';

	describe('Pay System > Get Many (sale.paysystem.list)', () => {
		test('without options: every pay system of the portal, one item each, without the envelope', async () => {
			const result = await runNode({ emulator, auth, parameters: { resource: 'paySystem', operation: 'getAll' } });

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.list', auth).body).toEqual({});
			expect(result.items.map((item) => [item.json.ID, item.json.NAME, item.pairedItem])).toEqual([
				['1', 'Cash', { item: 0 }],
				['2', 'Bank Transfer (Company)', { item: 0 }],
				['3', 'Card (REST handler)', { item: 0 }],
				['4', 'Flaky save', { item: 0 }],
				['5', 'Invoice card (REST handler)', { item: 0 }],
			]);
			expect(result.items[2].json).toMatchObject({ ACTION_FILE: EMULATOR_HANDLER_CODE, PERSON_TYPE_ID: '1', ENTITY_REGISTRY_TYPE: 'ORDER' });
			expect(result.items[0].json).not.toHaveProperty('time');
		});

		test('filters, sort order and fields are sent UPPER_SNAKE and the portal applies them', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'getAll',
					filters: { active: 'Y', custom: '{"%NAME": "card"}' },
					options: { orderBy: 'SORT', orderDirection: 'DESC', select: ['ID', 'NAME', 'PERSON_TYPE_ID', 'LOGOTYPE'] },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.list', auth).body).toEqual({
				FILTER: { ACTIVE: 'Y', '%NAME': 'card' },
				ORDER: { SORT: 'DESC' },
				SELECT: ['ID', 'NAME', 'PERSON_TYPE_ID', 'LOGOTYPE'],
			});
			expect(result.items).toEqual([
				{ json: { ID: '5', NAME: 'Invoice card (REST handler)', PERSON_TYPE_ID: '3', LOGOTYPE: null }, pairedItem: { item: 0 } },
				{ json: { ID: '3', NAME: 'Card (REST handler)', PERSON_TYPE_ID: '1', LOGOTYPE: null }, pairedItem: { item: 0 } },
			]);
		});

		test('the payer type filter is sent as a number and narrows the list', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'getAll', filters: { personTypeId: personTypes.INVOICE_CONTACT } },
			});

			expect(onlyCall('sale.paysystem.list', auth).body).toEqual({ FILTER: { PERSON_TYPE_ID: personTypes.INVOICE_CONTACT } });
			expect(result.items.map((item) => item.json.ID)).toEqual(['5']);
		});
	});

	describe('Pay System > Create (sale.paysystem.add)', () => {
		test('creates a pay system on a REST handler for orders and outputs its id', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'create',
					name: 'Card EU',
					personTypeId: personTypes.INDIVIDUAL,
					bxRestHandler: EMULATOR_HANDLER_CODE,
					additionalFields: {
						description: 'Cards issued in the EU',
						active: 'Y',
						newWindow: 'N',
						xmlId: 'card_eu',
						logotype: 'iVBORw0KGgo=',
						settings: '{"REST_SERVICE_ID": {"TYPE": "VALUE", "VALUE": "eu-shop"}}',
					},
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.add', auth).body).toEqual({
				NAME: 'Card EU',
				PERSON_TYPE_ID: personTypes.INDIVIDUAL,
				BX_REST_HANDLER: EMULATOR_HANDLER_CODE,
				// Required by the docs; the portal's own default would be the old CRM invoices.
				ENTITY_REGISTRY_TYPE: 'ORDER',
				DESCRIPTION: 'Cards issued in the EU',
				ACTIVE: 'Y',
				NEW_WINDOW: 'N',
				XML_ID: 'card_eu',
				LOGOTYPE: 'iVBORw0KGgo=',
				SETTINGS: { REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'eu-shop' } },
			});
			expect(result.items).toEqual([{ json: { id: 6, personTypeId: personTypes.INDIVIDUAL }, pairedItem: { item: 0 } }]);
			expect(emulator.state.paySystems.get(6)).toMatchObject({
				NAME: 'Card EU',
				ACTIVE: 'Y',
				PERSON_TYPE_ID: '1',
				ACTION_FILE: EMULATOR_HANDLER_CODE,
				ENTITY_REGISTRY_TYPE: 'ORDER',
				DESCRIPTION: 'Cards issued in the EU',
				XML_ID: 'card_eu',
			});
			expect(emulator.state.paySystems.get(6)!.LOGOTIP).not.toBeNull();
			expect(emulator.state.paySystemSettings.get('6:1')).toEqual({ REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'eu-shop' } });
		});

		test('with only the required fields it works for the payer types of orders', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'create', name: 'Minimal', personTypeId: personTypes.COMPANY, bxRestHandler: EMULATOR_HANDLER_CODE },
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([{ json: { id: 6, personTypeId: personTypes.COMPANY }, pairedItem: { item: 0 } }]);
			expect(emulator.state.paySystems.get(6)).toMatchObject({ NAME: 'Minimal', PERSON_TYPE_ID: '2', ENTITY_REGISTRY_TYPE: 'ORDER', ACTIVE: 'N' });
		});

		test('for the old CRM invoices, with their payer type', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'create',
					name: 'Invoices',
					personTypeId: personTypes.INVOICE_COMPANY,
					bxRestHandler: EMULATOR_HANDLER_CODE,
					entityRegistryType: 'CRM_INVOICE',
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.add', auth).body).toMatchObject({ ENTITY_REGISTRY_TYPE: 'CRM_INVOICE', PERSON_TYPE_ID: personTypes.INVOICE_COMPANY });
			expect(emulator.state.paySystems.get(6)).toMatchObject({ ENTITY_REGISTRY_TYPE: 'CRM_INVOICE', PERSON_TYPE_ID: '4' });
		});
	});

	describe('Pay System > Update (sale.paysystem.update)', () => {
		test('a pay system on a REST handler: handler and payer type go with the changes, and the pay system changes', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'update',
					paySystemId: rl('list', String(paySystems.CARD_REST_HANDLER)),
					bxRestHandler: EMULATOR_HANDLER_CODE,
					personTypeId: personTypes.COMPANY,
					updateFields: { name: 'Card (companies)', active: 'N', newWindow: 'Y', description: 'For companies' },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.update', auth).body).toEqual({
				ID: paySystems.CARD_REST_HANDLER,
				FIELDS: {
					BX_REST_HANDLER: EMULATOR_HANDLER_CODE,
					PERSON_TYPE_ID: personTypes.COMPANY,
					NAME: 'Card (companies)',
					ACTIVE: 'N',
					NEW_WINDOW: 'Y',
					DESCRIPTION: 'For companies',
				},
			});
			expect(result.items).toEqual([
				{ json: { success: true, paySystemId: paySystems.CARD_REST_HANDLER, personTypeId: personTypes.COMPANY }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.paySystems.get(paySystems.CARD_REST_HANDLER)).toMatchObject({
				NAME: 'Card (companies)',
				ACTIVE: 'N',
				NEW_WINDOW: 'Y',
				DESCRIPTION: 'For companies',
				PERSON_TYPE_ID: '2',
				ACTION_FILE: EMULATOR_HANDLER_CODE,
			});
		});

		test('an empty handler code fails the item before any request, naming the field', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'update',
					paySystemId: rl('id', String(paySystems.CARD_REST_HANDLER)),
					bxRestHandler: ' ',
					personTypeId: personTypes.INDIVIDUAL,
					updateFields: { name: 'Renamed' },
				},
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe('Handler Code is empty');
			expect(emulator.restCalls()).toEqual([]);
			expect(emulator.state.paySystems.get(paySystems.CARD_REST_HANDLER)!.NAME).toBe('Card (REST handler)');
		});

		test.each([paySystems.CASH, paySystems.BANK_TRANSFER, paySystems.FLAKY_SAVE])(
			'pay system %i has no REST handler: the portal refuses (403) and the item fails, nothing changes',
			async (id) => {
				const before = structuredClone(emulator.state.paySystems.get(id));
				const result = await runNode({
					emulator,
					auth,
					parameters: {
						resource: 'paySystem',
						operation: 'update',
						paySystemId: rl('id', String(id)),
						bxRestHandler: emulator.state.paySystems.get(id)!.ACTION_FILE,
						personTypeId: personTypes.INDIVIDUAL,
						updateFields: { name: 'Renamed' },
					},
				});

				expect(result.items).toEqual([]);
				expect(result.error?.name).toBe('NodeApiError');
				expect(result.error?.message).toMatch(/^Bitrix24 could not update the pay system: /);
				expect(result.error?.httpCode).toBe('403');
				expect(result.error?.description).toMatch('Bitrix24 answered HTTP 403, error ACCESS_DENIED: "Access denied!"');
				expect(onlyCall('sale.paysystem.update', auth).status).toBe(403);
				expect(emulator.state.paySystems.get(id)).toEqual(before);
			},
		);

		// The portal (RestService::hasAccessToPaySystem) answers 403 for a pay system without a REST handler too.
		test('pay system 1 has no REST handler: the message says only REST-handler pay systems can be changed', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'update',
					paySystemId: rl('id', String(paySystems.CASH)),
					bxRestHandler: 'cash',
					personTypeId: personTypes.INDIVIDUAL,
					updateFields: { name: 'Renamed' },
				},
			});

			expect(result.error?.message).toBe('Bitrix24 could not update the pay system: access denied');
			expect(result.error?.description).toMatch('only pay systems that run a REST handler');
		});
	});

	describe('Pay System > Delete (sale.paysystem.delete)', () => {
		test('deletes a pay system on a REST handler, with its settings', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'delete', paySystemId: rl('list', String(paySystems.INVOICE_CARD)) },
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.delete', auth).body).toEqual({ ID: paySystems.INVOICE_CARD });
			expect(result.items).toEqual([{ json: { deleted: true, paySystemId: paySystems.INVOICE_CARD }, pairedItem: { item: 0 } }]);
			expect(emulator.state.paySystems.has(paySystems.INVOICE_CARD)).toBe(false);
			expect(emulator.state.paySystemSettings.has(`${paySystems.INVOICE_CARD}:3`)).toBe(false);
		});

		test('a built-in pay system (Cash) is refused with 403 and stays', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'delete', paySystemId: rl('id', String(paySystems.CASH)) },
			});

			expect(result.items).toEqual([]);
			expect(result.error?.message).toMatch(/^Bitrix24 could not delete the pay system: /);
			expect(result.error?.httpCode).toBe('403');
			expect(onlyCall('sale.paysystem.delete', auth).status).toBe(403);
			expect(emulator.state.paySystems.has(paySystems.CASH)).toBe(true);
		});

		test('an unknown pay system: the error names it', async () => {
			const result = await runNode({ emulator, auth, parameters: { resource: 'paySystem', operation: 'delete', paySystemId: rl('id', '99') } });

			expect(result.error?.message).toBe('Bitrix24 could not delete the pay system: pay system 99 was not found');
			expect(result.error?.description).toMatch('ERROR_PAY_SYSTEM_NOT_FOUND');
			expect(emulator.state.paySystems.size).toBe(5);
		});
	});

	describe('Pay System > Get Settings / Update Settings / Get Payment Settings', () => {
		test('Get Settings: the mapping of every handler code for the payer type, as one item', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'getSettings',
					paySystemId: rl('list', String(paySystems.CARD_REST_HANDLER)),
					personTypeId: personTypes.INDIVIDUAL,
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.settings.get', auth).body).toEqual({ ID: paySystems.CARD_REST_HANDLER, PERSON_TYPE_ID: personTypes.INDIVIDUAL });
			expect(result.items).toEqual([
				{
					json: {
						REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'emu-shop-1' },
						REST_SERVICE_KEY: { TYPE: 'VALUE', VALUE: 'emu-shop-key' },
						PAYMENT_ID: { TYPE: 'PAYMENT', VALUE: 'ACCOUNT_NUMBER' },
						// Not set for this payer type: the handler's defaults.
						PAYMENT_SUM: { TYPE: 'PAYMENT', VALUE: 'SUM' },
						PAYMENT_CURRENCY: { TYPE: 'PAYMENT', VALUE: 'CURRENCY' },
						PS_WORK_MODE: { TYPE: 'INPUT', VALUE: 'TEST' },
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		test('Update Settings: the JSON goes as SETTINGS and the mapping changes', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'updateSettings',
					paySystemId: rl('id', String(paySystems.CARD_REST_HANDLER)),
					personTypeId: personTypes.INDIVIDUAL,
					settings: '{"REST_SERVICE_KEY": {"TYPE": "VALUE", "VALUE": "rotated-key"}, "PS_WORK_MODE": {"TYPE": "INPUT", "VALUE": "REGULAR"}}',
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.settings.update', auth).body).toEqual({
				ID: paySystems.CARD_REST_HANDLER,
				PERSON_TYPE_ID: personTypes.INDIVIDUAL,
				SETTINGS: { REST_SERVICE_KEY: { TYPE: 'VALUE', VALUE: 'rotated-key' }, PS_WORK_MODE: { TYPE: 'INPUT', VALUE: 'REGULAR' } },
			});
			expect(result.items).toEqual([
				{ json: { success: true, paySystemId: paySystems.CARD_REST_HANDLER, personTypeId: personTypes.INDIVIDUAL }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.paySystemSettings.get('3:1')).toMatchObject({
				REST_SERVICE_ID: { TYPE: 'VALUE', VALUE: 'emu-shop-1' },
				REST_SERVICE_KEY: { TYPE: 'VALUE', VALUE: 'rotated-key' },
				PS_WORK_MODE: { TYPE: 'INPUT', VALUE: 'REGULAR' },
			});
		});

		test('Get Payment Settings: every code resolved for the payment, CODE: value', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'getPaymentSettings',
					paymentId: String(payments.HANDLER_FAILS),
					paySystemId: rl('id', String(paySystems.CARD_REST_HANDLER)),
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.settings.payment.get', auth).body).toEqual({
				PAYMENT_ID: payments.HANDLER_FAILS,
				PAY_SYSTEM_ID: paySystems.CARD_REST_HANDLER,
			});
			expect(result.items).toEqual([
				{
					json: {
						REST_SERVICE_ID: 'emu-shop-1',
						REST_SERVICE_KEY: 'emu-shop-key',
						PAYMENT_ID: '357/2',
						PAYMENT_SUM: 100,
						PAYMENT_CURRENCY: 'USD',
						PS_WORK_MODE: 'TEST',
					},
					pairedItem: { item: 0 },
				},
			]);
		});
	});

	describe('Pay System > Pay Invoice (sale.paysystem.pay.invoice)', () => {
		test('pays the legacy invoice through its pay system', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystem',
					operation: 'payInvoice',
					invoiceId: String(invoices.LEGACY),
					paySystemId: rl('list', String(paySystems.INVOICE_CARD)),
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.pay.invoice', auth).body).toEqual({ INVOICE_ID: invoices.LEGACY, PAY_SYSTEM_ID: paySystems.INVOICE_CARD });
			expect(result.items).toEqual([
				{ json: { success: true, invoiceId: invoices.LEGACY, paySystemId: paySystems.INVOICE_CARD }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.invoices.get(invoices.LEGACY)).toMatchObject({ paid: 'Y', psStatus: 'Y' });
			expect(emulator.state.invoices.get(invoices.LEGACY)!.datePaid).not.toBeNull();
		});
	});

	describe('Pay System > Pay Payment with "Confirm Paid"', () => {
		const confirmed = (paymentId: number | string, paySystemId: number | string): INodeParameters => ({
			resource: 'paySystem',
			operation: 'payPayment',
			paymentId,
			paySystemId: rl('id', String(paySystemId)),
			options: { confirmPaid: true },
		});

		test('a normal payment: paid, the payment was read back, and the item says so', async () => {
			const result = await runNode({ emulator, auth, parameters: confirmed(payments.UNPAID, paySystems.BANK_TRANSFER) });

			expect(result.error).toBeUndefined();
			const calls = emulator.restCalls();
			expect(calls.map((call) => [call.restMethod, call.status])).toEqual([
				['sale.paysystem.pay.payment', 200],
				['sale.payment.get', 200],
			]);
			expect(calls[0].body).toEqual({ PAYMENT_ID: payments.UNPAID, PAY_SYSTEM_ID: paySystems.BANK_TRANSFER });
			expect(calls[1].path).toBe(auth === 'webhook' ? `/rest/1/${DEFAULT_WEBHOOK_SECRET}/sale.payment.get` : '/rest/sale.payment.get');
			expect(calls[1].body).toEqual({ id: payments.UNPAID });
			expect(result.items).toEqual([
				{ json: { success: true, paymentId: payments.UNPAID, paySystemId: paySystems.BANK_TRANSFER, paid: true }, pairedItem: { item: 0 } },
			]);
			expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
		});

		test('the portal answers true but the payment stays unpaid: the item fails', async () => {
			const result = await runNode({ emulator, auth, parameters: confirmed(payments.FLAKY, paySystems.FLAKY_SAVE) });

			expect(result.items).toEqual([]);
			expect(result.error).toBeDefined();
			const calls = emulator.restCalls();
			expect(calls.map((call) => [call.restMethod, call.status, call.response])).toEqual([
				['sale.paysystem.pay.payment', 200, expect.objectContaining({ result: true })],
				['sale.payment.get', 200, expect.objectContaining({ result: { payment: expect.objectContaining({ id: payments.FLAKY, paid: 'N' }) } })],
			]);
			expect(emulator.state.payments.get(payments.FLAKY)!.paid).toBe('N');
		});

		test('with Continue On Fail: an error item for the unpaid payment, the next item is still paid', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: confirmed('={{ $json.payment }}', '={{ $json.paySystem }}'),
				items: itemsOf(
					{ payment: payments.FLAKY, paySystem: paySystems.FLAKY_SAVE },
					{ payment: payments.UNPAID, paySystem: paySystems.BANK_TRANSFER },
				),
				continueOnFail: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(2);
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
			expect(Object.keys(result.items[0].json)).toEqual(['error']);
			expect(typeof result.items[0].json.error).toBe('string');
			expect(result.items[1]).toEqual({
				json: { success: true, paymentId: payments.UNPAID, paySystemId: paySystems.BANK_TRANSFER, paid: true },
				pairedItem: { item: 1 },
			});
			// Both payments in one batch request, then both read back in a second one.
			expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(['batch', 'batch']);
			const callsFor = (id: number) =>
				emulator
					.methodCalls()
					.filter((call) => call.params.PAYMENT_ID === String(id) || call.params.id === String(id))
					.map((call) => [call.method, call.params]);
			expect(callsFor(payments.FLAKY)).toEqual([
				['sale.paysystem.pay.payment', { PAYMENT_ID: String(payments.FLAKY), PAY_SYSTEM_ID: String(paySystems.FLAKY_SAVE) }],
				['sale.payment.get', { id: String(payments.FLAKY) }],
			]);
			expect(callsFor(payments.UNPAID)).toEqual([
				['sale.paysystem.pay.payment', { PAYMENT_ID: String(payments.UNPAID), PAY_SYSTEM_ID: String(paySystems.BANK_TRANSFER) }],
				['sale.payment.get', { id: String(payments.UNPAID) }],
			]);
			expect(emulator.state.payments.get(payments.FLAKY)!.paid).toBe('N');
			expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
		});

		test('the unpaid payment is reported as such, also as the Continue On Fail error', async () => {
			const expected = `Bitrix24 confirmed the payment but payment ${payments.FLAKY} is still not paid`;
			const failed = await runNode({ emulator, auth, parameters: confirmed(payments.FLAKY, paySystems.FLAKY_SAVE) });
			expect(failed.error?.message).toBe(expected);
			expect(failed.error?.description).toMatch('did not save it as paid');
			expect(failed.error?.description).not.toMatch('No answer came back');

			emulator.reset();
			const continued = await runNode({ emulator, auth, parameters: confirmed(payments.FLAKY, paySystems.FLAKY_SAVE), continueOnFail: true });
			expect(continued.items.map((item) => [item.json, item.pairedItem])).toEqual([[{ error: expected }, { item: 0 }]]);
		});
	});

	describe('the Pay System picker (resource locator paySystemId)', () => {
		test.each([
			['From List', rl('list', String(paySystems.BANK_TRANSFER)), {}],
			['By ID', rl('id', String(paySystems.BANK_TRANSFER)), {}],
			['By ID from an expression', rl('id', '={{ $json.paySystem }}'), { paySystem: paySystems.BANK_TRANSFER }],
		])('%s: the number is sent', async (_mode, paySystemId, json) => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'payPayment', paymentId: payments.UNPAID, paySystemId },
				items: itemsOf(json),
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.pay.payment', auth).body).toEqual({ PAYMENT_ID: payments.UNPAID, PAY_SYSTEM_ID: paySystems.BANK_TRANSFER });
			expect(result.items).toEqual([
				{ json: { success: true, paymentId: payments.UNPAID, paySystemId: paySystems.BANK_TRANSFER }, pairedItem: { item: 0 } },
			]);
		});

		test('the list of Pay Payment: the pay systems for orders, name with ID, loaded with the credential', async () => {
			emulator.state.paySystems.get(paySystems.FLAKY_SAVE)!.ACTIVE = 'N';
			const { results } = await searchPaySystems(auth);

			// Not 5, a pay system of the old CRM invoices: Pay Payment cannot use it.
			expect(results).toEqual([
				{ name: 'Cash (ID 1)', value: '1' },
				{ name: 'Bank Transfer (Company) (ID 2)', value: '2' },
				{ name: 'Card (REST handler) (ID 3)', value: '3' },
				{ name: 'Flaky save (ID 4, inactive)', value: '4' },
			]);
			const call = onlyCall('sale.paysystem.list', auth);
			expect(call.status).toBe(200);
			expect(call.auth).toBe(auth === 'webhook' ? 'webhook' : 'oauth');
			expect(call.body).toEqual({
				SELECT: ['ID', 'NAME', 'ACTIVE', 'ACTION_FILE'],
				FILTER: { ENTITY_REGISTRY_TYPE: 'ORDER' },
				ORDER: { SORT: 'ASC', ID: 'ASC' },
			});
		});

		test.each([
			[['paySystem', 'payInvoice'], ['5'], ['sale.paysystem.list']],
			[['orderPayment', 'update'], ['1', '2', '3', '4'], ['sale.paysystem.list']],
			[['orderPayment', 'create'], ['1', '2', '3', '4'], ['sale.paysystem.list']],
			// Bitrix24 lets REST change only the pay systems of a REST handler.
			[['paySystem', 'update'], ['3', '5'], ['sale.paysystem.list', 'sale.paysystem.handler.list']],
			[['paySystem', 'delete'], ['3', '5'], ['sale.paysystem.list', 'sale.paysystem.handler.list']],
			[['paySystem', 'getSettings'], ['3', '5'], ['sale.paysystem.list', 'sale.paysystem.handler.list']],
			[['paySystem', 'updateSettings'], ['3', '5'], ['sale.paysystem.list', 'sale.paysystem.handler.list']],
			[['paySystem', 'getPaymentSettings'], ['3'], ['sale.paysystem.list', 'sale.paysystem.handler.list']],
		])('the list of %p offers only the pay systems it can use: %p', async (operation, ids, methods) => {
			const { results } = await searchPaySystems(auth, undefined, undefined, operation as [string, string]);

			expect(results.map((result) => result.value)).toEqual(ids);
			expect(emulator.restCalls().map((call) => call.restMethod)).toEqual(methods);
		});

		test('each pay system the list offers for an operation is one the portal accepts for it', async () => {
			// Get Settings of every offered pay system succeeds; of one the list leaves out, the portal refuses.
			const { results } = await searchPaySystems(auth, undefined, undefined, ['paySystem', 'getSettings']);
			for (const { value } of results) {
				const result = await runNode({
					emulator,
					auth,
					parameters: { resource: 'paySystem', operation: 'getSettings', paySystemId: rl('list', String(value)), personTypeId: emulator.state.paySystems.get(Number(value))!.PERSON_TYPE_ID },
				});
				expect(result.error).toBeUndefined();
			}
			const refused = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystem', operation: 'getSettings', paySystemId: rl('list', String(paySystems.CASH)), personTypeId: 1 },
			});
			expect(refused.error?.message).toMatch(/access denied/);
		});

		test('the list follows the portal\'s sort order', async () => {
			emulator.state.paySystems.get(paySystems.CARD_REST_HANDLER)!.SORT = '50';
			const { results } = await searchPaySystems(auth);

			expect(results.map((result) => result.value)).toEqual(['3', '1', '2', '4']);
		});

		test.each([
			['card', ['3']],
			['  CASH ', ['1']],
			['2', ['2']],
			['nothing like it', []],
		])('the search text %p narrows the list (by name, case-insensitive, or the exact ID)', async (filter, ids) => {
			const { results } = await searchPaySystems(auth, filter as string);

			expect(results.map((result) => result.value)).toEqual(ids);
			expect(emulator.restCalls('sale.paysystem.list')).toHaveLength(1);
		});
	});

	describe('Pay System Handler', () => {
		const handlerSettings = {
			CURRENCY: ['EUR'],
			CLIENT_TYPE: 'b2b',
			FORM_DATA: { ACTION_URI: 'https://pay.example.invalid/eu', METHOD: 'POST', FIELDS: { paymentId: { CODE: 'PAYMENT_ID' } } },
			CODES: { PAYMENT_ID: { NAME: 'Payment number', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'ACCOUNT_NUMBER' } } },
		};

		test('Create: registers the handler and outputs its id', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystemHandler',
					operation: 'create',
					name: 'EU cards',
					code: 'eu_cards',
					settings: JSON.stringify(handlerSettings),
					additionalFields: { sort: 200 },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.handler.add', auth).body).toEqual({ NAME: 'EU cards', CODE: 'eu_cards', SETTINGS: handlerSettings, SORT: 200 });
			expect(result.items).toEqual([{ json: { id: 2 }, pairedItem: { item: 0 } }]);
			expect(emulator.state.paySystemHandlers.get(2)).toEqual({
				ID: '2',
				NAME: 'EU cards',
				CODE: 'eu_cards',
				SORT: '200',
				SETTINGS: handlerSettings,
				APP_ID: auth === 'webhook' ? null : emulator.oauthApp.clientId,
			});
		});

		test('Create with a code in use: the portal\'s reason is the message', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: { resource: 'paySystemHandler', operation: 'create', name: 'Again', code: EMULATOR_HANDLER_CODE, settings: JSON.stringify(handlerSettings) },
			});

			expect(result.error?.message).toBe('Bitrix24 could not create the pay system handler: Handler already exists!');
			expect(result.error?.description).toMatch('ERROR_HANDLER_ALREADY_EXIST');
			expect(emulator.state.paySystemHandlers.size).toBe(1);
		});

		test('Get Many: one item per handler, as the portal lists them', async () => {
			const result = await runNode({ emulator, auth, parameters: { resource: 'paySystemHandler', operation: 'getAll' } });

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.handler.list', auth).body).toEqual({});
			const seeded = emulator.state.paySystemHandlers.get(handlers.EMULATOR_CARD)!;
			expect(result.items).toEqual([
				{
					json: { ID: '1', NAME: 'Emulator card', CODE: EMULATOR_HANDLER_CODE, SORT: '100', SETTINGS: seeded.SETTINGS },
					pairedItem: { item: 0 },
				},
			]);
			expect(result.items[0].json.SETTINGS).toMatchObject({ CODES: expect.objectContaining({ REST_SERVICE_ID: expect.any(Object) }) });
		});

		test('Update: the fields go as FIELDS and the handler changes', async () => {
			const result = await runNode({
				emulator,
				auth,
				parameters: {
					resource: 'paySystemHandler',
					operation: 'update',
					handlerId: String(handlers.EMULATOR_CARD),
					updateFields: { name: 'Emulator card v2', sort: 50, settings: JSON.stringify(handlerSettings) },
				},
			});

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.handler.update', auth).body).toEqual({
				ID: handlers.EMULATOR_CARD,
				FIELDS: { NAME: 'Emulator card v2', SORT: 50, SETTINGS: handlerSettings },
			});
			expect(result.items).toEqual([{ json: { success: true, handlerId: handlers.EMULATOR_CARD }, pairedItem: { item: 0 } }]);
			expect(emulator.state.paySystemHandlers.get(handlers.EMULATOR_CARD)).toMatchObject({
				NAME: 'Emulator card v2',
				CODE: EMULATOR_HANDLER_CODE,
				SORT: '50',
				SETTINGS: handlerSettings,
			});
		});

		test('Delete: an unused handler is removed', async () => {
			emulator.state.paySystemHandlers.set(2, { ID: '2', NAME: 'Unused', CODE: 'unused', SORT: '100', SETTINGS: handlerSettings, APP_ID: null });
			emulator.state.lastIds.handler = 2;

			const result = await runNode({ emulator, auth, parameters: { resource: 'paySystemHandler', operation: 'delete', handlerId: 2 } });

			expect(result.error).toBeUndefined();
			expect(onlyCall('sale.paysystem.handler.delete', auth).body).toEqual({ ID: 2 });
			expect(result.items).toEqual([{ json: { deleted: true, handlerId: 2 }, pairedItem: { item: 0 } }]);
			expect([...emulator.state.paySystemHandlers.keys()]).toEqual([handlers.EMULATOR_CARD]);
		});

		test('Delete: a handler pay systems still use is refused, with the portal\'s reason', async () => {
			const result = await runNode({ emulator, auth, parameters: { resource: 'paySystemHandler', operation: 'delete', handlerId: handlers.EMULATOR_CARD } });

			expect(result.items).toEqual([]);
			expect(result.error?.message).toBe('Bitrix24 could not delete the pay system handler: Pay system with handler EMULATOR_CARD exists!');
			expect(result.error?.description).toMatch('HTTP 400, error ERROR_PAY_SYSTEM_DELETE');
			expect(emulator.state.paySystemHandlers.has(handlers.EMULATOR_CARD)).toBe(true);
		});
	});

	describe('a user who may not manage pay systems is refused on reads too (403 ACCESS_DENIED)', () => {
		test.each([
			['list the pay systems', 'sale.paysystem.list', { resource: 'paySystem', operation: 'getAll' }],
			[
				'get the pay system settings',
				'sale.paysystem.settings.get',
				{ resource: 'paySystem', operation: 'getSettings', paySystemId: rl('id', '3'), personTypeId: 1 },
			],
			[
				'get the pay system settings of the payment',
				'sale.paysystem.settings.payment.get',
				{ resource: 'paySystem', operation: 'getPaymentSettings', paymentId: payments.HANDLER_FAILS, paySystemId: rl('id', '3') },
			],
			['list the pay system handlers', 'sale.paysystem.handler.list', { resource: 'paySystemHandler', operation: 'getAll' }],
		])('could not %s: access denied, and who may', async (action, method, parameters) => {
			const result = await runNode({ emulator, auth, parameters: parameters as INodeParameters, credentials: readOnlyCredentials(auth) });

			expect(result.items).toEqual([]);
			expect(result.error?.name).toBe('NodeApiError');
			expect(result.error?.message).toBe(`Bitrix24 could not ${action}: access denied`);
			expect(result.error?.description).toMatch(`The Bitrix24 user behind the ${whose}`);
			expect(result.error?.description).toMatch('must be an administrator to work with pay systems');
			expect(result.error?.description).toMatch('Bitrix24 answered HTTP 403, error ACCESS_DENIED: "Access denied!"');
			expect(result.error?.httpCode).toBe('403');
			const calls = emulator.restCalls(method);
			expect(calls).toHaveLength(1);
			expect(calls[0].userId).toBe(READ_ONLY_WEBHOOK.userId);
			expect(calls[0].status).toBe(403);
		});

		test('the picker: the same error, not an empty list', async () => {
			await expect(searchPaySystems(auth, undefined, readOnlyCredentials(auth))).rejects.toMatchObject({
				message: 'Bitrix24 could not list the pay systems: access denied',
				description: expect.stringMatching(/must be an administrator to work with pay systems.*HTTP 403, error ACCESS_DENIED: "Access denied!"/),
			});
			expect(emulator.restCalls('sale.paysystem.list').map((call) => call.status)).toEqual([403]);
		});
	});
});
