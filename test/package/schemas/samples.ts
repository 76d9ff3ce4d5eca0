/**
 * One run of every operation against the emulator's seed data, with the operation's default options: the runs the
 * output schemas (`__schema__`) are made from. Each sample acts on what the seed holds (SEED_IDS), so that it
 * succeeds and outputs what a user would see.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { Bitrix24Emulator } from '../../emulator/server';
import { EMULATOR_HANDLER_CODE, SEED_IDS } from '../../emulator/server';

const { deal, orders, payments, paySystems, personTypes, handlers, productRows, paymentProducts, shipments, paymentDeliveries, invoices } = SEED_IDS;

const byId = (id: number) => ({ __rl: true, mode: 'id', value: String(id) });

const HANDLER_SETTINGS = JSON.stringify({
	CURRENCY: ['EUR'],
	FORM_DATA: { ACTION_URI: 'https://pay.example.invalid/checkout', METHOD: 'POST', FIELDS: { paymentId: { CODE: 'PAYMENT_ID' } } },
	CODES: { PAYMENT_ID: { NAME: 'Payment number', DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'ACCOUNT_NUMBER' } } },
});

/** A sample run: its parameters (resource and operation added by the runner), and what must exist first. */
export interface Sample {
	parameters: INodeParameters;
	/** Done in the portal before the run, as a user would (the emulator's REST API, its inbound webhook). */
	before?: (emulator: Bitrix24Emulator) => Promise<void>;
}

async function portal(emulator: Bitrix24Emulator, method: string, params: object): Promise<void> {
	const response = await fetch(`${emulator.webhookUrl()}${method}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(params),
	});
	if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${await response.text()}`);
}

/** `resource:operation` -> its sample run (parameters alone, or with a step before). */
export const OPERATION_SAMPLES: Record<string, INodeParameters | Sample> = {
	'payment:pay': { paymentId: payments.UNPAID },
	'payment:unpay': { paymentId: payments.PAID },
	'payment:create': { entityTypeId: deal.entityTypeId, entityId: deal.entityId, additionalFields: { paySystemId: paySystems.CASH } },
	'payment:get': { paymentId: payments.UNPAID },
	'payment:getAll': { entityTypeId: deal.entityTypeId, entityId: deal.entityId },
	'payment:update': { paymentId: payments.UNPAID, updateFields: { paid: 'Y' } },
	'payment:delete': { paymentId: payments.UNPAID_2 },
	'payment:getPublicUrl': { paymentId: payments.UNPAID },

	'paymentProduct:create': { paymentId: payments.UNPAID_2, rowId: productRows.ROW_A, quantity: 1 },
	'paymentProduct:getAll': { paymentId: payments.UNPAID },
	'paymentProduct:setQuantity': { paymentProductId: paymentProducts.ON_UNPAID, quantity: 2 },
	'paymentProduct:delete': { paymentProductId: paymentProducts.ON_UNPAID },

	'paymentDelivery:create': { paymentId: payments.UNPAID_2, deliveryId: shipments.MAIN },
	'paymentDelivery:getAll': { paymentId: payments.UNPAID },
	'paymentDelivery:setDelivery': { paymentDeliveryId: paymentDeliveries.ON_UNPAID, deliveryId: shipments.SECOND },
	'paymentDelivery:delete': { paymentDeliveryId: paymentDeliveries.ON_UNPAID },

	'orderPayment:create': { orderId: orders.PLAIN, paySystemId: byId(paySystems.CASH), additionalFields: { sum: 42.5 } },
	'orderPayment:get': { paymentId: payments.SALE_DOC },
	'orderPayment:getAll': { returnAll: true },
	'orderPayment:update': { paymentId: payments.SALE_DOC, paySystemId: byId(paySystems.CASH), updateFields: { comments: 'Paid by wire' } },
	'orderPayment:delete': { paymentId: payments.UNPAID_2 },
	'orderPayment:getFields': {},

	'paySystem:payPayment': { paymentId: payments.UNPAID, paySystemId: byId(paySystems.BANK_TRANSFER) },
	'paySystem:create': { name: 'Cards', personTypeId: personTypes.INDIVIDUAL, bxRestHandler: EMULATOR_HANDLER_CODE },
	'paySystem:getAll': {},
	'paySystem:update': {
		paySystemId: byId(paySystems.CARD_REST_HANDLER),
		bxRestHandler: EMULATOR_HANDLER_CODE,
		personTypeId: personTypes.INDIVIDUAL,
		updateFields: { name: 'Cards' },
	},
	'paySystem:delete': { paySystemId: byId(paySystems.INVOICE_CARD) },
	'paySystem:getSettings': { paySystemId: byId(paySystems.CARD_REST_HANDLER), personTypeId: personTypes.INDIVIDUAL },
	'paySystem:updateSettings': {
		paySystemId: byId(paySystems.CARD_REST_HANDLER),
		personTypeId: personTypes.INDIVIDUAL,
		settings: '{"REST_SERVICE_KEY": {"TYPE": "VALUE", "VALUE": "rotated-key"}}',
	},
	'paySystem:getPaymentSettings': { paymentId: payments.HANDLER_FAILS, paySystemId: byId(paySystems.CARD_REST_HANDLER) },
	'paySystem:payInvoice': { invoiceId: invoices.LEGACY, paySystemId: byId(paySystems.INVOICE_CARD) },

	'paySystemHandler:create': { name: 'EU cards', code: 'eu_cards', settings: HANDLER_SETTINGS },
	'paySystemHandler:getAll': {},
	'paySystemHandler:update': { handlerId: handlers.EMULATOR_CARD, updateFields: { name: 'Emulator card v2' } },
	// A handler no pay system uses: the portal refuses to delete one in use.
	'paySystemHandler:delete': {
		before: async (emulator) => await portal(emulator, 'sale.paysystem.handler.add', { NAME: 'Unused', CODE: 'unused', SETTINGS: JSON.parse(HANDLER_SETTINGS) }),
		parameters: { handlerId: 2 },
	},
};
