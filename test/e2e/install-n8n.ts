/**
 * Installs the real n8n used by `npm run test:e2e` into a cache folder outside the repository, once:
 * `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-bitrix24-payments/n8n-<version>` (override with N8N_E2E_HOME).
 * A finished install leaves a marker file and is reused; an interrupted one is wiped and redone.
 * Run alone: `npx ts-node --transpile-only test/e2e/install-n8n.ts` (prints the n8n binary's path).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console, @n8n/community-nodes/no-dangerous-functions -- test-only installer: runs npm with node:child_process, writes the cache folder with node:fs, reads process.env, never shipped */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const N8N_VERSION = '1.123.81';

/** n8n's own `xlsx` dependency points at a host this machine cannot reach; the registry's 0.18.5 works. */
const OVERRIDES = { xlsx: '0.18.5' };

const MARKER = '.e2e-installed';

export function n8nHome(): string {
	if (process.env.N8N_E2E_HOME) return process.env.N8N_E2E_HOME;
	const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(cache, 'n8n-nodes-bitrix24-payments', `n8n-${N8N_VERSION}`);
}

export function n8nBin(home = n8nHome()): string {
	return join(home, 'node_modules', 'n8n', 'bin', 'n8n');
}

function installedVersion(home: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(home, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string })
			.version;
	} catch {
		return undefined;
	}
}

/** npm run from this project passes its `ignore-scripts=true` on in the environment; the cache is not this project. */
function npmEnvironment(): NodeJS.ProcessEnv {
	const env = { ...process.env };
	for (const key of Object.keys(env)) if (/^npm_config_ignore_scripts$/i.test(key)) delete env[key];
	return env;
}

/** The SQLite driver is native: without its build, every n8n command fails with "error initializing DB". */
function sqliteBuilt(home: string): boolean {
	const result = spawnSync(process.execPath, ['-e', "require('sqlite3')"], { cwd: home, stdio: 'ignore' });
	return result.status === 0;
}

function npm(home: string, args: string[]) {
	console.log(`[e2e] (${home}) npm ${args.join(' ')}`);
	const result = spawnSync('npm', args, { cwd: home, stdio: 'inherit', env: npmEnvironment() });
	if (result.status !== 0) {
		throw new Error(`npm ${args.join(' ')} failed in ${home} (exit ${result.status ?? result.signal})`);
	}
}

/** Returns the path of the n8n binary, installing n8n first when the cache has no finished install. */
export function ensureN8n(): string {
	const home = n8nHome();
	if (existsSync(join(home, MARKER)) && installedVersion(home) === N8N_VERSION && sqliteBuilt(home)) return n8nBin(home);

	const started = Date.now();
	console.log(`[e2e] installing n8n ${N8N_VERSION} into ${home} (about 4 minutes, 1.6 GB, once)`);
	rmSync(home, { recursive: true, force: true });
	mkdirSync(home, { recursive: true });
	writeFileSync(
		join(home, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-e2e-runtime',
				private: true,
				description: 'Real n8n for the e2e test of n8n-nodes-bitrix24-payments (generated, safe to delete)',
				dependencies: { n8n: N8N_VERSION },
				overrides: OVERRIDES,
			},
			null,
			2,
		) + '\n',
	);
	npm(home, ['install', '--ignore-scripts', '--no-audit', '--no-fund']);
	// The only native module n8n needs at run time here: its SQLite database driver.
	npm(home, ['rebuild', 'sqlite3', '--ignore-scripts=false']);
	const version = installedVersion(home);
	if (version !== N8N_VERSION) throw new Error(`installed n8n is ${version ?? 'missing'}, expected ${N8N_VERSION}`);
	if (!sqliteBuilt(home)) throw new Error(`the sqlite3 driver did not build in ${home} (python3, make and g++ are needed)`);
	writeFileSync(join(home, MARKER), `${N8N_VERSION} ${new Date().toISOString()}\n`);
	console.log(`[e2e] n8n ${N8N_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return n8nBin(home);
}

if (require.main === module) {
	try {
		console.log(ensureN8n());
	} catch (error) {
		console.error(`[e2e] ${(error as Error).message}`);
		process.exit(1);
	}
}
