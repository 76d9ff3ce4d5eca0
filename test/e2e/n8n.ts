/**
 * A real n8n for the end-to-end tests: one of the lines users run (1.x on Node.js 20, 2.x on Node.js 24), with a
 * throwaway user folder into which this package is installed as users install it, and as n8n's own installer
 * does: the `npm pack` tarball unpacked into `<user folder>/.n8n/nodes/node_modules/<package>`.
 * Commands run with n8n's CLI (`cli`), or n8n runs as a server (`start`) and is driven through its REST API.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test-only: runs npm, tar and n8n as child processes and writes the user folder, never shipped */
import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import type { N8nInstall } from './install-n8n';
import { ensureN8n, N8N_2_VERSION, N8N_VERSION } from './install-n8n';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const PACKAGE = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string });
export const PACKAGE_NAME = PACKAGE.name;

// The owner of a throwaway n8n that lives for one test run on 127.0.0.1.
export const OWNER = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-password-1' };

/** The lines the package is tested on, as `describe.each` takes them. */
export const N8N_LINES = [N8N_VERSION, N8N_2_VERSION];

/** The prefix of this package's node and credential types in n8n: its npm name, as for any community package. */
export const TYPE_PREFIX = `${PACKAGE.name}.`;

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds, or fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

export async function freePort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
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

/** The processes started by `pid`, and theirs, from `ps` (n8n 2.x starts its task runner as a child). */
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

let tarball: Promise<string> | undefined;

/** `npm pack` of the built package, once per test file: the file users download or n8n fetches from npm. */
async function packed(): Promise<string> {
	tarball ??= (async () => {
		const folder = mkdtempSync(join(tmpdir(), 'n8n-e2e-pack-'));
		const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: ROOT });
		const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
		return join(folder, filename);
	})();
	return await tarball;
}

/**
 * Installs the packed package into an n8n user folder the way n8n's own community-package installer does, with any
 * other packages (`beside`: folders laid out as packages from npm) next to it.
 */
export async function installPackage(userFolder: string, beside: string[] = []): Promise<string> {
	const nodes = join(userFolder, '.n8n', 'nodes');
	const folder = join(nodes, 'node_modules', PACKAGE.name);
	mkdirSync(folder, { recursive: true });
	await run('tar', ['-xzf', await packed(), '-C', folder, '--strip-components=1']);
	const dependencies: Record<string, string> = { [PACKAGE.name]: PACKAGE.version };
	for (const other of beside) {
		const { name, version } = JSON.parse(readFileSync(join(other, 'package.json'), 'utf8')) as { name: string; version: string };
		cpSync(other, join(nodes, 'node_modules', name), { recursive: true });
		dependencies[name] = version;
	}
	writeFileSync(join(nodes, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies }, null, 2));
	return folder;
}

export interface CliResult {
	stdout: string;
	/** stderr and the start of stdout when the command failed. */
	failed?: string;
}

/** SIGTERM to a process, SIGKILL to whatever of it and its children is left once it exits (or after 20 s). */
async function stopProcess(child: ChildProcess | undefined) {
	if (!child?.pid) return;
	// Its children are found now: once it is gone they are no longer its children.
	const children = descendants(child.pid);
	const running = () => child.exitCode === null && child.signalCode === null;
	if (running()) {
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
		// A pending timer would keep Jest from exiting.
		clearTimeout(timer);
	}
	if (running()) child.kill('SIGKILL');
	for (const pid of children) signal(pid, 'SIGKILL');
	for (let i = 0; i < 50 && (running() || children.some((pid) => signal(pid, 0))); i++) await sleep(100);
}

/** One more process of an n8n (a queue-mode worker or webhook process): what it printed, and how to stop it. */
export interface N8nProcess {
	readonly log: string;
	/** The port it listens on (a webhook process), if any. */
	readonly port: number;
	stop(): Promise<void>;
}

export class N8n {
	readonly install: N8nInstall;
	readonly home: string;
	readonly encryptionKey = randomBytes(24).toString('hex');
	port = 0;
	/** n8n 2.x always starts its task broker (5679 by default): one port per n8n, so that several can run. */
	brokerPort = 0;
	/** What the running n8n printed since it last started. */
	log = '';
	/** Settings of every process and command of this n8n (queue mode: the database and Redis). */
	shared: NodeJS.ProcessEnv = {};
	private server?: ChildProcess;
	private cookie = '';

	private constructor(version: string) {
		this.install = ensureN8n(version);
		this.home = mkdtempSync(join(tmpdir(), `n8n-e2e-${version}-`));
	}

	/**
	 * An n8n of `version` (installed into the cache the first time) with this package in its user folder, and the
	 * packages in `beside` next to it.
	 */
	static async create(version: string, beside: string[] = []): Promise<N8n> {
		const n8n = new N8n(version);
		await installPackage(n8n.home, beside);
		n8n.port = await freePort();
		n8n.brokerPort = await freePort();
		return n8n;
	}

	get version() {
		return this.install.version;
	}

