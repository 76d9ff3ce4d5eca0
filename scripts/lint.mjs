// `npm run lint`: runs `n8n-node lint` unchanged (strict mode: eslint.config.mjs must be n8n's default, then
// `eslint .` with n8n's community rules) and says what it found; n8n-node prints nothing when all is clean.
// The files are counted from ESLint's own debug line per file it lints (DEBUG=eslint:eslint), not guessed.
// Exit code: n8n-node's, or 1 when ESLint reported warnings (the package allows none).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs');

const env = { ...process.env, DEBUG: 'eslint:eslint', DEBUG_COLORS: 'no' };
if (process.stdout.isTTY) env.FORCE_COLOR ??= '1';
const child = spawn(process.execPath, [bin, 'lint'], { cwd: root, env, stdio: ['inherit', 'pipe', 'pipe'] });

let out = '';
child.stdout.on('data', (chunk) => {
	out += chunk;
	process.stdout.write(chunk);
});

const linted = new Set();
let pending = '';
const keepOrCount = (line) => {
	const debug = /\beslint:eslint (.*)$/.exec(line);
	if (!debug) return true;
	const file = /^Lint (.+?)(?: \+\d+m?s)?$/.exec(debug[1]);
	if (file) linted.add(file[1]);
	return false;
};
child.stderr.on('data', (chunk) => {
	const lines = (pending + chunk).split('\n');
	pending = lines.pop();
	const kept = lines.filter(keepOrCount);
	if (kept.length) process.stderr.write(kept.map((line) => `${line}\n`).join(''));
});

const count = (n, word) => `${n} ${word}${n === '1' ? '' : 's'}`;

child.on('close', (code, signal) => {
	if (pending && keepOrCount(pending)) process.stderr.write(pending);
	if (signal) return process.kill(process.pid, signal);
	// ESLint's stylish summary, e.g. "✖ 3 problems (0 errors, 3 warnings)".
	const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
	const problems = /\d+ problems? \((\d+) errors?, (\d+) warnings?\)/.exec(plain);
	const found = problems ? `: ${count(problems[1], 'error')}, ${count(problems[2], 'warning')}` : '';
	const files = linted.size ? ` over ${linted.size} files` : '';
	if (code !== 0) {
		console.log(`lint failed${found}${files} (see above)`);
		process.exit(code ?? 1);
	}
	if (problems) {
		console.log(`lint failed${found}${files} (the package allows no warnings)`);
		process.exit(1);
	}
	console.log(`lint passed: n8n's community rules in strict mode${files}: 0 errors, 0 warnings`);
});
