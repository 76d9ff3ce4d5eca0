import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, PostReceiveAction } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Bitrix24ApiError } from './errors';
import { callBitrix24, callIds, toItems } from './transport';

/** Output for methods whose result is a bare `true`: what was done, and to which ids. */
export function confirm(flag: 'success' | 'deleted'): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
		return items.map((item) => {
			if (item.json.result !== true) {
				throw new NodeOperationError(this.getNode(), `Bitrix24 answered ${JSON.stringify(item.json.result)} instead of true`, {
					itemIndex: this.getItemIndex(),
					description: 'The portal did not confirm the change; check it in Bitrix24.',
				});
			}
			return { json: { [flag]: true, ...callIds(this) }, pairedItem: { item: this.getItemIndex() } };
		});
	};
}

/** Output for `add` methods, whose result is the new id: the id, with what it was created for. */
export const created: PostReceiveAction = async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
	return items.map((item) => ({ json: { id: item.json.result, ...callIds(this) }, pairedItem: { item: this.getItemIndex() } }));
};

/** Output for results that wrap the object or list in a property (`{payment: {...}}`, `{payments: [...]}`). */
export function unwrapProperty(property: string): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
		return items.flatMap((item) => toItems(this, item.json[property] ?? item.json));
	};
}

/** With "Simplify" on, only the fields people use; the order payment alone has 44. */
export function simplify(fields: string[]): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
		const wanted = this.getNodeParameter('simplify', this.getNodeParameter('options.simplify', false)) as boolean;
		if (!wanted) return items;
		return items.map((item) => ({
			...item,
			json: Object.fromEntries(fields.filter((field) => field in item.json).map((field) => [field, item.json[field]])) as IDataObject,
		}));
	};
}

/**
 * "Confirm Paid": sale.paysystem.pay.payment answers true even when its later save failed (the portal only
 * logs it), so the payment is read back and the item fails if it is not paid.
 */
export const confirmPaid: PostReceiveAction = async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
	if (!(this.getNodeParameter('options.confirmPaid', false) as boolean)) return items;
	const { paymentId } = callIds(this);
	const result = (await callBitrix24(this, 'sale.payment.get', { id: paymentId })) as IDataObject;
	const payment = (result?.payment ?? {}) as IDataObject;
	if (payment.paid !== 'Y') {
		throw new Bitrix24ApiError(this.getNode(), { error: 'NOT_PAID', error_description: 'paid is not Y after pay.payment' }, {
			message: `Bitrix24 confirmed the payment but payment ${String(paymentId)} is still not paid`,
			description:
				"The pay system's handler accepted the payment, but the portal did not save it as paid (Bitrix24 only logs such failures). Check the payment and the portal's event log before paying it again.",
			itemIndex: this.getItemIndex(),
			httpCode: 'none',
		});
	}
	return items.map((item) => ({ ...item, json: { ...item.json, paid: true } }));
};

/** The payment link's QR code, as an image to send or store, besides the link itself. */
export const qrCodeImage: PostReceiveAction = async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]) {
	const { paymentId } = callIds(this);
	const property = this.getNodeParameter('options.binaryPropertyName', 'data') as string;
	return await Promise.all(
		items.map(async (item) => {
			const link = (item.json.payment ?? item.json) as IDataObject;
			const json = { paymentId, url: link.url, shortUrl: link.shortUrl, qr: link.qr } as IDataObject;
			if (typeof link.qr !== 'string' || !link.qr) return { json, pairedItem: item.pairedItem };
			const image = Buffer.from(link.qr.replace(/^data:image\/\w+;base64,/, ''), 'base64');
			const binary = { [property]: await this.helpers.prepareBinaryData(image, `payment-${String(paymentId)}-qr.png`, 'image/png') };
			return { json, binary, pairedItem: item.pairedItem };
		}),
	);
};
