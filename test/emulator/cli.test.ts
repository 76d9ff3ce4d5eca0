/**
 * `npm run emulator` as a user runs it: it answers where it says it does, BITRIX24_EMULATOR_HOST=0.0.0.0 lets
 * other machines (an n8n in Docker) in, and killing npm frees the port (npm and its shell end without passing the signal on).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: starts the emulator's command (npm run emulator, fixed arguments) as a child process and probes its port, never shipped */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../e2e/n8n';
import { DEFAULT_WEBHOOK_SECRET } from './server';

const ROOT = join(__dirname, '..', '..');
const started: ChildProcess[] = [];

/** Whether nothing listens on host:port: this process can listen there itself. */
async function isFree(port: number, host: string): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** Starts `npm run emulator` (its own process group, so a failed test can still end all of it) and waits until it is ready. */
async function startEmulator(env: Record<string, string>): Promise<{ npm: ChildProcess; output: () => string }> {
	const npm = spawn('npm', ['run', 'emulator'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	started.push(npm);
	let output = '';
	npm.stdout!.on('data', (chunk) => (output += String(chunk)));
	npm.stderr!.on('data', (chunk) => (output += String(chunk)));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`not ready in 40 s:\n${output}`)), 40_000);
		const check = () => {
			if (!output.includes('Ctrl+C to stop.')) return;
			clearTimeout(timer);
			resolve();
		};
		npm.stdout!.on('data', check);
		npm.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm run emulator ended (${code}):\n${output}`));
		});
	});
	return { npm, output: () => output };
}

/** Kills npm alone (as `kill <pid of npm>` does) and answers how long until the port is free again, or -1 after 5 s. */
async function killNpmAndWaitForPort(npm: ChildProcess, port: number, host: string): Promise<number> {
	const killed = Date.now();
	npm.kill('SIGTERM');
	while (Date.now() - killed < 5000) {
		if (await isFree(port, host)) return Date.now() - killed;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return -1;
}

/** The status of a webhook call of `profile` at baseUrl: 200 when a portal answered it, 0 when nothing did. */
async function answers(baseUrl: string): Promise<number> {
	try {
		const res = await fetch(`${baseUrl}/rest/1/${DEFAULT_WEBHOOK_SECRET}/profile`, { signal: AbortSignal.timeout(3000) });
		const body = (await res.json()) as { result?: { ID?: string } };
		return body.result?.ID ? res.status : -res.status;
	} catch {
		return 0;
	}
}

const external = Object.values(networkInterfaces())
	.flatMap((entries) => entries ?? [])
	.filter((entry) => entry.family === 'IPv4' && !entry.internal)
	.map((entry) => entry.address);

afterAll(() => {
	// Whatever a failed test left running: the process groups these tests started, nothing else.
	for (const npm of started) {
		try {
			process.kill(-npm.pid!, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

test('default: listens on 127.0.0.1 only and says so; killing npm with SIGTERM frees the port within 5 s', async () => {
	const port = await freePort();
	const { npm, output } = await startEmulator({ BITRIX24_EMULATOR_PORT: String(port) });

	expect(output()).toContain(`Webhook URL (user 1, all scopes):  http://127.0.0.1:${port}/rest/1/${DEFAULT_WEBHOOK_SECRET}/`);
	expect(await answers(`http://127.0.0.1:${port}`)).toBe(200);
	if (external.length) expect(await answers(`http://${external[0]}:${port}`)).toBe(0);
	expect(await isFree(port, '127.0.0.1')).toBe(false);

	expect(await killNpmAndWaitForPort(npm, port, '127.0.0.1')).toBeGreaterThanOrEqual(0);
}, 60_000);

const onAllInterfaces = 'BITRIX24_EMULATOR_HOST=0.0.0.0: answers on this machine\'s network address and gives out that address; killing npm frees the port';
if (external.length) {
	test(onAllInterfaces, async () => {
		const port = await freePort();
		const { npm, output } = await startEmulator({ BITRIX24_EMULATOR_PORT: String(port), BITRIX24_EMULATOR_HOST: '0.0.0.0' });

		const portal = /^Portal URL: +(\S+)$/m.exec(output())?.[1];
		expect(external.map((address) => `http://${address}:${port}`)).toContain(portal);
		expect(output()).toContain(`Webhook URL (user 1, all scopes):  ${portal}/rest/1/${DEFAULT_WEBHOOK_SECRET}/`);
		for (const address of external) expect(await answers(`http://${address}:${port}`)).toBe(200);
		expect(await answers(`http://127.0.0.1:${port}`)).toBe(200);

		expect(await killNpmAndWaitForPort(npm, port, '0.0.0.0')).toBeGreaterThanOrEqual(0);
	}, 60_000);
} else {
	test.skip(`${onAllInterfaces} (skipped: this machine has no non-internal IPv4 address to reach it on)`, () => undefined);
}
