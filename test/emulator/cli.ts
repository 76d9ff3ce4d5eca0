/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- test-only emulator CLI: a command-line program that reads process.env, handles signals and prints to the terminal, never shipped */
// Runs the emulator alone, for manual runs and the demo: `npm run emulator`
// or `npx ts-node --transpile-only test/emulator/cli.ts`. Stops on Ctrl+C.

import { Bitrix24Emulator } from './server';

async function main(): Promise<void> {
	const port = Number(process.env.BITRIX24_EMULATOR_PORT ?? 8624);
	const emulator = await Bitrix24Emulator.start({ port });
	const token = emulator.issueToken();
	const hook = emulator.webhookUrl();

	console.log(`Bitrix24 emulator listening on ${emulator.baseUrl}`);
	console.log(`Webhook URL (user 1, all scopes): ${hook}`);
	console.log(`Read-only webhook (user 7):        ${emulator.webhookUrl(7, 'ro7secret0readonly')}`);
	console.log(`OAuth app: client_id=${emulator.oauthApp.clientId} client_secret=${emulator.oauthApp.clientSecret}`);
	console.log(`Token endpoint: ${emulator.baseUrl}/oauth/token/`);
	console.log(`Access token: ${token.access_token}  refresh token: ${token.refresh_token}`);
	console.log('Example:');
	console.log(`  curl -s -X POST -H "Content-Type: application/json" -d '{"id":1038}' ${hook}crm.item.payment.pay`);
	console.log('Ctrl+C to stop.');

	emulator.onRequest = (r) =>
		console.log(`${new Date().toISOString()} ${r.httpMethod} ${r.path} -> ${r.status}${r.restMethod ? ` (${r.restMethod})` : ''}`);

	const shutdown = () => {
		void emulator.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
