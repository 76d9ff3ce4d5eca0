import type { IBuilderHint } from 'n8n-workflow';

/**
 * What n8n's AI workflow builders read about each node besides its names and description (n8n 2.x: the MCP server's
 * search_nodes and get_node_types, the node catalog of its agents): `searchHint` is printed with every search
 * result, `relatedNodes` names the nodes that go with it. In one file because the three nodes point at each other.
 */

const PACKAGE = 'n8n-nodes-bitrix24-payments';
const ACTIONS = `${PACKAGE}.bitrix24Payments`;
const TRIGGER = `${PACKAGE}.bitrix24PaymentsTrigger`;
const POLLING_TRIGGER = `${PACKAGE}.bitrix24PaymentsPollingTrigger`;
const PAY_SYSTEM_TRIGGER = `${PACKAGE}.bitrix24PaySystemTrigger`;

export const PAYMENTS_HINT: IBuilderHint = {
	searchHint:
		'Changes and reads payments in Bitrix24 (CRM): mark a payment paid or unpaid (resource payment, operation pay or unpay), create, update, list and delete the payments of deals and invoices (payment) or of store orders (orderPayment, the same payment IDs with all the sale fields), get a payment link with a QR code (payment getPublicUrl), record a payment made through a payment service with its transaction status (paySystem payPayment), and manage pay systems and their handlers. Map the payment ID from the previous node (a number or numeric text); the node sends all items of a run to Bitrix24 together, so it needs no loop or Wait before it. To start a workflow when a payment is paid, use a Bitrix24 Payments trigger instead.',
	relatedNodes: [
		{ nodeType: TRIGGER, relationHint: 'Starts a workflow the moment a payment is paid, saved or deleted; its items carry paymentId for this node' },
		{ nodeType: POLLING_TRIGGER, relationHint: 'Starts a workflow for each payment paid, by looking at Bitrix24 on a schedule; for an n8n that Bitrix24 cannot reach' },
		{ nodeType: PAY_SYSTEM_TRIGGER, relationHint: 'Makes a workflow a Bitrix24 pay system, to let buyers pay through a payment service Bitrix24 lacks' },
	],
};

export const TRIGGER_HINT: IBuilderHint = {
	searchHint:
		'Starts a workflow when a Bitrix24 payment is paid (event paymentPaid: once per change to paid), saved or deleted. Bitrix24 calls the Production URL, so n8n must be reachable from the internet; if it is not, use Bitrix24 Payments Polling Trigger. Each item: event, paymentId (number), ts, domain, payment (the order payment: id, orderId, accountNumber, paid, datePaid, sum, currency, paySystemId, ...; absent for a deleted payment).',
	relatedNodes: [
		{ nodeType: ACTIONS, relationHint: "Acts on the payment of each item: pass paymentId, e.g. to Order Payment > Get or CRM Payment > Mark as Unpaid" },
		{ nodeType: POLLING_TRIGGER, relationHint: 'The same events and items, by looking on a schedule, when Bitrix24 cannot reach n8n' },
	],
};

export const POLLING_TRIGGER_HINT: IBuilderHint = {
	searchHint:
		'Starts a workflow for each Bitrix24 payment paid (paymentPaid), saved or deleted, by looking at Bitrix24 on a schedule (pollTimes, every minute by default): nothing is missed while n8n is down, and Bitrix24 need not reach n8n. Saved and deleted need the OAuth2 credential; with an inbound webhook only paymentPaid. Items as Bitrix24 Payments Trigger gives them: event, paymentId (number), ts, domain, payment.',
	relatedNodes: [
		{ nodeType: ACTIONS, relationHint: 'Acts on the payment of each item: pass paymentId, e.g. to Order Payment > Get or CRM Payment > Mark as Unpaid' },
		{ nodeType: TRIGGER, relationHint: 'Starts at once when Bitrix24 calls n8n; needs n8n reachable from the internet' },
	],
};

export const PAY_SYSTEM_TRIGGER_HINT: IBuilderHint = {
	searchHint:
		"Makes the workflow a Bitrix24 pay system (payment method), to connect a payment service Bitrix24 lacks (Stripe, PayPal, a bank's API): when a buyer starts paying an order payment with it, Bitrix24 calls the workflow, which creates the payment at the service and must answer within about 60 s; the last node's first item is the answer: {PAYMENT_URL, PAYMENT_ID} (the service's page and its id for the payment) or {PAYMENT_ERRORS: [text]}. Each item: event 'checkout', paymentId, orderId, paySystemId, sum, currency, returnUrl, externalPaymentId (a second try), fields, payment, idempotencyKey (pass it to the service). When the service confirms the payment, find it with Bitrix24 Payments Order Payment > Get Many (psInvoiceId = the service's id) and mark it paid with Pay System > Pay Payment.",
	relatedNodes: [
		{ nodeType: ACTIONS, relationHint: "Closes the loop when the service confirms: Order Payment > Get Many by psInvoiceId, then Pay System > Pay Payment with the item's paySystemId" },
	],
};
