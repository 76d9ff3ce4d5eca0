/**
 * The Bitrix24 REST methods the node calls, with the scope each needs and, in plain words, what it does.
 * Errors quote `action` ("Bitrix24 could not mark the payment as paid: ...") and `scope` in their hints.
 */
export interface Bitrix24Method {
	scope: 'crm' | 'sale' | 'pay_system' | 'salescenter';
	action: string;
	/** Whether calling it twice could change data twice: decides what is safe to retry. */
	writes: boolean;
	/** Pages of 50 with `next` and `total`, the rows under this key of the result; other lists come whole. */
	pageRows?: string;
}

const crm = (action: string, writes = true): Bitrix24Method => ({ scope: 'crm', action, writes });
const sale = (action: string, writes = true): Bitrix24Method => ({ scope: 'sale', action, writes });
const paySystem = (action: string, writes = true): Bitrix24Method => ({ scope: 'pay_system', action, writes });

export const METHODS: Record<string, Bitrix24Method> = {
	'crm.item.payment.pay': crm('mark the payment as paid'),
	'crm.item.payment.unpay': crm('mark the payment as unpaid'),
	'crm.item.payment.delete': crm('delete the payment'),
	'crm.item.payment.add': crm('create the payment'),
	'crm.item.payment.get': crm('get the payment', false),
	'crm.item.payment.list': crm('list the payments', false),
	'crm.item.payment.update': crm('update the payment'),
	'salescenter.payment.getPublicUrl': { scope: 'salescenter', action: 'get the public payment link', writes: false },
	'crm.item.payment.product.add': crm('add the product to the payment'),
	'crm.item.payment.product.list': crm('list the products of the payment', false),
	'crm.item.payment.product.setQuantity': crm('change the product quantity'),
	'crm.item.payment.product.delete': crm('remove the product from the payment'),
	'crm.item.payment.delivery.add': crm('add the delivery to the payment'),
	'crm.item.payment.delivery.list': crm('list the deliveries of the payment', false),
	'crm.item.payment.delivery.setDelivery': crm('change the delivery'),
	'crm.item.payment.delivery.delete': crm('remove the delivery from the payment'),
	'sale.payment.add': sale('create the order payment'),
	'sale.payment.get': sale('get the order payment', false),
	'sale.payment.list': { ...sale('list the order payments', false), pageRows: 'payments' },
	'sale.payment.update': sale('update the order payment'),
	'sale.payment.delete': sale('delete the order payment'),
	'sale.payment.getFields': sale('get the order payment fields', false),
	'sale.paysystem.pay.payment': paySystem('pay the payment through the pay system'),
	'sale.paysystem.pay.invoice': paySystem('pay the invoice through the pay system'),
	'sale.paysystem.list': paySystem('list the pay systems', false),
	'sale.paysystem.add': paySystem('create the pay system'),
	'sale.paysystem.update': paySystem('update the pay system'),
	'sale.paysystem.delete': paySystem('delete the pay system'),
	'sale.paysystem.settings.get': paySystem('get the pay system settings', false),
	'sale.paysystem.settings.update': paySystem('update the pay system settings'),
	'sale.paysystem.settings.payment.get': paySystem('get the pay system settings of the payment', false),
	'sale.paysystem.handler.add': paySystem('create the pay system handler'),
	'sale.paysystem.handler.list': paySystem('list the pay system handlers', false),
	'sale.paysystem.handler.update': paySystem('update the pay system handler'),
	'sale.paysystem.handler.delete': paySystem('delete the pay system handler'),
	// The trigger's subscriptions (only sale events are bound). Binding what is bound and unbinding what is gone
	// change nothing, so they are safe to send again.
	'event.bind': sale('subscribe the trigger to the payment events', false),
	'event.unbind': sale('unsubscribe the trigger from the payment events', false),
	'event.get': sale("check the trigger's subscriptions", false),
};

export function describeMethod(name: string): Bitrix24Method & { name: string } {
	const key = Object.keys(METHODS).find((method) => method.toLowerCase() === name.toLowerCase());
	return { name, ...(key ? METHODS[key] : { scope: 'crm', action: `call ${name}`, writes: true }) };
}
