// crm.item.payment.product.* and crm.item.payment.delivery.* (Bitrix\Crm\Controller\Item\Payment\Product,
// ...\Delivery, their Base). Scope crm. The lines of a payment (b_sale_order_payment_item) are product rows
// of the CRM item (BASKET_ITEM) or shipments of the order (SHIPMENT); the payment sum is recalculated
// from them after every change.
//
// Errors (code 0 unless said): "Payment has not been found", "Payable item has not been found",
// "Product quantity must be greater than zero.", "Product was not found.", "Insufficient product stock.",
// "Order binding has not been found", "Entity does not support links with catalog products",
// "Shipment was not found"; 100 for missing / non-int parameters; ACCESS_DENIED ("Access denied.",
// crmAccessDeniedStatus) when the user may not change payments AND - the documented quirk - whenever the
// payment is already paid (Base::canEditPayment() is `!isPaid() && permission`).

import { RestError } from '../errors';
import { recalculatePaymentSum, CRM_TYPES, type PayableItem, type SalePayment } from '../state';
import { bindInt, bindOptionalArray, checkCrmWrite, crmAccessDenied, legacyCrm, type CallContext, type MethodDef } from './context';
import { applyFilter, applyOrder, bitrixUpperSnake, type FieldResolver } from './listing';

type Kind = PayableItem['entityType'];

const paymentNotFound = () => new RestError(400, '0', 'Payment has not been found');
const itemNotFound = () => new RestError(400, '0', 'Payable item has not been found');
const zeroQuantity = () => new RestError(400, '0', 'Product quantity must be greater than zero.');
const noStock = () => new RestError(400, '0', 'Insufficient product stock.');

function findPayment(ctx: CallContext, id: number): SalePayment {
	const payment = ctx.state.payments.get(id);
	if (!payment) throw paymentNotFound();
	return payment;
}

/** Base::canEditPayment(): a paid payment's lines never change, whoever asks. */
function checkEditable(ctx: CallContext, payment: SalePayment): void {
	if (payment.paid === 'Y') throw crmAccessDenied(ctx);
}

/** Base::getPaymentByPayableId(): the line must be of this controller's kind. */
function findItem(ctx: CallContext, id: number, kind: Kind): { item: PayableItem; payment: SalePayment } {
	const item = ctx.state.payableItems.get(id);
	if (!item || item.entityType !== kind) throw itemNotFound();
	const payment = ctx.state.payments.get(item.paymentId);
	if (!payment) throw itemNotFound();
	return { item, payment };
}

/** Quantity of a product row already spread over the payments of the order, leaving `except` out. */
function distributed(ctx: CallContext, orderId: number, rowId: number, except?: number): number {
	let total = 0;
	for (const item of ctx.state.payableItems.values()) {
		if (item.entityType !== 'BASKET_ITEM' || item.entityId !== rowId || item.id === except) continue;
		if (ctx.state.payments.get(item.paymentId)?.orderId === orderId) total += item.quantity;
	}
	return total;
}

function list(ctx: CallContext, kind: Kind, shape: (item: PayableItem) => Record<string, unknown>): unknown {
	// listAction(int $paymentId, array $filter = [], array $order = []): reading is allowed to all.
	const paymentId = bindInt(ctx.params, 'paymentId');
	const filter = bindOptionalArray(ctx.params, 'filter');
	const order = bindOptionalArray(ctx.params, 'order');
	findPayment(ctx, paymentId);
	const rows = [...ctx.state.payableItems.values()].filter((i) => i.paymentId === paymentId && i.entityType === kind);
	// Columns of b_sale_order_payment_item; other keys (rowId, deliveryId) name no column and are dropped.
	const resolve: FieldResolver<PayableItem> = (field) => {
		if (field === 'ID') return (i) => i.id;
		if (field === 'PAYMENT_ID') return (i) => i.paymentId;
		if (field === 'QUANTITY') return (i) => i.quantity;
		if (field === 'ENTITY_ID') return (i) => i.entityId;
		return undefined;
	};
	const filtered = applyFilter(rows, filter, resolve, bitrixUpperSnake);
	// Not paginated: every line of the payment.
	return applyOrder(filtered, order, resolve, bitrixUpperSnake, [['ID', 'ASC']]).map(shape);
}

/**
 * The legacy controllers (Base::deleteAction, Product::setQuantityAction, ...::addAction at 24.0.x): a line or payment
 * they cannot find, or may not change (unpaid and the right to edit), is `false` for a change and `null` for an add,
 * with no error.
 */
function quietlyRefused(ctx: CallContext, payment: SalePayment | undefined): boolean {
	return legacyCrm(ctx) && (!payment || payment.paid === 'Y' || !ctx.caller.canWrite);
}

function lineOf(ctx: CallContext, id: number, kind: Kind): SalePayment | undefined {
	const item = ctx.state.payableItems.get(id);
	return item && item.entityType === kind ? ctx.state.payments.get(item.paymentId) : undefined;
}

function deleteItem(ctx: CallContext, kind: Kind): boolean {
	if (quietlyRefused(ctx, lineOf(ctx, bindInt(ctx.params, 'id'), kind))) return false;
	checkCrmWrite(ctx);
	const id = bindInt(ctx.params, 'id');
	const { item, payment } = findItem(ctx, id, kind);
	checkEditable(ctx, payment);
	ctx.state.payableItems.delete(item.id);
	recalculatePaymentSum(ctx.state, payment.id);
	return true;
}

