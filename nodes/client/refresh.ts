import { isExpiredToken } from './answer';
import type { Connection } from './connection';
import type { Sent } from './send';

/** Per portal, the request that is refreshing an expired token now: the others wait for it. */
const refreshing = new Map<string, Promise<Sent>>();

/**
 * Stage 5, refresh: n8n 1.x reads `ignoreHttpStatusErrors: { ignore: true, except: [401] }` as "ignore all", so
 * an expired token comes back as an answer and n8n does not refresh it. Sending once more with status errors on
 * lets the 401 throw, which makes n8n refresh the token and repeat the call. Bitrix24 rotates the refresh token
 * on every refresh and n8n 1.x refreshes per request with no lock, so one request refreshes and the others
 * re-send after it, with the token it stored. (n8n 2.x refreshes inside its helper: this never runs there.)
 */
export async function withRefresh(connection: Connection, sendOnce: (statusErrors: boolean) => Promise<Sent>): Promise<Sent> {
	const sent = await sendOnce(false);
	if (connection.authentication !== 'oAuth2' || !isExpiredToken(sent)) return sent;
	const inFlight = refreshing.get(connection.portal);
	if (inFlight) {
		await inFlight;
		return await sendOnce(true);
	}
	const mine = sendOnce(true);
	refreshing.set(connection.portal, mine);
	try {
		return await mine;
	} finally {
		if (refreshing.get(connection.portal) === mine) refreshing.delete(connection.portal);
	}
}
