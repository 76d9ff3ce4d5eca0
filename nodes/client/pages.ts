import type { IDataObject } from 'n8n-workflow';

import type { Success } from './answer';
import type { Seat } from './batch';
import { nextSeat } from './batch';
import type { Call } from './call';
import { followingCall } from './call';
import { request } from './request';

/**
 * Lists served in pages (sale.payment.list): the first page tells how many rows there are (`total`) and where
 * the next page starts (`next`); the pages the Limit still needs are then asked for all at once, so that they go
 * out together in batch requests of 50 pages. With batching off, page after page as the portal links them.
 * Rows are sorted by id after the user's sort, so that pages read in separate queries neither skip nor repeat a
 * row that ties with another; a row seen twice anyway (one added meanwhile shifts the pages) is kept once.
 */
export async function readPages(call: Call, rowsKey: string, limit: number, seat?: Seat): Promise<IDataObject> {
	call.params = { ...call.params, order: withIdLast(call.params.order), start: 0 };
	const first = await request(call, seat);
	const pages = [first];
	const step = first.next;
	if (step !== undefined && step > 0 && rowsOf(first, rowsKey).length < limit) {
		if (call.batchKey && first.total !== undefined) {
			const starts: number[] = [];
			for (let start = step; start < Math.min(first.total, limit); start += step) starts.push(start);
			pages.push(...(await Promise.all(starts.map(async (start) => await page(call, start, true)))));
		} else {
			let next: number | undefined = step;
			while (next !== undefined && pages.reduce((count, p) => count + rowsOf(p, rowsKey).length, 0) < limit) {
				const more = await page(call, next, false);
				pages.push(more);
				next = more.next;
			}
		}
	}
	return { [rowsKey]: distinct(pages.flatMap((p) => rowsOf(p, rowsKey))).slice(0, limit) };
}

async function page(call: Call, start: number, batched: boolean): Promise<Success> {
	const pageCall = followingCall(call, call.method, { ...call.params, start });
	// Seats are taken before the first await, so that all pages share the same batches.
	return await request(pageCall, batched ? nextSeat(call.batchKey) : undefined);
}

function rowsOf(page: Success, rowsKey: string): IDataObject[] {
	const rows = (page.result as IDataObject | undefined)?.[rowsKey];
	return Array.isArray(rows) ? (rows as IDataObject[]) : [];
}

function withIdLast(order: unknown): IDataObject {
	const sort = order !== null && typeof order === 'object' ? { ...(order as IDataObject) } : {};
	if (!Object.keys(sort).some((field) => field.toLowerCase() === 'id')) sort.id = 'ASC';
	return sort;
}

function distinct(rows: IDataObject[]): IDataObject[] {
	const seen = new Set<unknown>();
	return rows.filter((row) => {
		if (row.id === undefined) return true;
		if (seen.has(row.id)) return false;
		seen.add(row.id);
		return true;
	});
}
