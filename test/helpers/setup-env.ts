/**
 * Jest `setupFiles` entry: runs in every test file's module registry before the
 * test file itself, so before anything imports n8n-core.
 *
 * n8n-core reads these variables when its services are first built (lazily, from
 * its DI container), so they must be in place before the first run.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Jest only, never shipped */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// No task runners: the engine evaluates in-process (and isolated-vm is not built here).
process.env.N8N_RUNNERS_ENABLED = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

// InstanceSettings writes `<folder>/.n8n/config` on first use: keep it out of $HOME.
process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-jest-'));

// A fixed key stops InstanceSettings from generating one and logging about it.
process.env.N8N_ENCRYPTION_KEY ??= 'jest-test-encryption-key';

// Quiet by default: the engine logs every node error with its stack (ErrorReporter).
// Run with N8N_LOG_LEVEL=debug to see the engine's logs, OAuth2 refreshes included.
process.env.N8N_LOG_LEVEL ??= 'silent';

// The emulator and the self-check servers listen on 127.0.0.1, which SSRF
// protection (off by default) would block; pin it off in case the shell enables it.
process.env.N8N_SSRF_PROTECTION_ENABLED = 'false';
