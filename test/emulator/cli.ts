/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- test-only emulator CLI: a command-line program that reads process.env, handles signals and prints to the terminal, never shipped */
// Runs the emulator alone, for manual runs and the demo: `npm run emulator`
// or `npx ts-node --transpile-only test/emulator/cli.ts`. `--help` tells the settings.

import { Bitrix24Emulator } from './server';

const HELP = `Bitrix24 portal emulator: npm run emulator [-- --help]

Settings (environment variables):
  BITRIX24_EMULATOR_PORT  listen port (default 8624; 0 picks a free one)
  BITRIX24_EMULATOR_HOST  listen address (default 127.0.0.1: this machine only);
                          0.0.0.0 listens on every interface, for an n8n in Docker or on another machine
  BITRIX24_EMULATOR_URL   the portal address it gives out: in webhook URLs, the token endpoint, OAuth tokens
                          (client_endpoint) and events (auth[domain]). Default http://HOST:PORT; listening on
                          every interface, this machine's first non-internal IPv4 address. For an n8n in Docker
                          that cannot reach that address: http://host.docker.internal:PORT (Docker Desktop; on
                          Linux start the container with --add-host=host.docker.internal:host-gateway)

It stops on Ctrl+C, SIGTERM or SIGHUP, and when the process that started it ends (e.g. npm is killed).
`;

function portOf(value: string | undefined): number {
	const port = Number(value ?? 8624);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`BITRIX24_EMULATOR_PORT is not a port: ${value}`);
	return port;
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args.includes('--help') || args.includes('-h')) return void process.stdout.write(HELP);
	if (args.length) {
		process.stderr.write(`Unknown argument: ${args[0]}\n\n${HELP}`);
		process.exit(2);
	}
	const host = process.env.BITRIX24_EMULATOR_HOST || '127.0.0.1';
	const url = process.env.BITRIX24_EMULATOR_URL || undefined;
	const emulator = await Bitrix24Emulator.start({ port: portOf(process.env.BITRIX24_EMULATOR_PORT), host, url });
	const everywhere = host === '0.0.0.0' || host === '::';
	const token = emulator.issueToken();
	const hook = emulator.webhookUrl();

	console.log(`Bitrix24 emulator listening on ${emulator.listenAddress}${everywhere ? ' (every interface)' : ''}`);
	console.log(`Portal URL:                        ${emulator.baseUrl}`);
	console.log(`Webhook URL (user 1, all scopes):  ${hook}`);
	console.log(`Read-only webhook (user 7):        ${emulator.webhookUrl(7, 'ro7secret0readonly')}`);
	console.log(`OAuth app: client_id=${emulator.oauthApp.clientId} client_secret=${emulator.oauthApp.clientSecret}`);
	console.log(`Token endpoint: ${emulator.baseUrl}/oauth/token/`);
	console.log(
		`OAuth2 credential in n8n: Portal Domain ${new URL(emulator.baseUrl).host}, Access Token URL ${emulator.baseUrl}/oauth/token/, ` +
			'the client_id and client_secret above, then Connect my account.',
	);
	console.log(
		emulator.certificatePath
			? `  Its sign-in page is https with a self-signed certificate (${emulator.certificatePath}): the browser warns, choose Advanced > Proceed.`
			: '  Its sign-in page needs https, and openssl was not found to make a certificate: Connect will not open it.',
	);
	console.log(`Access token: ${token.access_token}  refresh token: ${token.refresh_token}`);
	console.log('Example:');
	console.log(`  curl -s -X POST -H "Content-Type: application/json" -d '{"id":1038}' ${hook}crm.item.payment.pay`);
	if (url) {
		console.log('The URLs above use BITRIX24_EMULATOR_URL.');
	} else if (everywhere) {
		console.log(
			`An n8n in Docker that cannot reach ${new URL(emulator.baseUrl).hostname}: ` +
				`BITRIX24_EMULATOR_URL=http://host.docker.internal:${new URL(emulator.baseUrl).port} (see --help).`,
		);
	} else {
		console.log('Only this machine can reach it: BITRIX24_EMULATOR_HOST=0.0.0.0 for an n8n in Docker (see --help).');
	}
	console.log('Ctrl+C to stop.');

	emulator.onRequest = (r) =>
		console.log(`${new Date().toISOString()} ${r.httpMethod} ${r.path} -> ${r.status}${r.restMethod ? ` (${r.restMethod})` : ''}`);

	// Its terminal or parent may be gone: a failed write must not stop the shutdown.
	process.stdout.on('error', () => undefined);
	let stopping = false;
	const shutdown = (why: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`Stopping (${why}).`);
		// Open connections are closed by stop(); the timer only guards against a stop that never ends.
		setTimeout(() => process.exit(0), 3000).unref();
		void emulator.stop().then(() => process.exit(0));
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => shutdown(signal));
	// `npm run emulator` runs it under npm and a shell: killing npm kills neither this process nor its port, and
	// no signal comes. What changes is the parent: this process is handed to init (or a subreaper).
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) shutdown('the process that started it ended');
	}, 500).unref();
}

main().catch((e) => {
	console.error(e instanceof Error ? e.message : e);
	process.exit(1);
});
