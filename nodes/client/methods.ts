/**
 * The Bitrix24 REST methods the package calls, with the scope each needs and, in plain words, what it does.
 * Errors quote `action` ("Bitrix24 could not mark the payment as paid: ...") and `scope` in their hints; the
 * other columns are what retries (`writes`), pages (`pageRows`) and the error table decide on.
 */
export interface Bitrix24Method {
	scope: 'crm' | 'sale' | 'pay_system' | 'salescenter';
	action: string;
	/** Whether calling it twice could change data twice: decides what is safe to retry. */
	writes: boolean;
	/** It creates something: a lost answer cannot be settled, as Bitrix24 offers no key to find what it made. */
	creates?: true;
	/** Pages of 50 with `next` and `total`, the rows under this key of the result; other lists come whole. */
	pageRows?: string;
	/** It works on the product or delivery lines of a CRM payment, which Bitrix24 freezes once the payment is paid. */
	line?: 'product' | 'delivery';
	/** It manages pay systems or their handlers, which needs an administrator. */
	managesPaySystems?: boolean;
	/** Bitrix24 lets REST do it only to pay systems that run a REST handler, not to built-in ones such as Cash. */
	restHandlerOnly?: boolean;
	/** It works on the app's offline event queue, which only an administrator may. */
	offlineQueue?: boolean;
}

const crm = (action: string, writes = true): Bitrix24Method => ({ scope: 'crm', action, writes });
const creates = (method: Bitrix24Method): Bitrix24Method => ({ ...method, creates: true });
const line = (kind: 'product' | 'delivery', action: string, writes = true): Bitrix24Method => ({ ...crm(action, writes), line: kind });
const sale = (action: string, writes = true): Bitrix24Method => ({ scope: 'sale', action, writes });
const pay = (action: string): Bitrix24Method => ({ scope: 'pay_system', action, writes: true });
const paySystems = (action: string, writes = true, restHandlerOnly = false): Bitrix24Method => ({
	scope: 'pay_system',
	action,
	writes,
	managesPaySystems: true,
	...(restHandlerOnly ? { restHandlerOnly } : {}),
});

export const METHODS: Record<string, Bitrix24Method> = {
	'crm.item.payment.pay': crm('mark the payment as paid'),
	'crm.item.payment.unpay': crm('mark the payment as unpaid'),
	'crm.item.payment.delete': crm('delete the payment'),
	'crm.item.payment.add': creates(crm('create the payment')),
	'crm.item.payment.get': crm('get the payment', false),
	'crm.item.payment.list': crm('list the payments', false),
	'crm.item.payment.update': crm('update the payment'),
	'salescenter.payment.getPublicUrl': { scope: 'salescenter', action: 'get the public payment link', writes: false },
	'crm.item.payment.product.add': creates(line('product', 'add the product to the payment')),
	'crm.item.payment.product.list': line('product', 'list the products of the payment', false),
	'crm.item.payment.product.setQuantity': line('product', 'change the product quantity'),
	'crm.item.payment.product.delete': line('product', 'remove the product from the payment'),
	'crm.item.payment.delivery.add': creates(line('delivery', 'add the delivery to the payment')),
	'crm.item.payment.delivery.list': line('delivery', 'list the deliveries of the payment', false),
	'crm.item.payment.delivery.setDelivery': line('delivery', 'change the delivery'),
	'crm.item.payment.delivery.delete': line('delivery', 'remove the delivery from the payment'),
	'sale.payment.add': creates(sale('create the order payment')),
	'sale.payment.get': sale('get the order payment', false),
	'sale.persontype.list': sale('list the person types', false),
	'sale.payment.list': { ...sale('list the order payments', false), pageRows: 'payments' },
	'sale.payment.update': sale('update the order payment'),
	'sale.payment.delete': sale('delete the order payment'),
	'sale.payment.getFields': sale('get the order payment fields', false),
	'sale.paysystem.pay.payment': pay('pay the payment through the pay system'),
	'sale.paysystem.pay.invoice': pay('pay the invoice through the pay system'),
	'sale.paysystem.list': paySystems('list the pay systems', false),
	'sale.paysystem.add': creates(paySystems('create the pay system')),
	'sale.paysystem.update': paySystems('update the pay system', true, true),
	'sale.paysystem.delete': paySystems('delete the pay system', true, true),
	'sale.paysystem.settings.get': paySystems('get the pay system settings', false, true),
	'sale.paysystem.settings.update': paySystems('update the pay system settings', true, true),
	'sale.paysystem.settings.payment.get': paySystems('get the pay system settings of the payment', false, true),
	'sale.paysystem.handler.add': creates(paySystems('create the pay system handler')),
	'sale.paysystem.handler.list': paySystems('list the pay system handlers', false),
	'sale.paysystem.handler.update': paySystems('update the pay system handler'),
	'sale.paysystem.handler.delete': paySystems('delete the pay system handler'),
	// The trigger's subscriptions (only sale events are bound). Binding what is bound and unbinding what is gone
	// change nothing, so they are safe to send again.
	'event.bind': sale('subscribe the trigger to the payment events', false),
	'event.unbind': sale('unsubscribe the trigger from the payment events', false),
	'event.get': sale("check the trigger's subscriptions", false),
	// The polling trigger's offline queue. A get that clears (or reserves) changes the queue: after a lost answer it is
	// not sent again (what it reserved is found again by the next look; what it cleared is gone).
	'event.offline.get': { ...sale('read the offline event queue'), offlineQueue: true },
	'event.offline.clear': { ...sale('clear what the trigger has taken from the offline event queue', false), offlineQueue: true },
	'event.offline.list': { ...sale('look into the offline event queue', false), offlineQueue: true },
	'feature.get': sale('check which features the portal offers', false),
};

/** The row of a method (names are case-insensitive); a method not in the table is taken as a CRM write. */
export function methodOf(name: string): Bitrix24Method & { name: string } {
	const key = Object.keys(METHODS).find((method) => method.toLowerCase() === name.toLowerCase());
	return { name, ...(key ? METHODS[key] : { scope: 'crm', action: `call ${name}`, writes: true }) };
}
