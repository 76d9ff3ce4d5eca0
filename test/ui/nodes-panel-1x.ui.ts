/**
 * n8n 1.x's editor, in Chromium: the nodes panel, as on 2.x (editor.ui.ts). n8n merges Bitrix24 Payments Trigger into
 * Bitrix24 Payments' entry and shows the trigger's description on its details page, which must say what both do; the
 * polling trigger keeps its own entry. (1.x's search list shows names only.) Screenshots go where editor.ui.ts puts
 * its own.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: writes screenshots with node:fs, never shipped */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { Browser, Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import { N8n, OWNER, PACKAGE_NAME } from '../e2e/n8n';
import { N8N_VERSION } from '../e2e/install-n8n';
import { CHROMIUM, CHROMIUM_ARGS, MERGED_DESCRIPTION, TRIGGER_ONLY_DESCRIPTION } from './browser';

const SCREENSHOTS = resolve(__dirname, '..', '..', process.env.UI_SCREENSHOTS ?? '.ui-screenshots');

describe(`n8n ${N8N_VERSION}'s editor with ${PACKAGE_NAME} (Chromium): the nodes panel`, () => {
	let n8n: N8n;
	let browser: Browser;
	let page: Page;

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true });
		n8n = await N8n.create(N8N_VERSION);
		await n8n.start();
		await n8n.setupOwner();
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
		page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
		page.setDefaultTimeout(60_000);
	}, 20 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.dispose();
	}, 60_000);

	test('searching "Bitrix24": three entries; Bitrix24 Payments\' details page says what its actions and its trigger do', async () => {
		await page.goto(`${n8n.baseUrl}/signin`, { timeout: 120_000 });
		// 1.x's sign-in form does not tie its labels to its inputs: found by their names.
		await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 120_000 });

		await page.goto(`${n8n.baseUrl}/workflow/new`);
		await page.getByTestId('node-creator-plus-button').click();
		await page.getByPlaceholder(/Search nodes/).fill('Bitrix24');
		// 1.x's search list shows names only: one entry for the node and its trigger, one for each other trigger.
		await page.getByText('Bitrix24 Payments Polling Trigger', { exact: true }).waitFor({ state: 'visible' });
		await page.getByText('Bitrix24 Pay System Trigger', { exact: true }).waitFor({ state: 'visible' });
		await page.screenshot({ path: join(SCREENSHOTS, 'nodes-panel-1x.png') });
		// Its details page shows the merged entry's description above what it offers.
		await page.getByText('Bitrix24 Payments', { exact: true }).click();
		await page.getByText(MERGED_DESCRIPTION).first().waitFor({ state: 'visible' });
		expect(await page.getByText(TRIGGER_ONLY_DESCRIPTION, { exact: true }).count()).toBe(0);
		await page.waitForTimeout(500); // the page slides in
		await page.screenshot({ path: join(SCREENSHOTS, 'node-details-1x.png') });
	}, 300_000);
});
