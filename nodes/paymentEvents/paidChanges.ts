import type { IDataObject } from 'n8n-workflow';

import type { TriggerMemory } from './memory';
import { triggerMemory } from './memory';

/**
 * Which changes to paid a trigger has told, so that "Payment Paid" starts one run per change. A change is a payment
 * with its `datePaid`: a later save of a paid payment is no change; marked unpaid and paid again is a new one
 * (Bitrix24 stamps a new date, and a payment seen unpaid since counts as changed even when the second is the same).
 * Kept in the node's static data, which n8n saves whenever the trigger starts a run, so it holds over restarts.
 *
 * What is kept only grows (each entry keeps its latest time) and is pruned by age, and what a process holds is merged
 * with what it loads, never put in its place: n8n saves a request's copy of the static data whole, and copies need
 * not be saved in the order of the events, so every copy n8n may still save gets every entry.
 */

/** How long a told change is remembered; a paid payment whose `datePaid` is older is taken as told long ago. */
export const REMEMBERED_FOR_MS = 30 * 24 * 3600 * 1000;

/** As saved in the static data: told changes (`1038@1716197522000`: payment and instant paid) and unpaid sightings. */
interface Saved {
	told?: Record<string, number>;
	unpaid?: Record<string, number>;
}

/** The instant a payment was paid (the date's text can differ in offset), if it has one. */
function paidAt(datePaid: unknown): number | undefined {
	const at = typeof datePaid === 'string' && datePaid !== '' ? Date.parse(datePaid) : NaN;
	return Number.isFinite(at) ? at : undefined;
}

/** Later wins: the union of two views of the same entries. */
function merge(into: Map<string, number>, from: Record<string, number> | undefined) {
	for (const [key, at] of Object.entries(from ?? {})) if (!(into.get(key)! >= at)) into.set(key, at);
}

export class PaidChanges {
	private readonly memory: TriggerMemory;

	/** `trigger` names it (workflow, node, mode); `staticData` is this request's or look's copy of its static data. */
	constructor(
		trigger: string,
		private readonly staticData: IDataObject,
	) {
		let memory = triggerMemory.paidChanges.get(trigger);
		if (!memory) {
			memory = { told: new Map(), unpaid: new Map(), copies: new Set() };
			triggerMemory.paidChanges.set(trigger, memory);
		}
		// What was saved (by this process before a restart, or by another process) joins what this one holds.
		const saved = (staticData.paidChanges ?? {}) as Saved;
		merge(memory.told, saved.told);
		merge(memory.unpaid, saved.unpaid);
		memory.copies.add(new WeakRef(staticData));
		this.memory = memory;
	}

	/** The latest time an entry of this payment was told. */
	private lastTold(paymentId: number): number {
		let last = 0;
		for (const [key, at] of this.memory.told) if (key.startsWith(`${paymentId}@`) && at > last) last = at;
		return last;
	}

	/**
	 * Whether the payment, as the portal has it now, is a change to paid not told yet; records what it saw. A payment
	 * paid before `oldest` (default: what is remembered) counts as told: it changed before anything here could see it.
	 */
	tell(payment: IDataObject, oldest = Date.now() - REMEMBERED_FOR_MS): boolean {
		const fresh = this.isNewChange(payment, oldest);
		if (fresh) this.markTold(payment, oldest);
		return fresh;
	}

	/**
	 * As `tell`, but a new change to paid is not recorded yet (an unpaid sighting is): `markTold` records it once its
	 * run has started, so that a run that never started is told again.
	 */
	isNewChange(payment: IDataObject, oldest = Date.now() - REMEMBERED_FOR_MS): boolean {
		const id = Number(payment.id);
		if (payment.paid !== 'Y') {
			// Strictly after anything told of it, so that paying it again counts even within the same millisecond.
			this.memory.unpaid.set(String(id), Math.max(Date.now(), this.lastTold(id) + 1));
			this.save(oldest);
			return false;
		}
		const at = paidAt(payment.datePaid);
		if (at !== undefined && at < oldest) return false;
		const told = this.memory.told.get(`${id}@${at ?? ''}`);
		const unpaid = this.memory.unpaid.get(String(id)) ?? 0;
		return told === undefined || unpaid > told;
	}

	/** Records a change to paid as told. */
	markTold(payment: IDataObject, oldest = Date.now() - REMEMBERED_FOR_MS): void {
		const id = Number(payment.id);
		const unpaid = this.memory.unpaid.get(String(id)) ?? 0;
		this.memory.told.set(`${id}@${paidAt(payment.datePaid) ?? ''}`, Math.max(Date.now(), unpaid + 1));
		this.save(oldest);
	}

	/** Forgets what is older than `oldest` and writes what is kept into every copy n8n may still save. */
	save(oldest = Date.now() - REMEMBERED_FOR_MS): void {
		for (const [key, toldAt] of this.memory.told) {
			// By when it was paid; a change without a date, by when it was told.
			const paid = key.slice(key.indexOf('@') + 1);
			if ((paid === '' ? toldAt : Number(paid)) < oldest) this.memory.told.delete(key);
		}
		for (const [id, seenAt] of this.memory.unpaid) if (seenAt < oldest) this.memory.unpaid.delete(id);
		const kept = (): Saved => ({ told: Object.fromEntries(this.memory.told), unpaid: Object.fromEntries(this.memory.unpaid) });
		this.staticData.paidChanges = kept() as IDataObject;
		for (const ref of this.memory.copies) {
			const copy = ref.deref();
			if (!copy) this.memory.copies.delete(ref);
			else if (copy !== this.staticData) copy.paidChanges = kept() as IDataObject;
		}
	}
}
