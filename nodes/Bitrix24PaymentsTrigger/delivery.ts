import type { IDataObject } from 'n8n-workflow';

import { formField, postedId, postedText } from '../portalPost';

/** What a Bitrix24 event delivery says, read from its form body; nothing in it is trusted but the payment id. */
export interface Delivery {
	/** The event code as sent (upper case): ONPAYMENTENTITYSAVED, ONPAYMENTDELETED. */
	event: string;
	/** `data[FIELDS][ID]`, when it is a positive whole number. */
	paymentId?: number;
	/** `ts`: when the portal queued the event (unix seconds). */
	ts?: number;
	domain: string;
	memberId: string;
	applicationToken: string;
}

export function readDelivery(body: unknown): Delivery {
	const data = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
	return {
		event: postedText(formField(data, 'event')).toUpperCase(),
		paymentId: postedId(formField(data, 'data', 'FIELDS', 'ID')),
		ts: postedId(formField(data, 'ts')),
		domain: postedText(formField(data, 'auth', 'domain')),
		memberId: postedText(formField(data, 'auth', 'member_id')),
		applicationToken: postedText(formField(data, 'auth', 'application_token')),
	};
}
