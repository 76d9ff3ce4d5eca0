// Method registry: lowercased method name -> handler. Anything else is ERROR_METHOD_NOT_FOUND.

import { commonMethods } from './common';
import type { MethodDef } from './context';
import { crmPaymentMethods } from './crm-payment';
import { crmPaymentItemMethods } from './crm-payment-items';
import { eventMethods } from './events';
import { offlineEventMethods } from './offline';
import { paySystemMethods } from './paysystem';
import { personTypeMethods } from './persontype';
import { salePaymentMethods } from './sale-payment';
import { salescenterMethods } from './salescenter';

export type { CallContext, Caller, MethodDef } from './context';
export { PagedResult } from './context';
export { PAYMENT_EVENTS } from './events';

export const METHODS: Record<string, MethodDef> = {
	...commonMethods,
	...crmPaymentMethods,
	...crmPaymentItemMethods,
	...salescenterMethods,
	...salePaymentMethods,
	...paySystemMethods,
	...personTypeMethods,
	...eventMethods,
	...offlineEventMethods,
};
