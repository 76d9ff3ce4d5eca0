import { resourceProperties } from '../../shared/describe';
import { payPayment } from './payPayment';

/** Pay systems (`sale.paysystem.*`): paying a payment as a payment service would. */
export const paySystemProperties = resourceProperties('paySystem', [payPayment], 'payPayment');
