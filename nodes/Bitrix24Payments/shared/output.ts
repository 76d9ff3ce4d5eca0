import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Bitrix24ApiError, bitrix24ApiError } from '../../client/errors';
import { mainFieldsFirst } from '../../paymentFields';
import type { OutputStep, ReadBack } from '../../client/item';

/**
 * How results become output, after Bitrix24's envelope is gone (the runner has made an object one item and a list
 * one item each): the steps operations list, and the read-backs they may ask for.
 */

/** Output for methods whose result is a bare `true`: what was done, and to which ids. */
export function confirm(flag: 'success' | 'deleted'): OutputStep {
	return async function (items, call) {
		return items.map((item) => {
			// Older CRM modules answer false, with no error, for a missing payment or a right the user lacks.
			if (item.json.result === false) {
				throw bitrix24ApiError(this.getNode(), { status: 200, code: '', description: '', resultWithoutError: false }, call);
			}
			if (item.json.result !== true) {
				throw new NodeOperationError(this.getNode(), `Bitrix24 answered ${JSON.stringify(item.json.result)} instead of true`, {
					itemIndex: call.itemIndex,
					description: 'The portal did not confirm the change; check it in Bitrix24.',
				});
			}
			return { json: { [flag]: true, ...call.ids }, pairedItem: { item: call.itemIndex } };
		});
	};
}

/** Output for `add` methods, whose result is the new id: the id, with what it was created for. */
export const created: OutputStep = async function (items, call) {
	return items.map((item) => {
		// Older CRM modules answer null, with no error, to a line added to a payment that is missing or may not change.
		if (item.json.result === null || item.json.result === false) {
			throw bitrix24ApiError(this.getNode(), { status: 200, code: '', description: '', resultWithoutError: item.json.result }, call);
		}
		return { json: { id: item.json.result, ...call.ids }, pairedItem: { item: call.itemIndex } };
	});
};

/** Output for results that wrap the object or list in a property (`{payment: {...}}`, `{payments: [...]}`). */
export function unwrapProperty(property: string): OutputStep {
	return async function (items, call) {
		return items.flatMap((item) => {
			const inner = item.json[property] ?? item.json;
			const pairedItem = { item: call.itemIndex };
			return Array.isArray(inner) ? inner.map((json) => ({ json: json as IDataObject, pairedItem })) : [{ json: inner as IDataObject, pairedItem }];
		});
	};
}

/**
 * With "Simplify" on, only the main fields of an order payment (nodes/paymentFields.ts); without it, those fields
 * come first, then the rest as Bitrix24 sent them: n8n's table shows the first columns and hides the rest behind
 * "some columns are hidden".
 */
export function simplify(): OutputStep {
	return async function (items) {
		const wanted = this.getNodeParameter('simplify', this.getNodeParameter('options.simplify', false)) as boolean;
		return items.map((item) => ({ ...item, json: mainFieldsFirst(item.json, wanted) }));
	};
}

/**
 * "Confirm Paid": sale.paysystem.pay.payment answers true even when its later save failed (the portal only
 * logs it), so the payment is read back (in batches, for many items) and the item fails if it is not paid.
 */
export const confirmPaid: ReadBack = {
	wanted() {
		return this.getNodeParameter('options.confirmPaid', false) as boolean;
	},
	method: 'sale.payment.get',
	params: ({ paymentId }) => ({ id: paymentId }),
	check(read, items, call) {
		const payment = ((read as IDataObject | undefined)?.payment ?? {}) as IDataObject;
		if (payment.paid !== 'Y') {
			throw new Bitrix24ApiError(this.getNode(), { error: 'NOT_PAID', error_description: 'paid is not Y after pay.payment' }, {
				message: `Bitrix24 confirmed the payment but payment ${String(call.ids.paymentId)} is still not paid`,
				description:
					"The pay system's handler accepted the payment, but the portal did not save it as paid (Bitrix24 only logs such failures). Check the payment and the portal's event log before paying it again.",
				itemIndex: call.itemIndex,
				httpCode: 'none',
			});
		}
		return items.map((item) => ({ ...item, json: { ...item.json, paid: true } }));
	},
};

/** The payment link's QR code, as an image to send or store, besides the link itself. */
export const qrCodeImage: OutputStep = async function (items, call) {
	const { paymentId } = call.ids;
	const property = this.getNodeParameter('options.binaryPropertyName', 'data') as string;
	return await Promise.all(
		items.map(async (item): Promise<INodeExecutionData> => {
			const link = (item.json.payment ?? item.json) as IDataObject;
			const json = { paymentId, url: link.url, shortUrl: link.shortUrl, qr: link.qr } as IDataObject;
			if (typeof link.qr !== 'string' || !link.qr) return { json, pairedItem: item.pairedItem };
			const image = Buffer.from(link.qr.replace(/^data:image\/\w+;base64,/, ''), 'base64');
			const binary = { [property]: await this.helpers.prepareBinaryData(image, `payment-${String(paymentId)}-qr.png`, 'image/png') };
			return { json, binary, pairedItem: item.pairedItem };
		}),
	);
};
