/**
 * `npm run path`: which of the package's files one CRM Payment > Mark as Paid goes through, measured rather than
 * read: the built node (dist/) runs three items on n8n's real engine against the emulator, once to warm up, then
 * again under V8's precise coverage; a file counts when a function of it (not its loading) ran. Also prints which
 * client modules the node file imports and which files read an error code's classification (codes.ts).
 * The README's architecture walk (docs/development.md) is checked against this.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a command-line program that prints its measurement */
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, relative } from 'node:path';

import '../test/helpers/setup-env';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

interface FunctionCoverage {
	functionName: string;
	ranges: Array<{ startOffset: number; endOffset: number; count: number }>;
}

/** dist files, relative, with every function of theirs that ran (a module's own top level excluded). */
function ranFiles(result: Array<{ url: string; functions: FunctionCoverage[] }>): Map<string, string[]> {
	const files = new Map<string, string[]>();
	for (const script of result) {
		const path = script.url.replace(/^file:\/\//, '');
		if (!path.startsWith(`${DIST}/nodes`) && !path.startsWith(`${DIST}/credentials`)) continue;
		const ran = script.functions
			.filter((fn) => fn.ranges[0].count > 0 && !(fn.functionName === '' && fn.ranges[0].startOffset === 0))
			.map((fn) => fn.functionName || '(anonymous)');
		if (ran.length > 0) files.set(relative(DIST, path).replace(/\.js$/, '.ts'), [...new Set(ran)]);
	}
	return files;
}

function importsOf(file: string): string[] {
	const text = readFileSync(join(ROOT, file), 'utf8');
	return [...text.matchAll(/^import [^;]*? from '([^']+)';/gm)].map((match) => match[1]);
}

function tsFiles(dir: string): string[] {
	return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
	);
}

async function main() {
	const { Bitrix24Emulator } = await import('../test/emulator/server');
	const { runNode } = await import('../test/helpers/engine');
	const { itemsOf } = await import('../test/helpers/bitrix24');
	const emulator = await Bitrix24Emulator.start();
	const session = new Session();
	session.connect();
	try {
		const markAsPaid = async () => {
			const ids = [...emulator.state.payments.values()].filter((payment) => payment.paid === 'N').slice(0, 3).map((p) => p.id);
			const result = await runNode({
				emulator,
				parameters: { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' },
				items: itemsOf(...ids.map((id) => ({ id }))),
			});
			if (result.error || result.items.length !== ids.length) throw new Error(`Mark as Paid failed: ${String(result.error?.message)}`);
		};
		await markAsPaid();
		await session.post('Profiler.enable');
		await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
		await markAsPaid();
		const { result } = await session.post('Profiler.takePreciseCoverage');
		await session.post('Profiler.stopPreciseCoverage');
		const files = ranFiles(result as Array<{ url: string; functions: FunctionCoverage[] }>);
		console.log(`Mark as Paid, 3 items, one batch request: ${files.size} files of the package ran`);
		for (const [file, functions] of [...files].sort()) console.log(`  ${file.padEnd(52)} ${functions.join(', ')}`);
	} finally {
		session.disconnect();
		await emulator.stop();
	}

	const node = 'nodes/Bitrix24Payments/Bitrix24Payments.node.ts';
	const fromClient = importsOf(node).filter((path) => path.includes('/client/'));
	console.log(`\n${node} imports ${fromClient.length} client modules: ${fromClient.join(', ')}`);

	const readers = tsFiles('nodes').filter((file) =>
		/\b(classOf|classOfCode|messageOf|resendOf)\b/.test(readFileSync(join(ROOT, file), 'utf8')) && !file.endsWith('codes.ts'),
	);
	// A comparison of a code with a literal, or a table of codes, outside the code table.
	const literal = tsFiles('nodes').filter(
		(file) =>
			!file.endsWith('codes.ts') &&
			readFileSync(join(ROOT, file), 'utf8')
				.split('\n')
				.some((line) => !line.includes('typeof') && /[cC]ode\b[^;]*===\s*'|\bcodes:\s*\[/.test(line)),
	);
	console.log(`Error codes are classified in nodes/client/codes.ts; read through it by ${readers.length} files: ${readers.join(', ')}`);
	console.log(`Files that compare a code themselves: ${literal.length}${literal.length ? `: ${literal.join(', ')}` : ''}`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
