/**
 * The parent's side of `bench/emulator-host.ts`: starts the host process once and drives its emulators
 * (`Bitrix24Emulator.start`, `seedOrderPayments`, `reset`, what the portal saw, `stop`) over IPC.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals -- a benchmark helper: forks the emulator process from its own folder, never shipped */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { EmulatorOptions } from '../test/emulator/options';
import type { SalePayment } from '../test/emulator/state';
import type { Fault, OAuthTokenData } from '../test/emulator/server';
import type { HostReport, HostRequest, QueueReport } from './emulator-host';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class EmulatorHost {
	private nextId = 1;
	private readonly pending = new Map<number, Pending>();

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
			const waiting = this.pending.get(message.id);
			if (!waiting) return;
			this.pending.delete(message.id);
			if (message.error) waiting.reject(new Error(`emulator host: ${message.error}`));
			else waiting.resolve(message.result);
		});
		child.on('exit', (code) => {
			for (const waiting of this.pending.values()) waiting.reject(new Error(`emulator host exited (${String(code)})`));
			this.pending.clear();
		});
	}

	static start(): EmulatorHost {
		const child = fork(join(__dirname, 'emulator-host.ts'), [], {
			execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		return new EmulatorHost(child);
	}

	async call<T>(request: Omit<HostRequest, 'id'>): Promise<T> {
		const id = this.nextId++;
		return await new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.child.send({ ...request, id });
		});
	}

	async emulator(options: EmulatorOptions): Promise<RemoteEmulator> {
		const started = await this.call<{ key: number; baseUrl: string; webhookUrl: string }>({ command: 'start', options });
		return new RemoteEmulator(this, started.key, started.baseUrl, started.webhookUrl);
	}

	stop(): void {
		this.child.disconnect();
	}
}

/** One emulator (one portal, one port) in the host process. */
export class RemoteEmulator {
	constructor(
		private readonly host: EmulatorHost,
		private readonly key: number,
		readonly baseUrl: string,
		private readonly hook: string,
	) {}

	webhookUrl(): string {
		return this.hook;
	}

	async seedOrderPayments(count: number, overrides: Partial<Omit<SalePayment, 'id'>> = {}): Promise<number[]> {
		return await this.host.call<number[]>({ command: 'seed', key: this.key, count, overrides });
	}

	/** `count` new order payments, each paid as a person: one record each in every offline queue. */
	async seedChangedPayments(count: number): Promise<number[]> {
		return await this.host.call<number[]>({ command: 'seedChanged', key: this.key, count });
	}

	async issueToken(): Promise<{ token: OAuthTokenData; clientId: string; clientSecret: string }> {
		return await this.host.call({ command: 'issueToken', key: this.key });
	}

	async queueReport(): Promise<QueueReport> {
		return await this.host.call<QueueReport>({ command: 'queueReport', key: this.key });
	}

	async reset(): Promise<void> {
		await this.host.call({ command: 'reset', key: this.key });
	}

	async report(method: string, paidIds: number[] = []): Promise<HostReport> {
		return await this.host.call<HostReport>({ command: 'report', key: this.key, method, paidIds });
	}

	async injectFault(fault: Fault): Promise<void> {
		await this.host.call({ command: 'injectFault', key: this.key, fault });
	}

	async stop(): Promise<void> {
		await this.host.call({ command: 'stop', key: this.key });
	}
}