export const crmPaymentItemMethods: Record<string, MethodDef> = {
	'crm.item.payment.product.add': {
		scope: 'crm',
		run(ctx) {
			if (!legacyCrm(ctx)) checkCrmWrite(ctx);
			// addAction(int $paymentId, int $rowId, int $quantity): the docs say double, the binder says int,
			// so 0.5 is truncated to 0 and refused.
			const paymentId = bindInt(ctx.params, 'paymentId');
			const rowId = bindInt(ctx.params, 'rowId');
			const quantity = bindInt(ctx.params, 'quantity');
			if (quantity <= 0) throw zeroQuantity();
			if (quietlyRefused(ctx, ctx.state.payments.get(paymentId))) return null;
			const payment = findPayment(ctx, paymentId);
			checkEditable(ctx, payment);
			const order = ctx.state.orders.get(payment.orderId);
			if (!order?.binding) throw new RestError(400, '0', 'Order binding has not been found');
			if (!CRM_TYPES[order.binding.entityTypeId]?.productsEnabled) {
				throw new RestError(400, '0', 'Entity does not support links with catalog products');
			}
			const row = ctx.state.productRows.get(rowId);
			if (!row || row.ownerTypeId !== order.binding.entityTypeId || row.ownerId !== order.binding.entityId) {
				throw new RestError(400, '0', 'Product was not found.');
			}
			if (row.quantity - distributed(ctx, order.id, row.id) < quantity) throw noStock();
			const id = ++ctx.state.lastIds.payableItem;
			ctx.state.payableItems.set(id, { id, paymentId, entityType: 'BASKET_ITEM', entityId: row.id, quantity });
			recalculatePaymentSum(ctx.state, paymentId);
			return id;
		},
	},
	'crm.item.payment.product.list': {
		scope: 'crm',
		run: (ctx) =>
			list(ctx, 'BASKET_ITEM', (i) => ({ id: i.id, paymentId: i.paymentId, quantity: i.quantity, rowId: i.entityId })),
	},
	'crm.item.payment.product.setquantity': {
		scope: 'crm',
		run(ctx) {
			if (!legacyCrm(ctx)) checkCrmWrite(ctx);
			const id = bindInt(ctx.params, 'id');
			const quantity = bindInt(ctx.params, 'quantity');
			if (quantity <= 0) throw zeroQuantity();
			if (quietlyRefused(ctx, lineOf(ctx, id, 'BASKET_ITEM'))) return false;
			const { item, payment } = findItem(ctx, id, 'BASKET_ITEM');
			checkEditable(ctx, payment);
			const row = ctx.state.productRows.get(item.entityId);
			if (!row || distributed(ctx, payment.orderId, row.id, item.id) + quantity > row.quantity) throw noStock();
			item.quantity = quantity;
			recalculatePaymentSum(ctx.state, payment.id);
			return true;
		},
	},
	'crm.item.payment.product.delete': {
		scope: 'crm',
		run: (ctx) => deleteItem(ctx, 'BASKET_ITEM'),
	},
	'crm.item.payment.delivery.add': {
		scope: 'crm',
		run(ctx) {
			if (!legacyCrm(ctx)) checkCrmWrite(ctx);
			const paymentId = bindInt(ctx.params, 'paymentId');
			const deliveryId = bindInt(ctx.params, 'deliveryId');
			if (quietlyRefused(ctx, ctx.state.payments.get(paymentId))) return null;
			const payment = findPayment(ctx, paymentId);
			checkEditable(ctx, payment);
			const shipment = ctx.state.shipments.get(deliveryId);
			if (!shipment || shipment.orderId !== payment.orderId) throw new RestError(400, '0', 'Shipment was not found');
			const id = ++ctx.state.lastIds.payableItem;
			// createItemByShipment(): a shipment line always has quantity 1.
			ctx.state.payableItems.set(id, { id, paymentId, entityType: 'SHIPMENT', entityId: deliveryId, quantity: 1 });
			recalculatePaymentSum(ctx.state, paymentId);
			return id;
		},
	},
	'crm.item.payment.delivery.list': {
		scope: 'crm',
		run: (ctx) =>
			list(ctx, 'SHIPMENT', (i) => ({ id: i.id, paymentId: i.paymentId, quantity: i.quantity, deliveryId: i.entityId })),
	},
	'crm.item.payment.delivery.setdelivery': {
		scope: 'crm',
		run(ctx) {
			checkCrmWrite(ctx);
			const id = bindInt(ctx.params, 'id');
			const deliveryId = bindInt(ctx.params, 'deliveryId');
			const { item, payment } = findItem(ctx, id, 'SHIPMENT');
			checkEditable(ctx, payment);
			// The portal sets ENTITY_ID without looking the shipment up (unlike add): an unknown id is stored.
			item.entityId = deliveryId;
			recalculatePaymentSum(ctx.state, payment.id);
			return true;
		},
	},
	'crm.item.payment.delivery.delete': {
		scope: 'crm',
		run: (ctx) => deleteItem(ctx, 'SHIPMENT'),
	},
};
