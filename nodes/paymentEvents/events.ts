import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * The payment events, the one table both triggers read: what the user picks, the Bitrix24 event it listens to,
 * which event of Bitrix24 starts a run, what the item carries, and where it can be had. A new event is a row here
 * (the emulator sends its Bitrix24 event: test/emulator/events.ts).
 */
export type TriggerMode =
	/** Bitrix24 Payments Trigger: the portal calls n8n. */
	| 'instant'
	/** Bitrix24 Payments Polling Trigger with an app: the portal's offline event queue. */
	| 'offlineQueue'
	/** Bitrix24 Payments Polling Trigger with an inbound webhook: no events, the payments paid since the last look. */
	| 'paidByDate';

export interface TriggerEvent {
	option: INodePropertyOptions & { value: string };
	/** The Bitrix24 event code, as the portal sends it (upper case). */
	bitrix24: 'ONPAYMENTENTITYSAVED' | 'ONPAYMENTDELETED';
	/** Which of its Bitrix24 events start a run: every one, or one whose payment has just become paid. */
	startsOn: 'everyEvent' | 'becamePaid';
	/** The item's `payment`: read from the portal as it is now, or none (a deleted payment is gone). */
	payment: 'read' | 'none';
	modes: TriggerMode[];
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
		startsOn: 'becamePaid',
		payment: 'read',
		modes: ['instant', 'offlineQueue', 'paidByDate'],
	},
	{
		option: {
			name: 'Payment Saved',
			value: 'ONPAYMENTENTITYSAVED',
			description: 'Any change of a payment: created, edited, paid or unpaid (Bitrix24 event OnPaymentEntitySaved)',
		},
		bitrix24: 'ONPAYMENTENTITYSAVED',
		startsOn: 'everyEvent',
		payment: 'read',
		modes: ['instant', 'offlineQueue'],
	},
	{
		option: {
			name: 'Payment Deleted',
			value: 'ONPAYMENTDELETED',
			description: 'A payment was deleted (Bitrix24 event OnPaymentDeleted)',
		},
		bitrix24: 'ONPAYMENTDELETED',
		startsOn: 'everyEvent',
		payment: 'none',
		modes: ['instant', 'offlineQueue'],
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

/** The events a mode offers. */
export function eventsOf(mode: TriggerMode): TriggerEvent[] {
	return TRIGGER_EVENTS.filter((event) => event.modes.includes(mode));
}

/** Whether an event of Bitrix24 needs its payment read (a deleted one is gone). */
export function readsPayment(bitrix24: string): boolean {
	return TRIGGER_EVENTS.some((event) => event.bitrix24 === bitrix24 && event.payment === 'read');
}

/** Whether a Bitrix24 event starts a run for the chosen events; `becamePaid`: its payment has just become paid. */
export function startsRun(chosen: string[], bitrix24: string, becamePaid: boolean): boolean {
	return TRIGGER_EVENTS.some(
		(event) =>
			chosen.includes(event.option.value) && event.bitrix24 === bitrix24 && (event.startsOn === 'everyEvent' || becamePaid),
	);
}
