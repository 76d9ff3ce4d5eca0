/**
 * How n8n's processes reach the fake Stripe (`test/helpers/fake-stripe.ts`, over https) as https://api.stripe.com:
 * n8n calls that address itself (the Stripe nodes hard-code it, the example's HTTP Request names it), so its
 * processes get the fake's certificate in NODE_EXTRA_CA_CERTS and a preload (`--require`) that sends connections for
 * api.stripe.com:443 to the fake's port, keeping the TLS server name api.stripe.com.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: the preload file for n8n's processes, never shipped */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */

import type { FakeStripe } from '../helpers/fake-stripe';
import { STRIPE_HOST } from '../helpers/fake-stripe';

/** The environment an n8n process needs to reach `stripe` as https://api.stripe.com; the preload is written into `folder` (n8n's user folder, removed with it). */
export function stripeRedirectEnv(stripe: FakeStripe, folder: string): NodeJS.ProcessEnv {
	if (!stripe.certPath) throw new Error('n8n reaches the fake Stripe as https://api.stripe.com: start it over https');
	const preload = join(folder, 'stripe-redirect.js');
	writeFileSync(preload, redirectPreload(STRIPE_HOST, stripe.port));
	return { NODE_EXTRA_CA_CERTS: stripe.certPath, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim() };
}

/**
 * The preload n8n's processes get with `--require`: connections for host:443 go to the fake's port on 127.0.0.1,
 * keeping `servername` (the certificate is checked against the real name). Plain JavaScript: n8n's Node.js runs it.
 */
function redirectPreload(host: string, port: number): string {
	return `'use strict';
// Written by test/e2e/stripe-redirect.ts: ${host}:443 is the fake Stripe on 127.0.0.1:${port}.
const net = require('net');
const tls = require('tls');
const HOST = ${JSON.stringify(host)};
const PORT = ${port};
function redirect(args, secure) {
	let options;
	let rest;
	if (args[0] !== null && typeof args[0] === 'object') {
		options = { ...args[0] };
		rest = args.slice(1);
	} else {
		// (port, host?, options?, callback?)
		options = { port: args[0] };
		rest = [];
		for (const arg of args.slice(1)) {
			if (typeof arg === 'string') options.host = arg;
			else if (arg !== null && typeof arg === 'object') Object.assign(options, arg);
			else rest.push(arg);
		}
	}
	const name = options.host || options.hostname || (secure ? options.servername : undefined);
	if (name !== HOST || Number(options.port || (secure ? 443 : 80)) !== 443) return args;
	if (secure) options.servername = options.servername || HOST;
	options.host = '127.0.0.1';
	delete options.hostname;
	options.port = PORT;
	return [options, ...rest];
}
const tlsConnect = tls.connect;
tls.connect = function connect(...args) {
	return tlsConnect.apply(this, redirect(args, true));
};
const netConnect = net.connect;
net.connect = net.createConnection = function connect(...args) {
	return netConnect.apply(this, redirect(args, false));
};
`;
}
