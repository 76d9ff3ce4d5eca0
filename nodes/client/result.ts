import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { bitrix24ApiError } from './errors';
import type { Reading } from './answer';
import type { Call } from './call';
import { describedCall } from './call';

/**
 * Stage 6, item result: a failure becomes the item's error (n8n's own verdicts pass as they are; ours say what
 * failed, how to fix it, and what the retries did), a result becomes the item's output without Bitrix24's
 * envelope: an object as one item, a list as one item each, anything else as `{result}`.
 */
export function failureError(call: Call, failure: Extract<Reading, { ok: false }>, note: string): Error {
	if (failure.n8nError) return failure.n8nError;
	return bitrix24ApiError(call.context.getNode(), failure.failure, describedCall(call), note);
}

export function toItems(result: unknown, itemIndex: number): INodeExecutionData[] {
	const pairedItem = { item: itemIndex };
	if (Array.isArray(result)) return result.map((json) => ({ json: json as IDataObject, pairedItem }));
	const json = result !== null && typeof result === 'object' ? (result as IDataObject) : { result };
	return [{ json: json as IDataObject, pairedItem }];
}
