/**
 * The package in n8n 2.40.7's editor, in a real browser (Debian's Chromium through playwright-core), used as a
 * person uses it: sign in, create the webhook credential and see its test pass, connect an OAuth2 credential through the
 * emulator's sign-in page, find the node in the nodes panel
 * (each entry with its own description), run Mark as Paid against the Bitrix24 emulator and read its output, open
 * Order Payment > Update's fields and Pay Payment's Pay System list, run Get Many (main fields first, Limit 0
 * refused), see each trigger's single credential picker and the notice naming its mode, find the node among an AI
 * Agent's tools, and see the credential form's hints and its messages for mistyped URLs. The package is installed as a
 * community package (from `npm pack`). Screenshots go to .ui-screenshots/ (UI_SCREENSHOTS names another folder,
 * docs/screenshots/ for the README's). No browser console error may come
 * from the package; n8n's own offline noise is listed as a note.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test-only: writes screenshots with node:fs, prints a short note to process.stdout, fails with plain errors (no node to attach them to), never shipped */
import { createHash, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { Browser, Locator, Page } from 'playwright-core';
import { chromium, selectors } from 'playwright-core';

import { Bitrix24Emulator, DEFAULT_WEBHOOK_SECRET, SEED_IDS } from '../emulator/server';
import { CHROMIUM, CHROMIUM_ARGS, MERGED_DESCRIPTION, POLLING_DESCRIPTION, TRIGGER_ONLY_DESCRIPTION } from './browser';
import { N8n, OWNER, PACKAGE_NAME, sleep } from '../e2e/n8n';
import { N8N_2_VERSION } from '../e2e/install-n8n';

// A run's screenshots, out of git; `UI_SCREENSHOTS=docs/screenshots npm run test:ui` refreshes the README's.
const SCREENSHOTS = resolve(__dirname, '..', '..', process.env.UI_SCREENSHOTS ?? '.ui-screenshots');
const { payments } = SEED_IDS;

/** What the browser reported as an error, with the address it came from. */
interface BrowserError {
	kind: 'console' | 'page error' | 'HTTP' | 'request failed';
	text: string;
	url: string;
}

const PACKAGE_PATTERN = /bitrix24|n8n-nodes-bitrix24-payments/i;

/** n8n's REST calls that run the package's code from the editor: its list searches and its credential test. */
const PACKAGE_CALLS = /\/rest\/(dynamic-node-parameters|credentials\/test)/;

/** The editor looks the community package up on the npm registry, which this closed network refuses. */
const REGISTRY_LOOKUP = /^https:\/\/registry\.npmjs\.org\//;

/**
 * n8n 2.40.7's editor asks for an output-schema preview (`/schemas/<type>/<version>/<resource>/<operation>.json`,
 * served from a node's optional `__schema__` folder) of a node whose input it shows before a run, whatever the node
 * type, and the browser logs the 404 of a node that ships none. Optional in n8n, so listed in the note, not
 * counted as the package's error.
 */
const SCHEMA_PREVIEW = /\/schemas\/n8n-nodes-bitrix24-payments\.[^/]+\/[\d.]+\/.*\.json$/;

/** Retries `check` (which throws, e.g. a failed `expect`) until it passes or `ms` are over; then its last error. */
async function eventually(check: () => Promise<void>, ms = 15_000) {
	const started = Date.now();
	for (;;) {
		try {
			await check();
			return;
		} catch (error) {
			if (Date.now() - started > ms) throw error;
			await sleep(250);
		}
	}
}

/** Fails with what the user would have looked for, not only with a locator. */
async function see(locator: Locator, what: string, timeout = 20_000) {
	try {
		await locator.first().waitFor({ state: 'visible', timeout });
	} catch {
		// What the page showed instead, for the one who reads the failure.
		await locator.page().screenshot({ path: join(SCREENSHOTS, `failed-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) });
		throw new Error(`expected to see ${what} within ${timeout / 1000} s`);
	}
}

describe(`n8n editor with ${PACKAGE_NAME} (n8n 2.40.7, Chromium)`, () => {
	let emulator: Bitrix24Emulator;
	let n8n: N8n;
	let browser: Browser;
	let page: Page;
	const errors: BrowserError[] = [];
	const iconResponses: number[] = [];
	/** The OAuth2 tokens the emulator issued to n8n. */
	const tokens: string[] = [];

	const ndv = () => page.getByRole('dialog').filter({ has: page.getByRole('tab', { name: 'Parameters' }) });
	const nodesPanelSearch = () => page.getByRole('textbox', { name: 'Search nodes...' });

	async function screenshot(name: string) {
		await sleep(400); // let transitions settle
		await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
	}

	/** The nodes panel (the + button), searched for `text`. */
	async function searchNodes(text: string) {
		await page.getByRole('button', { name: 'Open nodes panel' }).click();
		await nodesPanelSearch().fill(text);
	}

	/** The nodes panel (the + button): search "Bitrix24", open Bitrix24 Payments, choose one of its actions. */
	async function addBitrix24Action(action: string) {
		await searchNodes('Bitrix24');
		await page.getByText('Bitrix24 Payments', { exact: true }).click();
		await page.getByText(action, { exact: true }).click();
		await see(ndv(), `the node's panel for "${action}"`);
	}

	/** The panel's close button (an X without an accessible name). */
	async function closeNodePanel() {
		await page.getByTestId('ndv-close-button').click();
		await ndv().waitFor({ state: 'hidden' });
	}

	/**
	 * A new workflow from the + menu; leaving one with changes, n8n asks to save them first, and we do. n8n 2.40.7
	 * sometimes stays on the workflow it has just saved there (seen on CI and here, after the polling trigger's
	 * workflow): then the menu is used again, with nothing left to save.
	 */
	async function newWorkflow() {
		const unsaved = page.getByRole('dialog', { name: 'Save changes before leaving?' });
		const emptyCanvas = page.getByText('Add first step…');
		for (let attempt = 1; ; attempt++) {
			await page.getByRole('button', { name: 'Add new item' }).click();
			await page.getByRole('menuitem', { name: 'New workflow' }).click();
			await see(unsaved.or(emptyCanvas), 'an empty workflow canvas or the question to save', 60_000);
			if (await unsaved.isVisible()) {
				await unsaved.getByRole('button', { name: 'Save', exact: true }).click();
				await unsaved.waitFor({ state: 'hidden' });
			}
			const empty = await emptyCanvas.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
			if (empty) return;
			if (attempt === 3) await see(emptyCanvas, 'an empty workflow canvas', 1);
		}
	}

	/** The + menu's New credential, the type searched for and chosen: the credential's dialog. */
	async function newCredential(type: string): Promise<Locator> {
		await page.getByRole('button', { name: 'Add new item' }).click();
		await page.getByRole('menuitem', { name: 'New credential' }).click();
		const modal = page.getByRole('dialog');
		await modal.getByRole('combobox', { name: 'Search for app...' }).fill('Bitrix24');
		await page.getByRole('option', { name: type, exact: true }).click();
		await modal.getByRole('button', { name: 'Continue' }).click();
		return modal;
	}

	/** A new workflow with the manual trigger, added as a user adds it: an action needs a trigger before it. */
	async function newWorkflowWithManualTrigger() {
		await newWorkflow();
		await searchNodes('manual');
		await page.keyboard.press('Enter');
		await see(page.getByText('When clicking ‘Execute workflow’'), 'the manual trigger on the canvas');
	}

	/** The output panel's table as records: header -> cell text. */
	async function outputRows(): Promise<Array<Record<string, string>>> {
		const table = ndv().getByRole('table');
		const headers = (await table.getByRole('columnheader').allInnerTexts()).map((text) => text.trim());
		const rows = await table.getByRole('row').all();
		const records: Array<Record<string, string>> = [];
		for (const row of rows.slice(1)) {
			const cells = (await row.getByRole('cell').allInnerTexts()).map((text) => text.trim());
			records.push(Object.fromEntries(headers.map((header, i) => [header, cells[i]]).filter(([header]) => header)));
		}
		return records;
	}

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true });
		emulator = await Bitrix24Emulator.start();
		n8n = await N8n.create(N8N_2_VERSION);
		// debug: n8n says which packages it loaded only at this level.
		await n8n.start({ N8N_LOG_LEVEL: 'debug' });
		await n8n.setupOwner();
		selectors.setTestIdAttribute('data-test-id');
		// The emulator's sign-in page has a self-signed certificate: a user clicks through the warning; the browser here
		// trusts that one key and no other certificate error.
		browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, trustOnly(emulator.certificatePath)] });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		page = await context.newPage();
		page.setDefaultTimeout(30_000);
		page.on('console', (message) => {
			if (message.type() === 'error') errors.push({ kind: 'console', text: message.text(), url: message.location().url });
		});
		page.on('pageerror', (error) => errors.push({ kind: 'page error', text: `${error.message}\n${error.stack ?? ''}`, url: '' }));
		page.on('response', (response) => {
			if (response.url().includes(`/icons/${PACKAGE_NAME}/`)) iconResponses.push(response.status());
			if (response.status() >= 400) errors.push({ kind: 'HTTP', text: String(response.status()), url: response.url() });
		});
		page.on('requestfailed', (request) => errors.push({ kind: 'request failed', text: request.failure()?.errorText ?? '', url: request.url() }));
	}, 20 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.dispose();
		await emulator?.stop();
	}, 60_000);

	test('n8n loads the package from its community package folder', () => {
		expect(n8n.log).toMatch(new RegExp(`(Loaded all credentials and nodes|Lazy-loading nodes and credentials) from ${PACKAGE_NAME}`));
		expect(n8n.log).not.toMatch(new RegExp(`(Failed to load|Skipping) package "?${PACKAGE_NAME}`));
	});

	test('the owner signs in through the sign-in page', async () => {
		await page.goto(`${n8n.baseUrl}/signin`, { timeout: 120_000 });
		await page.getByRole('textbox', { name: 'Email' }).fill(OWNER.email);
		await page.getByRole('textbox', { name: 'Password' }).fill(OWNER.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await see(page.getByRole('button', { name: 'Add new item' }), 'the signed-in home page', 120_000);
	}, 180_000);

	test('a Bitrix24 Payments Webhook API credential made through its form passes its connection test', async () => {
		const modal = await newCredential('Bitrix24 Payments Webhook API');

		await modal.getByPlaceholder('https://yourcompany.bitrix24.com/rest/1/abc123def456/').fill(emulator.webhookUrl());
		await modal.getByRole('button', { name: 'Save' }).click();

		await see(modal.getByText('Connection tested successfully'), '"Connection tested successfully"', 30_000);
		// The test asked the portal (the emulator) through this webhook.
		expect(emulator.methodCalls('scope').filter((call) => call.status === 200)).toHaveLength(1);
		await screenshot('credential-test');
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
	}, 120_000);

	test('the nodes panel finds Bitrix24 Payments; Mark as Paid run from the editor pays the payment and shows success: true', async () => {
		await newWorkflowWithManualTrigger();

		await searchNodes('Bitrix24');
		await see(page.getByText('Bitrix24 Payments', { exact: true }), '"Bitrix24 Payments" in the nodes panel');
		await page.getByText('Bitrix24 Payments', { exact: true }).click();
		// n8n lists the operations as actions, by their action text, under the resources' names.
		for (const action of ['Mark a payment as paid', 'Update an order payment', 'Pay a payment through a pay system']) {
			await see(page.getByText(action, { exact: true }), `the action "${action}"`);
		}
		await page.getByText('Mark a payment as paid', { exact: true }).click();

		const panel = ndv();
		await see(panel, 'the node panel of Mark as Paid');
		expect(await panel.getByRole('combobox', { name: 'Select Credential' }).inputValue()).toBe('Bitrix24 Payments Webhook account');
		const selects = panel.getByRole('combobox', { name: 'Select', exact: true });
		expect(await selects.nth(0).inputValue()).toBe('CRM Payment');
		expect(await selects.nth(1).inputValue()).toBe('Mark as Paid');

		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
		await panel.getByPlaceholder('e.g. 1038').fill(String(payments.UNPAID));
		await panel.getByRole('button', { name: 'Execute step' }).first().click();

		await see(panel.getByRole('table'), 'the output table', 60_000);
		await eventually(async () => expect(await outputRows()).toEqual([expect.objectContaining({ success: 'true', paymentId: String(payments.UNPAID) })]));
		expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
		expect(emulator.methodCalls('crm.item.payment.pay').map((call) => String(call.params.id))).toEqual([String(payments.UNPAID)]);
		await screenshot('mark-as-paid');

		await closeNodePanel();
		// The canvas names the operation and resource as the lists do, not by their internal values.
		const node = page.getByTestId('canvas-node').filter({ hasText: 'Mark a payment as paid' });
		await eventually(async () => expect(await node.innerText()).toContain('Mark as Paid: CRM Payment'));
		expect(await node.innerText()).not.toContain('pay: payment');
		await screenshot('canvas');
	}, 180_000);

	test('Order Payment > Update: Update Fields offers the payment fields, Paid among them', async () => {
		await addBitrix24Action('Update an order payment');
		const panel = ndv();
		const selects = panel.getByRole('combobox', { name: 'Select', exact: true });
		expect(await selects.nth(0).inputValue()).toBe('Order Payment');
		expect(await selects.nth(1).inputValue()).toBe('Update');

		// Pay System is empty by default: the payment keeps its own (Bitrix24 requires one on every update).
		await see(panel.getByText("Leave empty to keep the payment's current pay system"), "the Pay System hint about keeping the payment's own");
		await screenshot('order-payment-update-pay-system');
		await see(panel.getByText('Update Fields', { exact: true }), 'the Update Fields collection');
		await panel.getByRole('combobox', { name: 'Add Field' }).click();
		const options = await dropdownOptions(page);
		expect(options).toEqual(expect.arrayContaining(['Paid', 'Date Paid', 'Amount', 'Comments', 'Pay System Status', 'Returned']));
		await screenshot('order-payment-update-fields');

		await page.getByRole('option', { name: 'Paid', exact: true }).click();
		// The chosen field is now a parameter of the node.
		await see(panel.getByText('Paid', { exact: true }), 'the Paid field in Update Fields');
		await closeNodePanel();
	}, 120_000);

	test('Pay System > Pay Payment: From List shows the order pay systems with their IDs, not the old CRM invoice ones', async () => {
		await addBitrix24Action('Pay a payment through a pay system');
		const panel = ndv();
		const selects = panel.getByRole('combobox', { name: 'Select', exact: true });
		expect(await selects.nth(0).inputValue()).toBe('Pay System');
		expect(await selects.nth(1).inputValue()).toBe('Pay Payment');

		await panel.getByPlaceholder('Choose...').click();
		const list = page.getByRole('dialog', { name: 'From list' });
		const items = list.getByTestId('rlc-item');
		const paySystems = [...emulator.state.paySystems.values()].sort((a, b) => Number(a.SORT) - Number(b.SORT) || Number(a.ID) - Number(b.ID));
		const forOrders = paySystems.filter((paySystem) => paySystem.ENTITY_REGISTRY_TYPE === 'ORDER').map((paySystem) => `${paySystem.NAME} (ID ${paySystem.ID})`);
		const forInvoices = paySystems.filter((paySystem) => paySystem.ENTITY_REGISTRY_TYPE === 'CRM_INVOICE').map((paySystem) => paySystem.NAME);
		expect(forOrders.length).toBeGreaterThan(1);
		expect(forInvoices.length).toBeGreaterThan(0);

		await eventually(async () => expect((await items.allInnerTexts()).map((text) => text.trim())).toEqual(forOrders));
		for (const name of forInvoices) expect((await items.allInnerTexts()).join('\n')).not.toContain(name);
		await screenshot('pay-system-list');

		// The list's search asks the portal again with what was typed.
		await list.getByPlaceholder('Search...').fill('bank');
		await eventually(async () => expect((await items.allInnerTexts()).map((text) => text.trim())).toEqual([`Bank Transfer (Company) (ID ${SEED_IDS.paySystems.BANK_TRANSFER})`]));
		await items.first().click();
		await eventually(async () => expect(await panel.getByPlaceholder('Choose...').inputValue()).toContain('Bank Transfer (Company)'));
		await closeNodePanel();
	}, 120_000);

	test('the nodes panel shows each entry with its own description, and the details page the same', async () => {
		// The canvas has the manual trigger and Mark as Paid: the panel offers what comes next.
		await searchNodes('Bitrix24');
		await see(page.getByText(MERGED_DESCRIPTION), "Bitrix24 Payments' entry describing its actions and its trigger");
		expect(await page.getByText(TRIGGER_ONLY_DESCRIPTION, { exact: true }).count()).toBe(0);
		await screenshot('nodes-panel');

		await page.getByText('Bitrix24 Payments', { exact: true }).click();
		await see(page.getByText('Mark a payment as paid', { exact: true }), 'the actions of Bitrix24 Payments');
		await see(page.getByText(MERGED_DESCRIPTION), 'the description above the actions');
		await screenshot('node-details');
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
	}, 120_000);

	test('Order Payment > Get Many: Limit 0 is refused before any request; the output shows id, order and paid first; filters are named', async () => {
		await newWorkflowWithManualTrigger();
		await addBitrix24Action('Get many order payments');
		const panel = ndv();
		await see(panel.getByRole('combobox', { name: 'Add Filter' }), 'the "Add Filter" button of Filters');

		const limit = panel.getByTestId('parameter-input-limit').locator('input');
		await limit.fill('0');
		await limit.blur();
		expect(await limit.inputValue()).toBe('0');
		const lists = () => emulator.methodCalls('sale.payment.list').length;
		const before = lists();
		await panel.getByRole('button', { name: 'Execute step' }).first().click();
		await see(panel.getByText('Limit must be a positive whole number, not 0'), 'the Limit error', 60_000);
		expect(lists()).toBe(before);
		await screenshot('get-many-limit-0');

		await limit.fill('5');
		await limit.blur();
		await panel.getByRole('button', { name: 'Execute step' }).first().click();
		await see(panel.getByRole('table'), 'the output table', 60_000);
		await eventually(async () => {
			const headers = (await panel.getByRole('table').getByRole('columnheader').allInnerTexts()).map((text) => text.trim()).filter(Boolean);
			expect(headers.slice(0, 4)).toEqual(['id', 'orderId', 'accountNumber', 'paid']);
		});
		expect(await outputRows()).toHaveLength(5);
		await screenshot('get-many-output');
		await closeNodePanel();
	}, 180_000);

	test('the triggers: each mode shows one credential picker and a notice naming the mode; the polling trigger its own description', async () => {
		await newWorkflow();
		// On an empty canvas the nodes panel offers triggers.
		await searchNodes('Bitrix24');
		await see(page.getByText(POLLING_DESCRIPTION), "the polling trigger's entry with its own description");
		await see(page.getByText(MERGED_DESCRIPTION), "Bitrix24 Payments' entry among the triggers");
		await screenshot('trigger-panel');

		await page.getByText('Bitrix24 Payments', { exact: true }).click();
		await page.getByText(/payment paid/i).first().click();
		let panel = ndv();
		await see(panel.getByText(/^Mode: Outgoing Webhook \(set up in Bitrix24\)/), 'the notice naming the trigger mode');
		const picker = panel.getByRole('combobox', { name: 'Select Credential' });
		expect(await picker.count()).toBe(1);
		expect(await picker.inputValue()).toBe('Bitrix24 Payments Webhook account');
		await screenshot('trigger-mode');
		// n8n 2.x asks for the mode when the node's credential is created (the README's steps say so).
		await picker.click();
		await page.getByText('Create new credential').click();
		const dialog = page.getByRole('dialog').filter({ hasText: 'Setup credential' });
		await see(dialog.getByText('Outgoing Webhook (Set Up in Bitrix24)', { exact: true }), 'the mode, chosen at the top of the credential dialog');
		await dialog.getByText('Outgoing Webhook (Set Up in Bitrix24)', { exact: true }).click();
		await see(page.getByText('OAuth2 (Subscribes Itself)', { exact: true }), 'OAuth2 among the modes of the credential dialog');
		await screenshot('trigger-credential-dialog');
		// Escape closes the menu, or the dialog with it (nothing was saved).
		await page.keyboard.press('Escape');
		await sleep(400);
		if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Close this dialog' }).click();
		await dialog.waitFor({ state: 'hidden' });
		// The same Escape may have closed the node's panel as well.
		if (await ndv().isVisible()) await closeNodePanel();

		await newWorkflow();
		await searchNodes('Bitrix24');
		await page.getByText('Bitrix24 Payments Polling Trigger', { exact: true }).click();
		await see(page.getByText(POLLING_DESCRIPTION), "the polling trigger's details page with its own description");
		await screenshot('polling-trigger-details');
		await page.getByRole('button', { name: 'Add to workflow' }).click();
		panel = ndv();
		await see(panel.getByText(/^Mode: Inbound Webhook \(paid payments by date\)/), 'the notice naming the polling mode');
		expect(await panel.getByRole('combobox', { name: 'Select Credential' }).count()).toBe(1);
		// Its webhook only marks activation and deactivation: the panel offers a poll, not a test URL to call.
		await see(panel.getByRole('button', { name: 'Fetch Test Event' }), 'Fetch Test Event on the polling trigger');
		expect(await panel.getByText(/Webhook URLs|Listen for test event/).count()).toBe(0);
		await screenshot('polling-trigger-mode');
		await closeNodePanel();
	}, 180_000);

	test('Bitrix24 Pay System Trigger: added from the nodes panel, its notices say how to answer, Person Types come from the portal', async () => {
		await newWorkflow();
		await searchNodes('Bitrix24');
		await page.getByText('Bitrix24 Pay System Trigger', { exact: true }).click();
		const add = page.getByRole('button', { name: 'Add to workflow' });
		if (await add.isVisible().catch(() => false)) await add.click();
		const panel = ndv();
		await see(panel.getByText(/^Mode: Inbound Webhook/), 'the notice naming the mode');
		await see(panel.getByText(/its last node's first item is the answer/), 'the notice saying what the workflow must answer');
		expect(await panel.getByRole('combobox', { name: 'Select Credential' }).inputValue()).toBe('Bitrix24 Payments Webhook account');

		await panel.getByTestId('parameter-input-personTypeIds').click();
		const options = await dropdownOptions(page);
		expect(options).toEqual(['Individual (1)', 'Company (2)']);
		// n8n loads them from the portal as the panel opens.
		expect(emulator.methodCalls('sale.persontype.list').length).toBeGreaterThan(0);
		await page.getByRole('option', { name: 'Individual (1)' }).click();
		await page.keyboard.press('Escape');
		// Filled in, so that the next test's new workflow can save this one (n8n refuses to save empty required fields).
		await panel.getByPlaceholder('Card (Stripe)').fill('Card (n8n)');
		await screenshot('pay-system-trigger');
		await closeNodePanel();
	}, 120_000);

	test("an AI Agent's Tool connector lists Bitrix24 Payments Tool", async () => {
		await newWorkflow();
		await searchNodes('AI Agent');
		await page.getByText('AI Agent', { exact: true }).click();
		await see(ndv(), "the AI Agent's panel");
		await closeNodePanel();

		// Scroll the canvas left, so that the agent stays in sight beside the Tools panel for the screenshot.
		await page.mouse.move(700, 300);
		await page.mouse.wheel(900, 0);
		// The + under the agent's "Tool" label.
		const toolConnector = page.getByTestId('canvas-node-input-handle').filter({ hasText: /^Tool$/ });
		await toolConnector.getByTestId('canvas-handle-plus').click();
		await see(page.getByText('Tools', { exact: true }), 'the Tools panel');
		await nodesPanelSearch().fill('Bitrix24');
		await see(page.getByText('Bitrix24 Payments Tool', { exact: true }), '"Bitrix24 Payments Tool" among the tools');
		await screenshot('ai-agent-tools');
	}, 120_000);

	test('the credential form: every field has a hint; mistyped URLs get messages naming the host and the fix, never the secret', async () => {
		const modal = await newCredential('Bitrix24 Payments Webhook API');

		await see(modal.getByText(/^In Bitrix24: Developer resources > Other > Inbound webhook/), 'the hint of Webhook URL');
		await see(modal.getByText(/the webhook's page shows its "Application token"/), 'the hint of the application token');
		await see(modal.getByText(/^Bitrix24 cloud Enterprise plans: Enterprise/), 'the hint of Rate Limit');
		await screenshot('credential-hints');

		const url = modal.getByPlaceholder('https://yourcompany.bitrix24.com/rest/1/abc123def456/');
		for (const [typed, message, name] of [
			[`https://yourcompnay.invalid/rest/1/${DEFAULT_WEBHOOK_SECRET}/`, /No server named yourcompnay\.invalid was found/, 'credential-test-unknown-host'],
			[`${new URL(emulator.baseUrl).host}/rest/1/${DEFAULT_WEBHOOK_SECRET}/`, /This is not a Bitrix24 inbound webhook URL: .*https:\/\/ included/, 'credential-test-no-https'],
		] as const) {
			await url.fill(typed);
			await modal.getByRole('button', { name: 'Save' }).click();
			// n8n may fold a long message behind "More details".
			const details = modal.getByText('More details', { exact: true });
			try {
				await see(modal.getByText(message).or(details), `the message ${String(message)}`, 45_000);
				if (await details.first().isVisible()) await details.first().click();
				await see(modal.getByText(message), `the message ${String(message)}`, 10_000);
			} catch (error) {
				await screenshot(`${name}-failed`);
				throw error;
			}
			expect(await modal.innerText()).not.toContain(DEFAULT_WEBHOOK_SECRET);
			await screenshot(name);
		}
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
	}, 120_000);

	// Last of the flows: n8n gives new nodes the newest credential, and the tests above expect the webhook one.
	test("a Bitrix24 Payments OAuth2 API credential connects through the portal's sign-in page (Connect)", async () => {
		const modal = await newCredential('Bitrix24 Payments OAuth2 API');

		const field = (name: string) => modal.getByTestId(`parameter-input-${name}`).getByTestId('parameter-input-field');
		await modal.getByPlaceholder('yourcompany.bitrix24.com').fill(new URL(emulator.baseUrl).host);
		await field('accessTokenUrl').fill(`${emulator.baseUrl}/oauth/token/`);
		await field('clientId').fill(emulator.oauthApp.clientId);
		await field('clientSecret').fill(emulator.oauthApp.clientSecret);

		// n8n opens https://<Portal Domain>/oauth/authorize/ in a window of its own.
		const signInWindow = page.waitForEvent('popup');
		// n8n 2.40.7 names the button "Connect" (older versions "Connect my account").
		await modal.getByRole('button', { name: 'Connect', exact: true }).click();
		const popup = await signInWindow;
		await see(popup.getByRole('button', { name: 'Sign in and allow' }), "the portal's sign-in page", 30_000);
		expect(new URL(popup.url()).protocol).toBe('https:');
		expect(new URL(popup.url()).searchParams.get('client_id')).toBe(emulator.oauthApp.clientId);
		await sleep(400);
		await popup.screenshot({ path: join(SCREENSHOTS, 'oauth-sign-in.png') });
		await popup.getByRole('button', { name: 'Sign in and allow' }).click();

		await see(modal.getByText('Account connected'), '"Account connected" in the credential dialog', 30_000);
		// n8n exchanged the code the page gave it, once, with the app's secret.
		const exchanges = emulator.tokenRequests().filter((r) => r.params.grant_type === 'authorization_code');
		expect(exchanges.map((r) => [r.status, r.params.client_id])).toEqual([[200, emulator.oauthApp.clientId]]);
		await screenshot('oauth-connected');
		expect(await modal.innerText()).not.toContain(emulator.oauthApp.clientSecret);
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
		for (const token of [...emulator.state.tokens.keys(), ...emulator.state.refreshTokens.keys()]) tokens.push(token);
	}, 120_000);

	test('the node icon loads and no browser console error comes from the package', () => {
		expect(iconResponses.length).toBeGreaterThan(0);
		expect(iconResponses.filter((status) => status !== 200)).toEqual([]);

		const fromPackage = errors.filter(
			(error) =>
				(PACKAGE_PATTERN.test(`${error.text} ${error.url}`) && !SCHEMA_PREVIEW.test(error.url) && !REGISTRY_LOOKUP.test(error.url)) ||
				(error.kind === 'HTTP' && PACKAGE_CALLS.test(error.url)),
		);
		expect(fromPackage.map((error) => `${error.kind}: ${error.text.split('\n')[0]} ${error.url}`)).toEqual([]);

		const others = new Map<string, number>();
		for (const error of errors) {
			if (fromPackage.includes(error)) continue;
			const where = SCHEMA_PREVIEW.test(error.url)
				? 'an output-schema preview n8n asks for, which the package does not ship'
				: REGISTRY_LOOKUP.test(error.url)
					? "n8n's lookup of the package on the npm registry"
					: error.url.replace(/\?.*$/, '');
			const line = `${error.kind} ${error.text.split('\n')[0].slice(0, 120)}${where ? ` (${where})` : ''}`;
			others.set(line, (others.get(line) ?? 0) + 1);
		}
		if (others.size > 0) {
			process.stdout.write(
				`\nNote: ${errors.length} browser errors, none from the package (n8n offline and editor noise):\n` +
					[...others].map(([line, count]) => `  ${count > 1 ? `${count} x ` : ''}${line}`).join('\n') +
					'\n',
			);
		}
	});

	test("no secret reaches n8n's log", () => {
		expect(n8n.log).not.toContain(DEFAULT_WEBHOOK_SECRET);
		expect(n8n.log).not.toContain(emulator.oauthApp.clientSecret);
		expect(tokens.length).toBeGreaterThanOrEqual(2);
		for (const token of tokens) expect(n8n.log).not.toContain(token);
	});
});

/** Chromium's flag that accepts the one certificate at `path` (by the hash of its public key) despite its issuer. */
function trustOnly(path: string | undefined): string {
	if (!path) throw new Error('the emulator has no certificate (is openssl installed?)');
	const spki = createPublicKey(readFileSync(path)).export({ type: 'spki', format: 'der' });
	return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}

/** The options of the dropdown that just opened, once they are there. */
async function dropdownOptions(page: Page): Promise<string[]> {
	let options: string[] = [];
	await eventually(async () => {
		options = (await page.getByRole('option').allInnerTexts()).map((text) => text.trim());
		expect(options.length).toBeGreaterThan(0);
	});
	return options;
}
