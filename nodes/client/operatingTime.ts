/**
 * When each method's operating-time budget frees up again, per portal, in local time: read from the `time` block
 * of every answer (a plain call's, or each command's `result_time` in a batch), used to wait out an
 * OPERATION_TIME_LIMIT refusal.
 */
const operatingResets = new Map<string, number>();

function key(portal: string, method: string) {
	return `${portal}|${method.toLowerCase()}`;
}

/** Records `time.operating_reset_at`, shifted by the portal's clock offset (`time.finish` against ours). */
export function noteOperatingTime(portal: string, method: string, time: unknown): void {
	if (time === null || typeof time !== 'object') return;
	const { operating_reset_at: resetAt, finish } = time as { operating_reset_at?: unknown; finish?: unknown };
	if (typeof resetAt !== 'number') return;
	const offset = typeof finish === 'number' ? Date.now() - finish * 1000 : 0;
	operatingResets.set(key(portal, method), resetAt * 1000 + offset);
}

/** When the portal will accept this method again, if it ever told us. */
export function operatingResetAt(portal: string, method: string): number | undefined {
	return operatingResets.get(key(portal, method));
}
