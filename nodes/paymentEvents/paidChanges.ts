import type { IDataObject } from 'n8n-workflow';

import type { TriggerMemory } from '../client/registry';
import { registry } from '../client/registry';

/**
 * Which payments a trigger has seen paid, so that "Payment Paid" fires once per change to paid. Kept in the
 * process's registry (every event of a workflow sees the same) and in the workflow's static data (n8n saves it
 * after each event), which carries it over restarts. Two events of one payment handled at once cannot both fire:
 * `record` compares and writes in one synchronous step, after the read of the payment.
 *
 * n8n saves each request's copy of the static data whole, and the saves need not land in the order of the events,
 * so every copy n8n may still save gets every entry: whichever is saved last holds them all.
 */
export class PaidPayments {
	private readonly memory: TriggerMemory;

	/** `trigger` names it (workflow, node, mode), `staticData` is this request's copy of its static data. */
	constructor(
		trigger: string,
		private readonly staticData: IDataObject,
	) {
		let memory = registry.triggers.get(trigger);
		if (!memory) {
			memory = { seen: new Map(), copies: new Set() };
			registry.triggers.set(trigger, memory);
		}
		// What another process saved (or this one before a restart) and this one has not seen since.
		for (const id of Object.keys((staticData.paidPayments ?? {}) as IDataObject)) {
			if (!memory.seen.has(Number(id))) memory.seen.set(Number(id), true);
		}
		memory.copies.add(new WeakRef(staticData));
		this.memory = memory;
	}

	/** Records what the portal said; true when the payment has just become paid. */
	record(paymentId: number, paid: boolean): boolean {
		const before = this.memory.seen.get(paymentId) ?? false;
		this.memory.seen.set(paymentId, paid);
		this.save();
		return paid && !before;
	}

	forget(paymentId: number): void {
		this.memory.seen.delete(paymentId);
		this.save();
	}

	/**
	 * Writes the whole set into this request's static data and into every other copy n8n may still save: a copy
	 * that lacked an entry another event added meanwhile would otherwise remove it when saved after that one.
	 */
	private save() {
		const paid: IDataObject = {};
		for (const [id, isPaid] of this.memory.seen) if (isPaid) paid[id] = true;
		this.staticData.paidPayments = paid;
		for (const ref of this.memory.copies) {
			const copy = ref.deref();
			if (!copy) this.memory.copies.delete(ref);
			else if (copy !== this.staticData) copy.paidPayments = { ...paid };
		}
	}
}
