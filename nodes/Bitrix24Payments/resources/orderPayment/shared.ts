import type { INodeProperties } from 'n8n-workflow';

import { idField } from '../../shared/fields';
import { simplify } from '../../shared/output';

/** The pay system of an order payment, picked from the portal's list. */
export const paySystemId = idField({
	name: 'paySystemId',
	displayName: 'Pay System',
	description: 'The pay system of the payment (the list offers those for orders); Bitrix24 requires it whenever a payment is written',
	searchListMethod: 'searchPaySystems',
});

export const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: false,
	description: 'Whether to return only the main fields of the payment instead of all 44',
};

/** What "Simplify" keeps of an order payment, and puts first without it. */
export const simplifyPayment = simplify();
