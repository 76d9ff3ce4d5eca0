/**
 * A real n8n 2.x (`n8n start`, Node.js 24) for the editor UI test, with this package installed as users install
 * it: the `npm pack` tarball unpacked into `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-bitrix24-payments`,
 * n8n's community package folder (no N8N_CUSTOM_EXTENSIONS). Started on a free port of 127.0.0.1 in a throwaway
 * user folder; `stop()` ends n8n and its children, by their PIDs, and removes the folder.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test-only: starts n8n as a child process in a temp folder, finds and signals its children with ps and fails with plain errors, never shipped */
import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ensureN8n, N8N_2_VERSION, n8nEnvironment } from '../e2e/install-n8n';

export const PACKAGE_NAME = 'n8n-nodes-bitrix24-payments';

// The owner of a throwaway n8n that lives for one test run on 127.0.0.1.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- not a secret: a test account of a temporary instance
export const OWNER = { email: 'owner@example.com', firstName: 'UI', lastName: 'Owner', password: 'Ui-test-password-1' };

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** The built package as npm ships it: `npm pack` into `folder`, unpacked there; returns the package's folder. */
async function packed(folder: string): Promise<string> {
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: ROOT });
	const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
	await run('tar', ['-xzf', join(folder, filename), '-C', folder]);
	return join(folder, 'package');
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(other?: number): Promise<number> {
	for (;;) {
		const server = http.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		const { port } = server.address() as AddressInfo;
		await new Promise<void>((resolve) => server.close(() => resolve()));
		if (port !== other) return port;
	}
}

/** Sends `name` to `pid`; false when there is no such process (any more). Signal 0 only asks. */
function signal(pid: number, name: NodeJS.Signals | 0): boolean {
	try {
		process.kill(pid, name);
		return true;
	} catch {
		return false;
	}
}

/** The processes started by `pid`, and theirs, from `ps`. */
function descendants(pid: number): number[] {
	const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.map((line) => line.trim().split(/\s+/).map(Number));
	const found: number[] = [];
	for (let parents = [pid]; parents.length > 0; ) {
		const children = table.filter(([, ppid]) => parents.includes(ppid)).map(([child]) => child);
		found.push(...children);
		parents = children;
	}
	return found;
}

export class N8nInstance {
	log = '';

	private process?: ChildProcess;

	private constructor(
		readonly home: string,
		readonly port: number,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Installs the packed package as a community package, starts n8n and creates the owner account. */
	static async start(version = N8N_2_VERSION): Promise<N8nInstance> {
		const install = ensureN8n(version);
		const home = mkdtempSync(join(tmpdir(), 'n8n-ui-'));
		const instance = new N8nInstance(home, await freePort());
		try {
			const unpacked = await packed(home);
			const nodesModules = join(home, '.n8n', 'nodes', 'node_modules');
			mkdirSync(nodesModules, { recursive: true });
			renameSync(unpacked, join(nodesModules, PACKAGE_NAME));

			const env: NodeJS.ProcessEnv = {
				...n8nEnvironment({ home, encryptionKey: randomBytes(24).toString('hex'), extension: '' }),
				N8N_PORT: String(instance.port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_SECURE_COOKIE: 'false',
				// debug: n8n says which packages it loaded only at this level.
				N8N_LOG_LEVEL: 'debug',
				// The task broker's fixed default port (5679) would clash with another n8n on this machine.
				N8N_RUNNERS_BROKER_PORT: String(await freePort(instance.port)),
				N8N_PERSONALIZATION_ENABLED: 'false',
				N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
				N8N_TEMPLATES_ENABLED: 'false',
			};
			// Loaded from the community package folder only, as a user's install is.
			delete env.N8N_CUSTOM_EXTENSIONS;
			const child = spawn(install.node, [install.bin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
			instance.process = child;
			child.stdout!.on('data', (chunk: Buffer) => (instance.log += chunk.toString()));
			child.stderr!.on('data', (chunk: Buffer) => (instance.log += chunk.toString()));
			await instance.until('n8n to start', () => instance.log.includes('Editor is now accessible via'), 180_000);
			await instance.rest('POST', '/owner/setup', OWNER);
			return instance;
		} catch (error) {
			await instance.stop();
			throw error;
		}
	}

	async until(what: string, check: () => boolean, ms: number) {
		const started = Date.now();
		while (!check()) {
			if (this.process?.exitCode !== null && this.process?.exitCode !== undefined) {
				throw new Error(`n8n exited (code ${this.process.exitCode}) while waiting for ${what}:\n${this.log.slice(-3000)}`);
			}
			if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}:\n${this.log.slice(-3000)}`);
			await sleep(250);
		}
	}

	async rest(method: string, path: string, body?: unknown): Promise<unknown> {
		const response = await fetch(`${this.url}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', 'browser-id': 'ui-test' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
		return JSON.parse(text) as unknown;
	}

	/** SIGTERM to n8n, SIGKILL to whatever of it and its children is left once it exits (or after 20 s); then the user folder goes. */
	async stop() {
		const child = this.process;
		if (child?.pid) {
			// Its children (the task runner) are found now: once n8n is gone they are no longer its children.
			const children = descendants(child.pid);
			const running = () => child.exitCode === null && child.signalCode === null;
			if (running()) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				let timer: NodeJS.Timeout | undefined;
				await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
				// A pending 20 s timer would keep Jest from exiting.
				clearTimeout(timer);
			}
			if (running()) child.kill('SIGKILL');
			for (const pid of children) signal(pid, 'SIGKILL');
			for (let i = 0; i < 50 && (running() || children.some((pid) => signal(pid, 0))); i++) await sleep(100);
		}
		rmSync(this.home, { recursive: true, force: true });
	}
}
