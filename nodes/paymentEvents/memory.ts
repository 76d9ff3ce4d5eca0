import type { IDataObject } from 'n8n-workflow';

/** What a trigger remembers between events and looks (paymentEvents/paidChanges.ts). */
export interface TriggerMemory {
	/** The changes to paid it has told (`paymentId@instant paid`), with when each was told. */
	told: Map<string, number>;
	/** Per payment id: when it was last seen unpaid. */
	unpaid: Map<string, number>;
	/** The static data of the requests that n8n may still save (weak: n8n drops a copy once its request is done). */
	copies: Set<WeakRef<IDataObject>>;
}

/**
 * Everything the triggers keep in an n8n process between events and looks. Per process: in n8n's queue mode
 * every worker and webhook process has its own (docs/queue-mode.md says what that means for the triggers).
 */
export const triggerMemory = {
	/** Per trigger (workflow, node, mode): the changes to paid it has told. */
	paidChanges: new Map<string, TriggerMemory>(),
	/** Per portal: what its plan lets the offline queue use (reservations, source keys), asked once per process. */
	queuePlans: new Map<string, { reservations: boolean; sourceKeys: boolean }>(),
	/** The polling triggers' activations (n8n's poll functions, one per activation) that have looked already. */
	activationsLooked: new WeakSet<object>(),
};

/** Forgets everything: a process that starts afresh (tests). */
export function resetTriggerMemory(): void {
	triggerMemory.paidChanges.clear();
	triggerMemory.queuePlans.clear();
	triggerMemory.activationsLooked = new WeakSet();
}
