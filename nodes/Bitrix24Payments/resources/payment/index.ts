import { resourceProperties } from '../../shared/describe';
import { deletePayment } from './delete';
import { pay } from './pay';
import { unpay } from './unpay';

/** CRM payments: the payments of deals and invoices (`crm.item.payment.*`). */
export const paymentProperties = resourceProperties('payment', [pay, unpay, deletePayment], 'pay');
