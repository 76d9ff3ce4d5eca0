import type { INodePropertyOptions } from 'n8n-workflow';

/** The trigger's events: what the user picks, and the Bitrix24 event each one listens to. */
export interface TriggerEvent {
	option: INodePropertyOptions & { value: string };
	/** The Bitrix24 event code, as the portal sends it (upper case). */
	bitrix24: 'ONPAYMENTENTITYSAVED' | 'ONPAYMENTDELETED';
	/** Whether the payment is read from the portal (it is gone once deleted). */
	reads: boolean;
}

export const TRIGGER_EVENTS: TriggerEvent[] = [
	{
		option: {
			name: 'Payment Paid',
			value: 'paymentPaid',
			description: 'A payment has just become paid: once per change to paid, whatever marked it paid',
			builderHint: { propertyHint: 'Use this for "when a payment is paid"; Payment Saved also fires on every edit of a payment' },
		},
		bitrix24: 'ONPAYMENTENTITYSAVED',
		reads: true,
	},
	{
		option: {
			name: 'Payment Saved',
			value: 'ONPAYMENTENTITYSAVED',
			description: 'Any change of a payment: created, edited, paid or unpaid (Bitrix24 event OnPaymentEntitySaved)',
		},
		bitrix24: 'ONPAYMENTENTITYSAVED',
		reads: true,
	},
	{
		option: {
			name: 'Payment Deleted',
			value: 'ONPAYMENTDELETED',
			description: 'A payment was deleted (Bitrix24 event OnPaymentDeleted)',
		},
		bitrix24: 'ONPAYMENTDELETED',
		reads: false,
	},
];

/**
 * The canvas subtitle of both triggers: the chosen events by the names the list shows ("Payment Paid"), not their
 * values. One flat map: a nested object literal would put `}}` inside the expression, which ends it.
 */
export const EVENTS_SUBTITLE = `={{ $parameter["events"].map((event) => (${JSON.stringify(
	Object.fromEntries(TRIGGER_EVENTS.map((event) => [event.option.value, event.option.name])),
)})[event] || event).join(", ") }}`;

/** The Bitrix24 events that the chosen trigger events need, each once. */
export function bitrix24EventsOf(chosen: string[]): Array<TriggerEvent['bitrix24']> {
	return [...new Set(TRIGGER_EVENTS.filter((event) => chosen.includes(event.option.value)).map((event) => event.bitrix24))];
}
