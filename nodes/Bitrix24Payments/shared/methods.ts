/**
 * The Bitrix24 REST methods the node calls, with the scope each needs and, in plain words, what it does.
 * Errors quote `action` ("Bitrix24 could not mark the payment as paid: ...") and `scope` in their hints.
 */
export interface Bitrix24Method {
	scope: 'crm' | 'sale' | 'pay_system' | 'salescenter';
	action: string;
	/** Whether calling it twice could change data twice: decides what is safe to retry. */
	writes: boolean;
}

export const METHODS = {
	'crm.item.payment.pay': { scope: 'crm', action: 'mark the payment as paid', writes: true },
	'crm.item.payment.unpay': { scope: 'crm', action: 'mark the payment as unpaid', writes: true },
	'crm.item.payment.delete': { scope: 'crm', action: 'delete the payment', writes: true },
	'sale.payment.update': { scope: 'sale', action: 'update the order payment', writes: true },
	'sale.paysystem.pay.payment': {
		scope: 'pay_system',
		action: 'pay the payment through the pay system',
		writes: true,
	},
} satisfies Record<string, Bitrix24Method>;

export type Bitrix24MethodName = keyof typeof METHODS;

export function describeMethod(name: string): Bitrix24Method & { name: string } {
	const known = (METHODS as Record<string, Bitrix24Method>)[name.toLowerCase()];
	return { name, ...(known ?? { scope: 'crm', action: `call ${name}`, writes: true }) };
}
