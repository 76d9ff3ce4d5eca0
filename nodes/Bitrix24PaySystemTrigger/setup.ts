import { createHmac } from 'crypto';
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { callPortal } from '../client/request';

/**
 * What makes the workflow a pay system of the portal (bitrix24-rest.md section 11): a REST handler in checkout mode
 * whose address is this node's webhook URL, and for each person type chosen a pay system running it. Activation
 * brings the portal to that state whatever it was (so a restart or a second activation makes nothing twice);
 * deactivation sets the pay systems inactive, so buyers never meet a method nobody answers. Nothing is deleted:
 * payments keep their pay system.
 */

/** The handler's one field: the portal posts its value with every checkout, and only this node knows it. */
export const CHECKOUT_FIELD = 'N8N_CHECKOUT_KEY';

/** A test listener gets a handler and pay systems of its own, so the active workflow's keep working meanwhile. */
const TEST_SUFFIX = { code: '_test', name: ' (n8n test)' };

export interface PaySystemSetup {
	/** The REST handler's CODE (sale.paysystem.handler.*), which its pay systems name as BX_REST_HANDLER. */
	handlerCode: string;
	paySystemName: string;
	personTypeIds: number[];
	/** Where the portal posts a checkout: this node's webhook URL. */
	checkoutUrl: string;
}

type SetupContext = IHookFunctions | IWebhookFunctions;

function isTest(ctx: SetupContext): boolean {
	return ctx.getMode() === 'manual';
}

/** The node's parameters, checked before anything is sent. */
export function setupOf(ctx: SetupContext): PaySystemSetup {
	const handlerCode = String(ctx.getNodeParameter('handlerCode', '')).trim();
	const paySystemName = String(ctx.getNodeParameter('paySystemName', '')).trim();
	const personTypeIds = (ctx.getNodeParameter('personTypeIds', []) as unknown[]).map(Number);
	const fail = (message: string, description: string) => {
		throw new NodeOperationError(ctx.getNode(), message, { description });
	};
	if (!/^[A-Za-z0-9_.-]{1,40}$/.test(handlerCode)) {
		fail('Handler Code must be 1 to 40 letters, digits, dots, dashes or underscores', 'It names the pay system handler on the portal, for example n8n_stripe_checkout.');
	}
	if (!paySystemName) fail('Pay System Name is empty', 'Buyers see this name among the ways to pay, for example "Card (Stripe)".');
	if (personTypeIds.length === 0 || personTypeIds.some((id) => !Number.isInteger(id) || id <= 0)) {
		fail('Choose at least one person type', 'The pay system is offered to buyers of the person types chosen (for example Individual, Company).');
	}
	const test = isTest(ctx);
	return {
		handlerCode: test ? `${handlerCode}${TEST_SUFFIX.code}` : handlerCode,
		paySystemName: test ? `${paySystemName}${TEST_SUFFIX.name}` : paySystemName,
		personTypeIds: [...new Set(personTypeIds)],
		checkoutUrl: String(ctx.getNodeWebhookUrl('default')),
	};
}

/**
 * The value the portal must post back: derived from the credential's own secret and the handler, so every n8n
 * process (queue mode's webhook processes too) knows it without storing it, and nobody without the credential can.
 */
export async function checkoutSecret(ctx: SetupContext, handlerCode: string): Promise<string> {
	const oAuth2 = ctx.getNodeParameter('authentication', 'webhook') === 'oAuth2';
	const credentials = await ctx.getCredentials(oAuth2 ? 'bitrix24PaymentsOAuth2Api' : 'bitrix24PaymentsWebhookApi');
	const key = String((oAuth2 ? credentials.clientSecret : credentials.webhookUrl) ?? '').trim();
	return createHmac('sha256', key).update(`bitrix24 pay system checkout ${handlerCode}`).digest('hex');
}

function handlerSettings(setup: PaySystemSetup): IDataObject {
	return {
		CLIENT_TYPE: 'b2c',
		CODES: {
			[CHECKOUT_FIELD]: {
				NAME: 'n8n checkout key',
				DESCRIPTION: 'Set by n8n when its workflow is activated; n8n refuses a checkout without it. Do not change it.',
				SORT: 100,
			},
		},
		CHECKOUT_DATA: { ACTION_URI: setup.checkoutUrl, FIELDS: { [CHECKOUT_FIELD]: { CODE: CHECKOUT_FIELD } } },
	};
}

