/**
 * OAuth2: calls go to the token's client_endpoint with the Bearer token; an expired token is refreshed exactly
 * once (through n8n's own OAuth2 code) and the call repeated; a refused refresh says to reconnect.
 */
import { Bitrix24Emulator, SEED_IDS } from '../emulator/server';
import { credentialData, itemsOf } from '../helpers/bitrix24';
import { runNode } from '../helpers/engine';

const { payments } = SEED_IDS;
let emulator: Bitrix24Emulator;

beforeAll(async () => {
	emulator = await Bitrix24Emulator.start();
});
afterAll(async () => await emulator.stop());
beforeEach(() => emulator.reset());

const pay = { resource: 'payment', operation: 'pay', paymentId: '={{ $json.id }}' };

test('calls carry the access token as a Bearer header, to the client_endpoint', async () => {
	const token = emulator.issueToken();
	const result = await runNode({ emulator, auth: 'oAuth2', parameters: pay, items: itemsOf({ id: payments.UNPAID }), credentials: credentialData(emulator, 'oAuth2', token) });

	expect(result.error).toBeUndefined();
	const [call] = emulator.restCalls();
	expect(call.path).toBe('/rest/crm.item.payment.pay');
	expect(call.headers.authorization).toBe(`Bearer ${token.access_token}`);
	expect(emulator.tokenRequests()).toEqual([]);
});

test('without client_endpoint in the token, calls go to https://DOMAIN/rest/', async () => {
	const data = credentialData(emulator, 'oAuth2');
	delete (data.oauthTokenData as Record<string, unknown>).client_endpoint;
	data.domain = 'https://unreachable.invalid/some/path';
	const result = await runNode({ emulator, auth: 'oAuth2', parameters: pay, items: itemsOf({ id: payments.UNPAID }), credentials: data });

	// The domain is cleaned to its host; the request fails there, and says so.
	expect(result.error?.message).toBe('Bitrix24 could not mark the payment as paid: no answer from the portal');
	expect(result.error?.description).toMatch(/ENOTFOUND|EAI_AGAIN/);
	expect(emulator.restCalls()).toEqual([]);
});

test('an expired token is refreshed once, stored rotated, and the call repeated once', async () => {
	const expired = emulator.issueToken({ expired: true });
	const result = await runNode({
		emulator,
		auth: 'oAuth2',
		parameters: pay,
		items: itemsOf({ id: payments.UNPAID }),
		credentials: credentialData(emulator, 'oAuth2', expired),
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toEqual([{ json: { success: true, paymentId: payments.UNPAID }, pairedItem: { item: 0 } }]);
	expect(emulator.tokenRequests()).toHaveLength(1);
	expect(emulator.tokenRequests()[0].params).toMatchObject({ grant_type: 'refresh_token', refresh_token: expired.refresh_token });
	expect(result.credentialUpdates).toHaveLength(1);
	const stored = result.credentialUpdates[0].oauthTokenData as Record<string, string>;
	expect(stored.access_token).not.toBe(expired.access_token);
	expect(stored.refresh_token).not.toBe(expired.refresh_token);

	const calls = emulator.restCalls('crm.item.payment.pay');
	expect(calls.map((call) => [call.status, call.headers.authorization])).toEqual([
		[401, `Bearer ${expired.access_token}`],
		[200, `Bearer ${stored.access_token}`],
	]);
	expect((calls[0].response as Record<string, string>).error).toBe('expired_token');
});

test.each([
	['in one batch request', true],
	['with Batch Requests off, one request per item', false],
])('several items with an expired token %s: one refresh for all, every payment paid once', async (_name, batch) => {
	const expired = emulator.issueToken({ expired: true });
	const ids = [payments.UNPAID, payments.UNPAID_2, payments.PAID];
	const result = await runNode({
		emulator,
		auth: 'oAuth2',
		parameters: { ...pay, requestOptions: { batch } },
		items: itemsOf(...ids.map((id) => ({ id }))),
		credentials: credentialData(emulator, 'oAuth2', expired),
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(3);
	expect(emulator.tokenRequests()).toHaveLength(1);
	const ran = emulator.methodCalls('crm.item.payment.pay').filter((call) => call.ran);
	expect(ran.map((call) => Number(call.params.id)).sort()).toEqual([...ids].sort());
	if (batch) expect(emulator.restCalls().map((call) => [call.restMethod, call.status])).toEqual([['batch', 401], ['batch', 200]]);
	else expect(emulator.restCalls('batch')).toEqual([]);
});

test('a refused refresh (refresh token revoked) fails with "reconnect", and nothing is written', async () => {
	const expired = emulator.issueToken({ expired: true });
	const data = credentialData(emulator, 'oAuth2', { ...expired, refresh_token: 'revoked-refresh-token' });
	const result = await runNode({ emulator, auth: 'oAuth2', parameters: pay, items: itemsOf({ id: payments.UNPAID }), credentials: data });

	expect(result.error?.message).toMatch(/needs to be reconnected/);
	expect(emulator.tokenRequests()).toHaveLength(1);
	expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
});

test('an unknown access token is refreshed like an expired one', async () => {
	const token = emulator.issueToken();
	const data = credentialData(emulator, 'oAuth2', { ...token, access_token: 'forged-access-token' });
	const result = await runNode({ emulator, auth: 'oAuth2', parameters: pay, items: itemsOf({ id: payments.UNPAID }), credentials: data });

	expect(result.error).toBeUndefined();
	expect(emulator.tokenRequests()).toHaveLength(1);
	expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('Y');
});

test('a wrong client secret: the refresh is refused, and the message says which setting to fix', async () => {
	const expired = emulator.issueToken({ expired: true });
	const data = { ...credentialData(emulator, 'oAuth2', expired), clientSecret: 'not-the-app-secret' };
	const result = await runNode({ emulator, auth: 'oAuth2', parameters: pay, items: itemsOf({ id: payments.UNPAID }), credentials: data });

	expect(result.error?.message).toBe("Bitrix24 could not mark the payment as paid: the OAuth server rejected the app's client ID or secret");
	expect(result.error?.description).toMatch('Copy the client ID and client secret of the Bitrix24 app');
	expect(JSON.stringify(result.run)).not.toContain('not-the-app-secret');
	expect(emulator.state.payments.get(payments.UNPAID)!.paid).toBe('N');
});