	get major(): number {
		return Number(this.version.split('.')[0]);
	}

	get baseUrl() {
		return `http://127.0.0.1:${this.port}`;
	}

	/**
	 * The environment n8n runs with: the throwaway user folder and key, in-process expressions, and none of the
	 * test process's own settings (its N8N_* for n8n-core, Jest's NODE_ENV=test) unless `extra` sets them.
	 */
	env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(([key]) => !key.startsWith('N8N_') && !key.startsWith('JEST') && key !== 'NODE_ENV'),
		);
		return {
			...inherited,
			N8N_USER_FOLDER: this.home,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			N8N_RUNNERS_ENABLED: 'false',
			N8N_EXPRESSION_ENGINE: 'legacy',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			// The address the portal calls: a host with a dot, as Bitrix24 wants for event handlers.
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			...this.shared,
			...extra,
		};
	}

	/** An n8n CLI command; its output, and what went wrong if it failed. */
	async cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
		try {
			const { stdout } = await run(this.install.node, [this.install.bin, ...args], { env: this.env(extraEnv), maxBuffer: 64 * 2 ** 20 });
			return { stdout };
		} catch (error) {
			const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
			return { stdout: `${stdout}\n${stderr}`, failed: `${stderr}\n${stdout.slice(0, 4000)}` };
		}
	}

	/** Like `cli`, failing the test when the command fails. */
	async command(...args: string[]): Promise<string> {
		const { stdout, failed } = await this.cli(args);
		if (failed) throw new Error(`n8n ${args.join(' ')} failed:\n${failed}`);
		return stdout;
	}

	/** Writes `value` as JSON into the user folder, for the CLI's import commands. */
	file(name: string, value: unknown): string {
		const path = join(this.home, name);
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, JSON.stringify(value, null, 2));
		return path;
	}

	/** Starts `n8n <command>` and waits until it prints `ready`; its output goes to `onLog`. */
	private async launch(command: string, ready: string, env: NodeJS.ProcessEnv, onLog: (text: string) => void): Promise<ChildProcess> {
		let log = '';
		const child = spawn(this.install.node, [this.install.bin, command], { env: this.env({ N8N_LOG_LEVEL: 'info', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
		const take = (chunk: Buffer) => {
			log += chunk.toString();
			onLog(chunk.toString());
		};
		child.stdout!.on('data', take);
		child.stderr!.on('data', take);
		await until(`n8n ${command} to start`, () => log.includes(ready) || child.exitCode !== null, 180_000);
		if (child.exitCode !== null) throw new Error(`n8n ${command} exited (code ${child.exitCode}) while starting:\n${log.slice(-4000)}`);
		return child;
	}

	/** The main process (`n8n start`), with the editor and its REST API. */
	async start(extraEnv: NodeJS.ProcessEnv = {}) {
		this.log = '';
		this.server = await this.launch('start', 'Editor is now accessible via', extraEnv, (text) => (this.log += text));
	}

	/** Another process of this n8n: a queue-mode `worker`, or a `webhook` process on a port of its own. */
	async spawn(command: 'worker' | 'webhook', extraEnv: NodeJS.ProcessEnv = {}): Promise<N8nProcess> {
		const port = command === 'webhook' ? await freePort() : 0;
		const own = { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...(port ? { N8N_PORT: String(port) } : {}), ...extraEnv };
		let log = '';
		const child = await this.launch(command, command === 'worker' ? 'n8n worker is now ready' : 'Webhook listener waiting for requests', own, (text) => (log += text));
		return {
			get log() {
				return log;
			},
			port,
			stop: async () => await stopProcess(child),
		};
	}

	/** Stops the main process. */
	async stop() {
		await stopProcess(this.server);
	}

	/**
	 * Kills the main process and its children with SIGKILL, as an OOM kill or a container killed does: no shutdown
	 * code of n8n's runs (nothing is saved, no workflow is deactivated).
	 */
	async kill() {
		const child = this.server;
		if (!child?.pid) return;
		const children = descendants(child.pid);
		child.kill('SIGKILL');
		for (const pid of children) signal(pid, 'SIGKILL');
		for (let i = 0; i < 50 && (child.exitCode === null && child.signalCode === null); i++) await sleep(100);
		this.server = undefined;
	}

	/** A call to the running n8n's REST API as the signed-in owner (the editor's own API). */
	async rest(method: string, path: string, body?: unknown): Promise<IDataObject> {
		const response = await fetch(`${this.baseUrl}/rest${path}`, {
			method,
			headers: { 'Content-Type': 'application/json', 'browser-id': 'e2e-browser', cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return ((JSON.parse(text) as { data?: IDataObject }).data ?? {}) as IDataObject;
	}

	/** Creates the owner account (`OWNER`) and signs in as it. */
	async setupOwner() {
		await this.rest('POST', '/owner/setup', OWNER);
	}

	async dispose() {
		await this.stop();
		rmSync(this.home, { recursive: true, force: true });
	}
}
