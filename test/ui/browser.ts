/**
 * What the editor UI tests share: the browser they drive, and the descriptions n8n's nodes panel must show.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: reads CHROMIUM_PATH from the environment, never shipped */

// Debian's Chromium; CHROMIUM_PATH names another Chromium-based browser (GitHub's runners have Chrome, not Chromium).
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// The closed network refuses Chromium's background connections; without these it keeps retrying them.
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** What n8n shows for the entry it merges of Bitrix24 Payments and its trigger (the trigger's description). */
export const MERGED_DESCRIPTION =
	/^Mark Bitrix24 payments paid, update, list and delete them, pay them through pay systems, or start a workflow when one is paid, saved or deleted/;
export const POLLING_DESCRIPTION = /^Starts the workflow for Bitrix24 payments paid, saved or deleted since its last look/;
/** The description the action node's entry showed before: the trigger's alone. */
export const TRIGGER_ONLY_DESCRIPTION = 'Starts the workflow when a Bitrix24 payment is paid, saved or deleted';
