/**
 * How the demo shows a run to people: one line per request, command or item, picked fields instead of whole
 * objects, everything cut to the terminal's width. Pure functions of what the run recorded.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeProperties, INodeType } from 'n8n-workflow';

import type { PayableItem, SalePayment } from '../emulator/server';
import type { NodeRun, SentRequest } from '../helpers/workflow';

/** The terminal the report is made for: every line the demo prints fits in it. */
export const WIDTH = 100;

/** `text` cut to `width` characters, saying it was cut. */
export function fit(text: string, width = WIDTH): string {
	return text.length <= width ? text : `${text.slice(0, width - 3)}...`;
}

/** A value as it reads in a sentence: text quoted when it has spaces or is empty, long values cut. */
export function show(value: unknown, max = 40): string {
	if (value === null || value === undefined) return String(value);
	const text = typeof value === 'string' ? (/^\S+$/.test(value) ? value : JSON.stringify(value)) : JSON.stringify(value);
	return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/**
 * Parts joined into one line, as many as fit in `width` in their order; the others are counted at the end. A
 * part may come in a longer and a shorter form: the first that fits is taken.
 */
function fitParts(indent: string, head: string, parts: Array<string | string[]>, hidden: number, width: number): string {
	const count = (left: number) => (left ? ` (+${left} field${left === 1 ? '' : 's'})` : '');
	let line = `${indent}${head}`;
	let left = hidden;
	for (const [index, part] of parts.entries()) {
		const first = line.trim() === head;
		const separator = first && head === '' ? '' : first && head.endsWith(':') ? ' ' : ', ';
		// Room for the count of what may yet be left out: this part's followers at most.
		const room = width - count(left + parts.length - index - 1).length;
		const form = (Array.isArray(part) ? part : [part]).find((text) => `${line}${separator}${text}`.length <= room);
		if (form === undefined) left++;
		else line = `${line}${separator}${form}`;
	}
	return `${line}${count(left)}`;
}

/** "CRM Payment > Mark as Paid": the node's resource and operation as the n8n editor names them. */
export function operationLabel(nodeType: INodeType, parameters: INodeParameters): string {
	const { properties } = nodeType.description;
	const resource = properties.find((property) => property.name === 'resource');
	const operation = properties.find(
		(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(parameters.resource as string),
	);
	const name = (property: INodeProperties | undefined, value: unknown) =>
		property?.options?.find((option) => 'value' in option && option.value === value)?.name ?? String(value);
	return `${name(resource, parameters.resource)} > ${name(operation, parameters.operation)}`;
}

/** Parameters as `id=1038 fields{paid=Y comments="Paid through n8n"}`, the id first. */
function params(value: IDataObject): string {
	const isId = (key: string) => /^(id|payment_?id)$/i.test(key);
	const keys = Object.keys(value);
	return [...keys.filter(isId), ...keys.filter((key) => !isId(key))]
		.map((key) => {
			const inner = value[key];
			return inner !== null && typeof inner === 'object' ? `${key}{${params(inner as IDataObject)}}` : `${key}=${show(inner)}`;
		})
		.join(' ');
}

/** A batch command `method?query` (PHP brackets) as its method and its parameters. */
function parseCommand(text: string): { method: string; params: IDataObject } {
	const [method, query = ''] = text.split('?', 2);
	const result: IDataObject = {};
	for (const pair of query === '' ? [] : query.split('&')) {
		const [name, value = ''] = pair.split('=', 2).map((part) => decodeURIComponent(part));
		const path = name.split(/\]?\[|\]/).filter((part) => part !== '');
		let target = result;
		for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as IDataObject;
		target[path[path.length - 1]] = value;
	}
	return { method, params: result };
}

/** `text` over at most two lines, the second indented under the first, cut at the edge. */
function twoLines(text: string, indent: string): string[] {
	if (text.length <= WIDTH) return [text];
	const cut = text.lastIndexOf(' ', WIDTH);
	const at = cut > indent.length + 20 ? cut : WIDTH;
	return [text.slice(0, at), fit(`${indent}    ${text.slice(at).trimStart()}`)];
}

/**
 * A request as lines: `POST path -> status` and its parameters, or a batch's commands one per line; a command
 * that differs from the first only in its id says so instead of repeating the rest.
 */
export function requestLines(request: SentRequest, indent: string, maxCommands = 3): string[] {
	const status = request.status === undefined ? '' : ` -> ${request.status}`;
	const head = `${indent}${request.httpMethod} ${request.path}${status}`;
	const cmd = request.method === 'batch' ? (request.params.cmd as IDataObject | undefined) : undefined;
	if (!cmd) return twoLines(`${head}  ${params(request.params)}`, indent);
	const commands = Object.values(cmd).map((text) => parseCommand(String(text)));
	const lines = [`${head}, ${commands.length} command${commands.length === 1 ? '' : 's'}:`];
	// All of them when one more line would only say there is one more.
	const shown = commands.length === maxCommands + 1 ? commands.length : maxCommands;
	const rest = ({ params: all }: { params: IDataObject }) =>
		JSON.stringify(Object.fromEntries(Object.entries(all).filter(([key]) => !/^(id|payment_?id)$/i.test(key))));
	for (const [index, { method, params: values }] of commands.slice(0, shown).entries()) {
		const sameAsFirst = index > 0 && method === commands[0].method && rest(commands[index]) === rest(commands[0]);
		const text = sameAsFirst
			? `${method}  ${params(Object.fromEntries(Object.entries(values).filter(([key]) => /^(id|payment_?id)$/i.test(key))))}, the rest as above`
			: `${method}  ${params(values)}`;
		lines.push(...twoLines(`${indent}  ${text}`, indent));
	}
	if (commands.length > shown) lines.push(`${indent}  ... and ${commands.length - shown} more like these`);
	return lines;
}

/** Bitrix24 calls a request carried: the commands of a batch, else one. */
export function callsIn(request: SentRequest): number {
	const cmd = request.method === 'batch' ? (request.params.cmd as IDataObject | undefined) : undefined;
	return cmd ? Object.keys(cmd).length : 1;
}

function isPayment(json: IDataObject): boolean {
	return 'paid' in json && 'sum' in json && 'paySystemId' in json;
}

/**
 * One short line for an output item: its error; a payment by its state (`paid Y, 100 USD, pay system 2`)
 * and the fields in `focus` (those the node wrote); a link with its QR image; else its first fields.
 */
export function itemLine(item: INodeExecutionData, indent: string, focus: string[] = []): string {
	const { json } = item;
	if (typeof json.error === 'string') return fit(`${indent}error: ${json.error}`);
	const keys = Object.keys(json);
	if (keys.length === 0) return `${indent}(an empty item)`;
	const shown = new Set<string>();
	const take = (key: string) => {
		shown.add(key);
		return json[key];
	};
	let head: string;
	const parts: Array<string | string[]> = [];
	if ('url' in json && 'paymentId' in json) {
		head = `payment ${show(take('paymentId'))}:`;
		parts.push('shortUrl' in json ? `link ${show(take('shortUrl'), 60)}` : `link ${show(take('url'), 60)}`);
		take('qr');
		for (const [key, binary] of Object.entries(item.binary ?? {})) parts.push(`QR code ${binary.mimeType} in binary "${key}"`);
	} else if (isPayment(json)) {
		head = `payment ${show(take('id'))}:`;
		const paySystem = `pay system ${show(take('paySystemId'))}`;
		const written = focus.filter((key) => key in json);
		// The pay system's name only when no field the node wrote needs the room.
		const named = 'paySystemName' in json && written.length === 0 ? `${paySystem} (${String(take('paySystemName'))})` : paySystem;
		parts.push(`paid ${show(take('paid'))}`, `${show(take('sum'))} ${show(take('currency'))}`, [named, paySystem]);
		for (const key of written) parts.push(`${key} ${show(take(key))}`);
	} else if (json.success === true && 'paymentId' in json) {
		head = `payment ${show(take('paymentId'))}: done`;
		take('success');
		if ('paySystemId' in json) parts.push(`through pay system ${show(take('paySystemId'))}`);
		if (json.paid === true) {
			take('paid');
			parts.push('read back as paid');
		}
	} else {
		head = '';
		for (const key of keys) parts.push(`${key} ${show(take(key))}`);
	}
	const hidden = keys.filter((key) => !shown.has(key)).length;
	return fitParts(indent, head, parts, hidden, WIDTH);
}

/** Up to `max` item lines, then how many more there are. */
export function itemLines(run: NodeRun, indent: string, max = 3): string[] {
	const focus = Object.keys((run.parameters.updateFields as IDataObject | undefined) ?? {});
	const lines = run.items.slice(0, max).map((item) => itemLine(item, indent, focus));
	const more = run.items.length - max;
	if (more > 0) lines.push(`${indent}... and ${more} more item${more === 1 ? '' : 's'}`);
	return lines;
}

// ---- the portal before and after ----

type Payments = Map<number, SalePayment>;

/** The fields people look at first, in that order. */
const FIRST: Array<keyof SalePayment> = ['paid', 'datePaid', 'paySystemId', 'sum', 'psStatus', 'psStatusCode', 'comments', 'datePayBefore'];

/** Fields of a payment row that the portal does not show through REST. */
const INTERNAL = new Set(['binding']);

export interface PortalChanges {
	created: number[];
	changed: number[];
	deleted: number[];
	/** Changed payments whose pay system is not what it was. */
	paySystemMoved: number[];
	lines: string[];
}

/**
 * What changed in the payments, as `payment 1038: paid N -> Y, ...` lines (same changes grouped); a new payment
 * with the products and deliveries it covers (`paymentLines`, the portal's payment lines after the run).
 */
export function portalChanges(before: Payments, after: Payments, indent: string, paymentLines: PayableItem[] = []): PortalChanges {
	const created = [...after.keys()].filter((id) => !before.has(id));
	const deleted = [...before.keys()].filter((id) => !after.has(id));
	const changed: number[] = [];
	const paySystemMoved: number[] = [];
	const groups = new Map<string, number[]>();
	for (const [id, was] of before) {
		const now = after.get(id);
		if (!now) continue;
		const diffs = [...FIRST, ...(Object.keys(now) as Array<keyof SalePayment>).filter((key) => !FIRST.includes(key))]
			.filter((key) => !INTERNAL.has(key) && JSON.stringify(was[key]) !== JSON.stringify(now[key]))
			.map((key) => `${key} ${show(was[key], 28)} -> ${show(now[key], 28)}`);
		if (diffs.length === 0) continue;
		changed.push(id);
		if (was.paySystemId !== now.paySystemId) paySystemMoved.push(id);
		else diffs.push(`pay system ${now.paySystemId} kept`);
		const text = diffs.join(', ');
		groups.set(text, [...(groups.get(text) ?? []), id]);
	}
	const lines: string[] = [];
	for (const [text, ids] of groups) {
		lines.push(...wrap(`${ids.length === 1 ? 'payment' : 'payments'} ${ids.join(', ')}: ${text}`, indent));
	}
	for (const id of created) {
		const p = after.get(id)!;
		const due = p.datePayBefore ? `, due ${p.datePayBefore}` : '';
		const covers = paymentLines.filter((line) => line.paymentId === id).map((line) => `${line.entityType === 'SHIPMENT' ? 'shipment' : 'row'} ${line.entityId} x${line.quantity}`);
		lines.push(
			...wrap(`payment ${id} is new: paid ${p.paid}, ${p.sum} ${p.currency}, pay system ${p.paySystemId}${due}${covers.length ? `, covers ${covers.join(', ')}` : ''}`, indent),
		);
	}
	for (const id of deleted) lines.push(`${indent}payment ${id} was deleted`);
	if (lines.length === 0) lines.push(`${indent}no payment changed`);
	return { created, changed, deleted, paySystemMoved, lines };
}

/** `text` over as many lines as it needs, at most three, broken after commas. */
function wrap(text: string, indent: string, maxLines = 3): string[] {
	const lines: string[] = [];
	let line = indent;
	for (const word of text.split(/(?<=, )/)) {
		if (line.length + word.trimEnd().length > WIDTH && line.trim() !== '') {
			lines.push(line.trimEnd());
			line = `${indent}  `;
		}
		line += word;
	}
	lines.push(line.trimEnd());
	return lines.length <= maxLines ? lines.map((l) => fit(l)) : [...lines.slice(0, maxLines - 1), fit(`${lines[maxLines - 1]} ...`)];
}
