/**
 * The package as npm would ship it (`npm pack`), unpacked outside the project: what n8n loads as a custom
 * extension in the end-to-end tests (n8n resolves its own n8n-workflow for it).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: runs npm and tar as child processes from the project folder, never shipped */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** Packs the built package into `folder` and returns the path of its unpacked `dist`. */
export async function packedExtension(folder: string): Promise<string> {
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: ROOT });
	const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
	await run('tar', ['-xzf', join(folder, filename), '-C', folder]);
	return join(folder, 'package', 'dist');
}
