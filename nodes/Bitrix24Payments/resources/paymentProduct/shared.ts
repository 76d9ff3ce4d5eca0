import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idField } from '../../shared/fields';
import { InvalidValueError, toPositiveInteger } from '../../../validation';

// The product rows of a payment: which deal products it pays for, and how many (crm.item.payment.product.*).
export const paymentProductId = idField({
	name: 'paymentProductId',
	displayName: 'Payment Product ID',
	description: 'ID of the product row of the payment, as Get Many shows it',
});

/**
 * The portal declares `int $quantity` (crm Controller\Item\Payment\Product::addAction / setQuantityAction; the
 * docs say double): 1.5 would silently become 1 and 0.5 would become 0. So only whole numbers are sent.
 */
async function sendQuantity(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
	try {
		const value = toPositiveInteger(this.getNodeParameter('quantity'), 'Quantity');
		requestOptions.body = { ...((requestOptions.body as IDataObject) ?? {}), quantity: value };
	} catch (error) {
		const invalid = error instanceof InvalidValueError;
		throw new NodeOperationError(this.getNode(), invalid ? error.message : (error as Error), {
			itemIndex: this.getItemIndex(),
			description: invalid
				? 'Enter a whole number greater than 0: Bitrix24 reads the quantity of a payment product as a whole number and would drop a fraction.'
				: undefined,
		});
	}
	return requestOptions;
}

export const quantity: INodeProperties = {
	displayName: 'Quantity',
	name: 'quantity',
	type: 'number',
	required: true,
	typeOptions: { minValue: 1, numberPrecision: 0 },
	default: 1,
	description: 'How many of the product the payment covers, a whole number',
	routing: { send: { preSend: [sendQuantity] } },
};
