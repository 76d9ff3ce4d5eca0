import type { IDataObject } from 'n8n-workflow';
import { DateTime } from 'luxon';

import type { SettleRead, Settle } from '../../client/call';

/**
 * The reads that show what a write did, for operations to name in `settle` (nodes/client/settle.ts runs them when
 * a write's answer is lost). `expect` is what the write leaves: 'gone', or the values it sent as the read names them.
 */

export function crmPaymentShows(id: IDataObject[string], expect: SettleRead['expect']): SettleRead {
	return { method: 'crm.item.payment.get', params: { id }, expect, answer: 'true', what: `payment ${String(id)}` };
}

/** sale.payment.update answers the payment as saved: its read gives the same. */
export function orderPaymentShows(id: IDataObject[string], expect: SettleRead['expect'], answer: SettleRead['answer'] = 'true'): SettleRead {
	return { method: 'sale.payment.get', params: { id }, find: { key: 'payment' }, expect, answer, what: `order payment ${String(id)}` };
}

export function paySystemShows(id: IDataObject[string], expect: SettleRead['expect']): SettleRead {
	return {
		method: 'sale.paysystem.list',
		params: { FILTER: { ID: id } },
		find: { idKey: 'ID', id },
		expect,
		answer: 'true',
		what: `pay system ${String(id)}`,
	};
}

export function paySystemSettingsShow(id: IDataObject[string], personTypeId: IDataObject[string], settings: unknown): Settle {
	if (personTypeId === undefined || personTypeId === '') return { lookFor: `the settings of pay system ${String(id)}` };
	return {
		method: 'sale.paysystem.settings.get',
		params: { ID: id, PERSON_TYPE_ID: personTypeId },
		expect: (settings ?? {}) as IDataObject,
		answer: 'true',
		what: `the settings of pay system ${String(id)}`,
	};
}

/** handler.list takes no filter: the handler is found among all of them. */
export function handlerShows(id: IDataObject[string], expect: SettleRead['expect']): SettleRead {
	return { method: 'sale.paysystem.handler.list', params: {}, find: { idKey: 'ID', id }, expect, answer: 'true', what: `pay system handler ${String(id)}` };
}

/**
 * A product or delivery line of a payment, read among the payment's lines. Without its payment (an optional field of
 * the change) there is nothing to read it by.
 */
export function paymentLineShows(line: 'product' | 'delivery', lineId: IDataObject[string], paymentId: IDataObject[string], expect: IDataObject): Settle {
	const what = `payment ${line} ${String(lineId)}`;
	if (paymentId === undefined) {
		return lookFor(`${what} (fill in the Payment ID of the change to let the node read it back; Get Many of Payment ${line === 'product' ? 'Product' : 'Delivery'} lists the lines of a payment)`);
	}
	return { method: `crm.item.payment.${line}.list`, params: { paymentId }, find: { idKey: 'id', id: lineId }, expect, answer: 'true', what };
}

/** The fields a write sent that are plain values (nested settings are compared only where the read shows them alike). */
export function plainFields(fields: unknown): IDataObject {
	const entries = Object.entries((fields ?? {}) as IDataObject);
	return Object.fromEntries(entries.filter(([, value]) => value === null || typeof value !== 'object'));
}

/** What to look for in Bitrix24 when nothing can be read back: a create, or a line of a payment (no read by its ID). */
export function lookFor(what: string): Settle {
	return { lookFor: `${what} (the request was sent at ${DateTime.now().toISO({ suppressMilliseconds: true })})` };
}
