import type { IDataObject } from 'n8n-workflow';

/**
 * Which payments a trigger has seen paid, so that "Payment Paid" fires once per change to paid. Kept in memory
 * for the process (every event of a workflow sees the same) and in the workflow's static data (n8n saves it
 * after each event), which carries it over restarts. Two events of one payment handled at once cannot both fire:
 * `record` compares and writes in one synchronous step, after the read of the payment.
 */
const known = new Map<string, Map<number, boolean>>();
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
	}

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
	 * Writes the whole set each time: n8n saves a request's static data as a whole, so a copy that lacked an
	 * entry another event added meanwhile would otherwise remove it.
	 */
	private save() {
		const paid: IDataObject = {};
		for (const [id, isPaid] of this.seen) if (isPaid) paid[id] = true;
		this.staticData.paidPayments = paid;
	}
}
