import type { IDataObject } from 'n8n-workflow';

/**
 * Which payments a trigger has seen paid, so that "Payment Paid" fires once per change to paid. Kept in memory
 * for the process (every event of a workflow sees the same) and in the workflow's static data (n8n saves it
 * after each event), which carries it over restarts. Two events of one payment handled at once cannot both fire:
 * `record` compares and writes in one synchronous step, after the read of the payment.
 */
const known = new Map<string, Map<number, boolean>>();
/**
 * The static data of the requests of each trigger that n8n may still save. n8n saves each request's copy whole
 * and the saves need not land in the order of the events, so every copy gets every entry: whichever is saved
 * last holds them all. Weak: n8n drops a copy once the request is done.
 */
const copies = new Map<string, Set<WeakRef<IDataObject>>>();
/** The paid payments of one trigger: `trigger` names it (workflow, node, mode), `staticData` is its static data. */
export class PaidPayments {
	private readonly seen: Map<number, boolean>;

	constructor(
		trigger: string,
		private readonly staticData: IDataObject,
	) {
		let seen = known.get(trigger);
		if (!seen) {
			seen = new Map();
			known.set(trigger, seen);
		}
		// What another process saved (or this one before a restart) and this one has not seen since.
		for (const id of Object.keys((staticData.paidPayments ?? {}) as IDataObject)) {
			if (!seen.has(Number(id))) seen.set(Number(id), true);
		}
		this.seen = seen;
		if (!copies.has(trigger)) copies.set(trigger, new Set());
		this.copies = copies.get(trigger)!;
		this.copies.add(new WeakRef(staticData));
	}

	private readonly copies: Set<WeakRef<IDataObject>>;

	/** Records what the portal said; true when the payment has just become paid. */
	record(paymentId: number, paid: boolean): boolean {
		const before = this.seen.get(paymentId) ?? false;
		this.seen.set(paymentId, paid);
		this.save();
		return paid && !before;
	}

	forget(paymentId: number): void {
		this.seen.delete(paymentId);
		this.save();
	}

	/**
	 * Writes the whole set into this request's static data and into every other copy n8n may still save: a copy
	 * that lacked an entry another event added meanwhile would otherwise remove it when saved after that one.
	 */
	private save() {
		const paid: IDataObject = {};
		for (const [id, isPaid] of this.seen) if (isPaid) paid[id] = true;
		this.staticData.paidPayments = paid;
		for (const ref of this.copies) {
			const copy = ref.deref();
			if (!copy) this.copies.delete(ref);
			else if (copy !== this.staticData) copy.paidPayments = { ...paid };
		}
	}
}
