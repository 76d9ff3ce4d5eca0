// What the portal's plan allows, as the rest module asks it. A cloud portal has the `bitrix24` module and asks
// Bitrix24\Feature::isFeatureEnabled(code); a self-hosted one has no such module, so the checks that start with
// `!Loader::includeModule('bitrix24') ||` pass there (rest Event::isExtendedModeEnabled, CRestServer::canUseConnectors),
// and feature.get, which has no bitrix24 module to ask, answers LANGUAGE_ID . '_selfhosted' for any code
// (rest CRestProvider::getFeature).

/**
 * - `cloudExtended`: a cloud plan with `rest_offline_extended` (offline records reserved until cleared) and
 *   `rest_auth_connector` (source keys): one offline queue per app and connector.
 * - `cloudBasic`: a cloud plan with neither: event.offline.get only with clear=1, and any call carrying
 *   auth_connector refused, so an app has one queue for all its readers.
 * - `selfHosted`: an on-premise portal: both work, while feature.get answers neither Y nor N.
 */
export type Plan = 'cloudExtended' | 'cloudBasic' | 'selfHosted';

const CLOUD_FEATURES: Record<Exclude<Plan, 'selfHosted'>, ReadonlySet<string>> = {
	cloudExtended: new Set(['rest_offline_extended', 'rest_auth_connector']),
	cloudBasic: new Set(),
};

/** `!Loader::includeModule('bitrix24') || Feature::isFeatureEnabled(code)`. */
export function allows(plan: Plan, code: string): boolean {
	return plan === 'selfHosted' || CLOUD_FEATURES[plan].has(code);
}

/** feature.get's `value`: Y or N on a cloud portal; on a self-hosted one the language with `_selfhosted`. */
export function featureValue(plan: Plan, code: string): string {
	if (plan === 'selfHosted') return 'en_selfhosted';
	return CLOUD_FEATURES[plan].has(code) ? 'Y' : 'N';
}
