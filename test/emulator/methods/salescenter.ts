/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only emulator: node:crypto and node:zlib build a deterministic PNG for the fake QR code, never shipped */
// salescenter.payment.getPublicUrl (Bitrix\SalesCenter\Controller\Payment). Scope salescenter.
// `id` is the controller's primary auto-wired parameter: missing -> 100 "Could not find value for
// parameter {id}"; not a scalar -> 0 "Parameter id must be integer"; otherwise (int)-cast and looked up
// among all payments -> 200640400001 "payment is not exists" (the docs print "payment does not exist").
// Any user may call it (it only reads). The QR code is a real PNG but not a scannable QR symbol: a 21x21
// QR-like pattern (finder squares, timing lines, modules from a hash of the short URL).

import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

import { RestError, paramMissing } from '../errors';
import { phpIntCast } from '../php';
import type { SalePayment } from '../state';
import type { MethodDef } from './context';

const SIZE = 21; // modules of a version-1 QR code
const QUIET = 4; // quiet zone, modules
const SCALE = 4; // pixels per module

function moduleMatrix(text: string): boolean[][] {
	const dark: boolean[][] = Array.from({ length: SIZE }, () => Array<boolean>(SIZE).fill(false));
	const reserved: boolean[][] = Array.from({ length: SIZE }, () => Array<boolean>(SIZE).fill(false));
	const finder = (top: number, left: number) => {
		for (let r = -1; r <= 7; r++) {
			for (let c = -1; c <= 7; c++) {
				const y = top + r;
				const x = left + c;
				if (y < 0 || y >= SIZE || x < 0 || x >= SIZE) continue;
				reserved[y][x] = true;
				const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
				dark[y][x] = r >= 0 && r <= 6 && c >= 0 && c <= 6 && ring !== 2;
			}
		}
	};
	finder(0, 0);
	finder(0, SIZE - 7);
	finder(SIZE - 7, 0);
	for (let i = 8; i < SIZE - 8; i++) {
		dark[6][i] = dark[i][6] = i % 2 === 0;
		reserved[6][i] = reserved[i][6] = true;
	}
	let bits = createHash('sha256').update(text).digest();
	let bit = 0;
	for (let y = 0; y < SIZE; y++) {
		for (let x = 0; x < SIZE; x++) {
			if (reserved[y][x]) continue;
			if (bit >= bits.length * 8) {
				bits = createHash('sha256').update(bits).digest();
				bit = 0;
			}
			dark[y][x] = ((bits[bit >> 3] >> (7 - (bit & 7))) & 1) === 1;
			bit++;
		}
	}
	return dark;
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body) >>> 0);
	return Buffer.concat([length, body, crc]);
}

/** A deterministic black-and-white PNG (8-bit grayscale) of a QR-like pattern for `text`. */
export function qrPng(text: string): Buffer {
	const matrix = moduleMatrix(text);
	const side = (SIZE + 2 * QUIET) * SCALE;
	const raw = Buffer.alloc((side + 1) * side, 0xff);
	for (let py = 0; py < side; py++) {
		raw[py * (side + 1)] = 0; // filter type None
		const my = Math.floor(py / SCALE) - QUIET;
		for (let px = 0; px < side; px++) {
			const mx = Math.floor(px / SCALE) - QUIET;
			const isDark = my >= 0 && my < SIZE && mx >= 0 && mx < SIZE && matrix[my][mx];
			raw[py * (side + 1) + 1 + px] = isDark ? 0x00 : 0xff;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(side, 0);
	ihdr.writeUInt32BE(side, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 0; // grayscale
	ihdr[10] = 0; // deflate
	ihdr[11] = 0; // adaptive filtering
	ihdr[12] = 0; // no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function shortCode(seed: string): string {
	const digest = createHash('sha1').update(`short:${seed}`).digest();
	let code = '';
	for (let i = 0; i < 5; i++) code += BASE62[digest[i] % 62];
	return code;
}

/** The payment's public page (the Sales Center payment link), `${baseUrl}/pub/payment/<hash>/`. */
export function publicPaymentUrl(baseUrl: string, memberId: string, payment: Pick<SalePayment, 'id' | 'orderId'>): string {
	const hash = createHash('sha1').update(`${memberId}:${payment.orderId}:${payment.id}`).digest('hex').slice(0, 32);
	return `${baseUrl}/pub/payment/${hash}/`;
}

export const salescenterMethods: Record<string, MethodDef> = {
	'salescenter.payment.getpublicurl': {
		scope: 'salescenter',
		run(ctx) {
			if (!('id' in ctx.params)) throw paramMissing('id');
			const raw = ctx.params.id;
			if (raw === null || typeof raw === 'object') throw new RestError(400, '0', 'Parameter id must be integer');
			const payment = ctx.state.payments.get(phpIntCast(raw));
			if (!payment) throw new RestError(400, '200640400001', 'payment is not exists');
			const seed = `${ctx.state.memberId}:${payment.orderId}:${payment.id}`;
			const shortUrl = `${ctx.baseUrl}/~${shortCode(seed)}`;
			return {
				payment: {
					url: publicPaymentUrl(ctx.baseUrl, ctx.state.memberId, payment),
					shortUrl,
					qr: qrPng(shortUrl).toString('base64'),
				},
			};
		},
	},
};
