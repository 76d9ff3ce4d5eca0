/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test-only: runs openssl (fixed arguments) and keeps its files in the temp folder, never shipped */
/**
 * A self-signed certificate for the emulator's https side: n8n's OAuth2 credential opens
 * `https://PORTAL/oauth/authorize/`, so a user trying Connect against the emulator needs a TLS answer on the portal's
 * address. Made once per machine with openssl (no package of ours makes X.509), kept in the temp folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
	key: Buffer;
	cert: Buffer;
	/** Where the certificate is, for NODE_EXTRA_CA_CERTS or a browser that should trust it. */
	certPath: string;
}

const DIR = join(tmpdir(), 'bitrix24-emulator-tls');

/** The certificate for localhost and 127.0.0.1 (and `extraHosts`), or undefined when openssl is not there. */
export function selfSignedCertificate(extraHosts: string[] = []): TlsFiles | undefined {
	const hosts = [...new Set(['localhost', '127.0.0.1', ...extraHosts])].sort();
	const name = hosts.join('_').replace(/[^a-z0-9._-]/gi, '-');
	// Key and certificate in one file, renamed into place: jest's workers may make it at the same moment.
	const pairPath = join(DIR, `${name}.pem`);
	const certPath = join(DIR, `${name}.cert.pem`);
	if (!existsSync(pairPath)) {
		const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
		const scratch = join(DIR, `${name}.${process.pid}.${Date.now()}`);
		try {
			mkdirSync(DIR, { recursive: true });
			execFileSync(
				'openssl',
				['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', '/CN=Bitrix24 emulator',
					'-addext', `subjectAltName=${altNames}`, '-keyout', `${scratch}.key`, '-out', `${scratch}.cert`],
				{ stdio: 'ignore' },
			);
			writeFileSync(`${scratch}.pem`, Buffer.concat([readFileSync(`${scratch}.key`), readFileSync(`${scratch}.cert`)]));
			renameSync(`${scratch}.pem`, pairPath);
		} catch {
			return undefined;
		} finally {
			for (const part of ['key', 'cert', 'pem']) rmSync(`${scratch}.${part}`, { force: true });
		}
	}
	const pair = readFileSync(pairPath, 'utf8');
	const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(pair)?.[0] ?? '';
	const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(pair)?.[0] ?? '';
	if (!existsSync(certPath)) {
		writeFileSync(`${certPath}.${process.pid}`, cert);
		renameSync(`${certPath}.${process.pid}`, certPath);
	}
	return { key: Buffer.from(key), cert: Buffer.from(cert), certPath };
}
