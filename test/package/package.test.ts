/**
 * What `npm publish` would ship, checked as n8n's verification and a careful user would: only the built node,
 * its credentials, icons and codex, README, LICENSE and package.json; no tests, no source maps, no secrets; a
 * complete package.json with no runtime dependencies.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code runs npm pack (fixed arguments) and reads the packed files */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */

import { DEFAULT_WEBHOOK_SECRET, READ_ONLY_WEBHOOK, CRM_ONLY_WEBHOOK } from '../emulator/server';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
	n8n: { nodes: string[]; credentials: string[]; n8nNodesApiVersion: number; strict: boolean };
};

// `npm test` builds first, so dist/ is what would be packed.
const packed = JSON.parse(
	execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as Array<{ files: Array<{ path: string }> }>;
const files = packed[0].files.map((file) => file.path);

test('only dist, README, LICENSE and package.json are packed', () => {
	const outside = files.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(path));
	expect(outside).toEqual([]);
	expect(files.filter((path) => /\.map$|(^|\/)test\/|\.test\.|\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
});

test("the node, both credentials, both icons, the codex and the output schemas are there, and every file the n8n block names", () => {
	for (const path of [
		'dist/nodes/Bitrix24Payments/Bitrix24Payments.node.js',
		'dist/nodes/Bitrix24Payments/Bitrix24Payments.node.json',
		'dist/credentials/Bitrix24PaymentsWebhookApi.credentials.js',
		'dist/credentials/Bitrix24PaymentsOAuth2Api.credentials.js',
		'dist/icons/bitrix24.svg',
		'dist/icons/bitrix24.dark.svg',
		// The output schemas, where n8n's schema preview looks: beside each node's file.
		'dist/nodes/Bitrix24Payments/__schema__/v1.0.0/orderPayment/update.json',
		'dist/nodes/Bitrix24Payments/__schema__/v1.0.0/payment/pay.json',
		'dist/nodes/Bitrix24PaymentsTrigger/__schema__/v1.0.0.json',
		'dist/nodes/Bitrix24PaymentsPollingTrigger/__schema__/v1.0.0.json',
		'dist/nodes/Bitrix24PaySystemTrigger/__schema__/v1.0.0.json',
		...pkg.n8n.nodes,
		...pkg.n8n.credentials,
	]) {
		expect(files).toContain(path);
	}
});

test('no secret of any kind in the packed files', () => {
	const texts = files.map((path) => [path, readFileSync(join(root, path), 'utf8')] as const);
	for (const [path, text] of texts) {
		for (const secret of [DEFAULT_WEBHOOK_SECRET, READ_ONLY_WEBHOOK.secret, CRM_ONLY_WEBHOOK.secret, 'emulator-client-secret']) {
			expect(`${path}: ${text.includes(secret)}`).toBe(`${path}: false`);
		}
		// A webhook URL with a real-looking secret; the placeholders shown to users are known.
		const urls = (text.match(/\/rest\/\d+\/[A-Za-z0-9]{8,}\//g) ?? []).filter((url) => !url.includes('abc123def456'));
		expect(`${path}: ${urls.join(', ')}`).toBe(`${path}: `);
	}
});

test('package.json is complete for n8n verification', () => {
	expect(pkg.name).toBe('n8n-nodes-bitrix24-payments');
	expect(pkg.license).toBe('MIT');
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\//) });
	expect(pkg.homepage).toMatch(/^https:\/\//);
	expect(pkg.author).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@') });
	expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: true });
	expect(pkg.description).toEqual(expect.any(String));
});
