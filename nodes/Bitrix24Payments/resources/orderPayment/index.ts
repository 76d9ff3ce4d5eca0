import { resourceProperties } from '../../shared/describe';
import { update } from './update';

/** Order payments: the payments of online store orders (`sale.payment.*`). */
export const orderPaymentProperties = resourceProperties('orderPayment', [update], 'update');
