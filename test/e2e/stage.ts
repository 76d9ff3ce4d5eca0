/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: a local HTTP receiver, never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */

import { Bitrix24Emulator } from '../emulator/server';
import type { OAuthTokenData } from '../emulator/server';
import { N8n, sleep, TYPE_PREFIX } from './n8n';

/** The team chat: records what the workflow's HTTP Request node posts. */
export class Chat {
	readonly messages: string[] = [];
	/** How long it holds each answer after recording the message (a slow chat: the run is still going). */
	delayMs = 0;
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			this.messages.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string }).text);
			const answer = () => {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end('{"ok":true}');
			};
			if (this.delayMs > 0) void sleep(this.delayMs).then(answer);
			else answer();
		});
	});

	url = '';

	async start() {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/chat`;
	}

	async stop() {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

/**
 * What each running-n8n test needs: n8n of one line (`n8n start`) with the owner signed up, the emulator as the
 * portal with an app token issued, and the team chat; the credentials and workflows are imported before n8n starts,
 * as a user would have set them up.
 */
export interface Stage {
	n8n: N8n;
	emulator: Bitrix24Emulator;
	chat: Chat;
	token: OAuthTokenData;
}

export async function startStage(
	version: string,
	imports: (stage: Omit<Stage, 'n8n'>) => { credentials: object[]; workflows: object[] },
): Promise<Stage> {
	const n8n = await N8n.create(version);
	const emulator = await Bitrix24Emulator.start();
	const chat = new Chat();
	await chat.start();
	const token = emulator.issueToken();
	const { credentials, workflows } = imports({ emulator, chat, token });
	await n8n.command('import:credentials', `--input=${n8n.file('credentials.json', credentials)}`);
	await n8n.command('import:workflow', `--input=${n8n.file('workflows.json', workflows)}`);
	await n8n.start();
	await n8n.setupOwner();
	return { n8n, emulator, chat, token };
}

export async function stopStage(stage: Stage | undefined): Promise<void> {
	await stage?.n8n.dispose();
	await stage?.chat.stop();
	await stage?.emulator.stop();
}

/**
 * A workflow as the polling e2e tests use it: Bitrix24 Payments Polling Trigger (Payment Paid, every minute) ->
 * one chat message per run, its text an expression of the trigger's item.
 */
export function pollingToChat(o: {
	id: string;
	name: string;
	authentication: 'oAuth2' | 'webhook';
	credential: { id: string; name: string };
	chatUrl: string;
	/** The message, as the JavaScript of an n8n expression (`$json` is the trigger's item). */
	text: string;
}) {
	const type = o.authentication === 'oAuth2' ? 'bitrix24PaymentsOAuth2Api' : 'bitrix24PaymentsWebhookApi';
	return {
		id: o.id,
		name: o.name,
		active: false,
		nodes: [
			{
				id: `${o.id}-trigger`,
				name: 'When a payment is paid',
				type: `${TYPE_PREFIX}bitrix24PaymentsPollingTrigger`,
				typeVersion: 1,
				position: [0, 0],
				parameters: { authentication: o.authentication, events: ['paymentPaid'], pollTimes: { item: [{ mode: 'everyMinute' }] } },
				credentials: { [type]: o.credential },
			},
			{
				id: `${o.id}-chat`,
				name: 'Post to the team chat',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					method: 'POST',
					url: o.chatUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: `={{ JSON.stringify({ text: ${o.text} }) }}`,
					options: {},
				},
			},
		],
		connections: { 'When a payment is paid': { main: [[{ node: 'Post to the team chat', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}
