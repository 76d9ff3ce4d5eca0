// The portal's two REST limits (b24restdocs limits.md) and the faults a test can inject.

import { RestError } from './errors';

export interface BucketSettings {
	/** Requests the counter drains per second (Standard 2, Enterprise 5). */
	rate: number;
	/** Counter value above which requests are refused (Standard 50, Enterprise 250). */
	burst: number;
}

export const STANDARD_BUCKET: BucketSettings = { rate: 2, burst: 50 };

/** One counter per portal, shared by every app and webhook: +1 per request, drains at `rate`. */
export class LeakyBucket {
	private level = 0;
	private at = 0;
	/** How many requests it refused since the last reset. */
	refused = 0;

	take(settings: BucketSettings, nowMs: number): void {
		this.level = Math.max(0, this.level - ((nowMs - this.at) / 1000) * settings.rate);
		this.at = nowMs;
		if (this.level + 1 > settings.burst) {
			this.refused++;
			throw new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
		}
		this.level += 1;
	}
}

export interface OperatingSettings {
	/** Seconds of processing a method may use per app/webhook within the window (cloud: about 480). */
	limit: number;
	/** The sliding window in seconds (the portal: 600, ten one-minute buckets). Tests shrink it. */
	window: number;
}

/**
 * Operating time per app/webhook and method. A method that used up its budget answers 429 until its oldest
 * usage leaves the window; successful answers report `operating` and `operating_reset_at` in `time`.
 */
export class OperatingClock {
	private usage = new Map<string, Array<{ at: number; seconds: number }>>();

	private current(key: string, settings: OperatingSettings, now: number) {
		const entries = (this.usage.get(key) ?? []).filter((e) => e.at > now - settings.window);
		this.usage.set(key, entries);
		return entries;
	}

	check(key: string, settings: OperatingSettings, now: number): void {
		const used = this.current(key, settings, now).reduce((sum, e) => sum + e.seconds, 0);
		if (used >= settings.limit) {
			throw new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
		}
	}

	record(key: string, settings: OperatingSettings, now: number, seconds: number): { operating: number; resetAt: number } {
		const entries = this.current(key, settings, now);
		entries.push({ at: now, seconds });
		const operating = entries.reduce((sum, e) => sum + e.seconds, 0);
		return { operating, resetAt: Math.ceil(entries[0].at + settings.window) };
	}

	clear(): void {
		this.usage.clear();
	}
}

/**
 * A fault a test injects: what the next matching request meets. `afterRun` faults let the method run (and
 * change state) first, as when a portal or proxy fails after the write: that is what makes a write ambiguous.
 */
export type FaultKind =
	| 'queryLimit' // 503 QUERY_LIMIT_EXCEEDED, refused before running
	| 'operationTimeLimit' // 429 OPERATION_TIME_LIMIT, refused before running
	| 'overload' // 401 OVERLOAD_LIMIT
	| 'serverError' // 500 INTERNAL_SERVER_ERROR
	| 'badGateway' // 502 HTML page from a proxy
	| 'htmlPage' // 200 HTML page (a login or maintenance page)
	| 'emptyBody' // 200 with no body
	| 'moved' // 302 to the same path on another host (a portal whose address changed)
	| 'reset' // the connection is closed without an answer
	| 'slow' // the method runs at once, its answer comes after `delayMs`
	| 'late'; // the method runs after `delayMs` (the portal still busy when the client gave up), then answers

export interface Fault {
	kind: FaultKind;
	/**
	 * REST method it applies to (lower case or not); all methods when absent. Inside a batch only the four
	 * JSON error kinds can hit a command named here; "batch" and absent ones hit the outer request.
	 */
	method?: string;
	/** Run the method before failing (state changes); default false. */
	afterRun?: boolean;
	/** How many requests it hits; default 1. */
	times?: number;
	/** For `slow` and `late`. */
	delayMs?: number;
}

/** The error body a fault of a JSON kind answers, as a plain request's answer or a batch command's result_error. */
export function faultError(kind: FaultKind): RestError | undefined {
	switch (kind) {
		case 'queryLimit':
			return new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
		case 'operationTimeLimit':
			return new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
		case 'overload':
			// An OAuthException, like every refusal of the auth step: 401 (b24restdocs _includes/system-errors.md).
			return new RestError(401, 'OVERLOAD_LIMIT', 'REST API is blocked due to overload.');
		case 'serverError':
			return new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
		default:
			return undefined; // transport faults: no JSON answer
	}
}
