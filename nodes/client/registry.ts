import type { Reading } from './answer';
import type { Call } from './call';

/** Our copy of a portal's request bucket: requests sent and not yet drained, as of `at` (ms), and our share of it. */
export interface BucketState {
	level: number;
	at: number;
	/** The part of the portal's rate and burst this process takes (1: all of it; less once others were found). */
	share: number;
	/** When the share was last halved. */
	halvedAt: number;
	/** The requests waiting for a place, in the order they asked, and whether they are being let go. */
	waiting: Array<() => void>;
	releasing: boolean;
	/** Requests sent and not answered yet, and how many may be (grows with each answer, halves with a refusal). */
	inFlight: number;
	window: number;
	/** Wakes the release loop when an answer frees a place in the window. */
	wake?: () => void;
}

/** The calls of one node run that are being gathered into batch requests (batch.ts). */
export interface Gathering {
	seats: Array<Promise<{ call: Call; answer: (reading: Reading) => void } | undefined>>;
	/** Whether a seat was taken in the current turn of the event loop. */
	joined: boolean;
}

/**
 * Everything the client keeps in an n8n process from one call to the next, in one place (the triggers keep
 * theirs in paymentEvents/memory.ts). The rest of the package holds nothing module-level but constant tables.
 * All of it is per process: in n8n's queue mode every worker and webhook process has its own.
 */
export const registry = {
	/** Per portal host: our copy of its request bucket, which all items, nodes and executions of the process share. */
	buckets: new Map<string, BucketState>(),
	/** Per portal and method (`portal|method`): when its operating-time budget frees up, in local ms. */
	operatingResets: new Map<string, number>(),
	/** Per portal: the request that is refreshing an expired OAuth2 token now; the others wait for it. */
	refreshing: new Map<string, Promise<unknown>>(),
	/** Per node run (execution and node): the batch its calls are gathering into. Lives one turn of the event loop. */
	gatherings: new Map<string, Gathering>(),
};

/** Forgets everything: a process that starts afresh (tests). */
export function resetRegistry(): void {
	for (const held of Object.values(registry)) held.clear();
}
