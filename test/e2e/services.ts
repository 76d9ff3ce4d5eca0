/**
 * The services n8n's queue mode needs, started for one test run and stopped after it, on loopback: a private
 * PostgreSQL cluster (Debian's postgresql package: initdb and pg_ctl, run as the `postgres` user when the tests run
 * as root, as CI does) and a Redis server (Debian's redis-server). `.ci/run` installs both when missing.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: runs the database and Redis as child processes in a throwaway folder, never shipped */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort, sleep } from './n8n';

const run = promisify(execFile);

export interface Service {
	port: number;
	stop(): Promise<void>;
}

/** Debian keeps PostgreSQL's programs under /usr/lib/postgresql/<major>/bin. */
function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
	if (majors.length === 0) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
	return join(root, majors[0], 'bin');
}

/** As root, PostgreSQL's programs run as `postgres` (initdb refuses root); otherwise as the user running the tests. */
async function asPostgres(program: string, args: string[]) {
	const asRoot = process.getuid?.() === 0;
	return await run(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args);
}

/** A PostgreSQL cluster of its own with a database `n8n`, user `postgres` trusted on 127.0.0.1. */
export async function startPostgres(): Promise<Service> {
	const bin = postgresBin();
	const folder = mkdtempSync(join(tmpdir(), 'n8n-e2e-pg-'));
	chmodSync(folder, 0o777);
	const data = join(folder, 'data');
	const port = await freePort();
	await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
	await asPostgres(join(bin, 'pg_ctl'), [
		'-D', data, '-l', join(folder, 'log'), '-w', '-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start',
	]);
	await run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE n8n']);
	return {
		port,
		stop: async () => {
			await asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
			rmSync(folder, { recursive: true, force: true });
		},
	};
}

/** A Redis server of its own, nothing saved to disk. */
export async function startRedis(): Promise<Service> {
	const folder = mkdtempSync(join(tmpdir(), 'n8n-e2e-redis-'));
	const port = await freePort();
	const pidFile = join(folder, 'redis.pid');
	await run('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--daemonize', 'yes', '--save', '', '--dir', folder, '--pidfile', pidFile]);
	for (let i = 0; i < 50 && !existsSync(pidFile); i++) await sleep(100);
	return {
		port,
		stop: async () => {
			await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
			rmSync(folder, { recursive: true, force: true });
		},
	};
}

/** What every process of a queue-mode n8n needs to find its database and Redis. */
export function queueModeEnv(postgres: Service, redis: Service): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
	};
}