/** The portal's rows are strings: "3", "Y". */
interface PaySystemRow {
	ID: string;
	PERSON_TYPE_ID: string;
	ACTION_FILE: string;
	ACTIVE: string;
}

/** The pay systems that run the handler (sale.paysystem.list names it ACTION_FILE and cannot filter on it). */
export async function paySystemsOf(ctx: SetupContext, handlerCode: string): Promise<PaySystemRow[]> {
	const rows = (await callPortal(ctx, 'sale.paysystem.list', { SELECT: ['ID', 'PERSON_TYPE_ID', 'ACTION_FILE', 'ACTIVE'] })) as IDataObject[];
	return (rows ?? [])
		.map((row) => ({ ID: String(row.ID), PERSON_TYPE_ID: String(row.PERSON_TYPE_ID), ACTION_FILE: String(row.ACTION_FILE ?? ''), ACTIVE: String(row.ACTIVE) }))
		.filter((row) => row.ACTION_FILE === handlerCode);
}

async function setActive(ctx: SetupContext, row: PaySystemRow, handlerCode: string, active: boolean): Promise<void> {
	// sale.paysystem.update wants the handler and the person type on every call, even to change ACTIVE alone.
	const FIELDS = { BX_REST_HANDLER: handlerCode, PERSON_TYPE_ID: row.PERSON_TYPE_ID, ACTIVE: active ? 'Y' : 'N' };
	await callPortal(ctx, 'sale.paysystem.update', { ID: row.ID, FIELDS }, { paySystemId: row.ID });
}

/** Activation: the handler pointed at this node, a pay system active for each person type, the key in each. */
export async function activate(ctx: IHookFunctions): Promise<void> {
	const setup = setupOf(ctx);
	const secret = await checkoutSecret(ctx, setup.handlerCode);

	const handlers = ((await callPortal(ctx, 'sale.paysystem.handler.list', {})) ?? []) as IDataObject[];
	const handler = handlers.find((row) => row.CODE === setup.handlerCode);
	if (handler) {
		await callPortal(ctx, 'sale.paysystem.handler.update', {
			ID: handler.ID,
			FIELDS: { NAME: setup.paySystemName, SETTINGS: handlerSettings(setup) },
		});
	} else {
		await callPortal(ctx, 'sale.paysystem.handler.add', {
			NAME: setup.paySystemName,
			CODE: setup.handlerCode,
			SORT: 100,
			SETTINGS: handlerSettings(setup),
		});
	}

	const SETTINGS = { [CHECKOUT_FIELD]: { TYPE: 'VALUE', VALUE: secret } };
	const existing = await paySystemsOf(ctx, setup.handlerCode);
	for (const personTypeId of setup.personTypeIds) {
		const row = existing.find((ps) => Number(ps.PERSON_TYPE_ID) === personTypeId);
		if (!row) {
			await callPortal(ctx, 'sale.paysystem.add', {
				NAME: setup.paySystemName,
				PERSON_TYPE_ID: personTypeId,
				BX_REST_HANDLER: setup.handlerCode,
				// Order person types live in the ORDER registry; the portal's default is the old CRM invoices'.
				ENTITY_REGISTRY_TYPE: 'ORDER',
				ACTIVE: 'Y',
				SETTINGS,
			});
			continue;
		}
		if (row.ACTIVE !== 'Y') await setActive(ctx, row, setup.handlerCode, true);
		// Written each time: someone may have changed it in Bitrix24, or the credential changed.
		await callPortal(ctx, 'sale.paysystem.settings.update', { ID: row.ID, PERSON_TYPE_ID: personTypeId, SETTINGS }, { paySystemId: row.ID });
	}
	// A person type no longer chosen: its pay system is no longer offered.
	for (const row of existing) {
		if (row.ACTIVE === 'Y' && !setup.personTypeIds.includes(Number(row.PERSON_TYPE_ID))) await setActive(ctx, row, setup.handlerCode, false);
	}
}

/** Deactivation: every pay system of the handler inactive; nothing deleted. */
export async function deactivate(ctx: IHookFunctions): Promise<void> {
	const { handlerCode } = setupOf(ctx);
	for (const row of await paySystemsOf(ctx, handlerCode)) {
		if (row.ACTIVE === 'Y') await setActive(ctx, row, handlerCode, false);
	}
}
