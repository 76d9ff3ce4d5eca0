/**
 * An inbound webhook URL is `https://PORTAL/rest/USER_ID/SECRET/`. Users paste it with or without the
 * trailing slash and often with the method name of Bitrix24's example still on it (`.../profile.json`):
 * everything after the secret is dropped.
 *
 * The credential's test request uses the same pattern inside an n8n expression, so it lives here once.
 */
export const WEBHOOK_URL_PATTERN = /^\s*(https?:\/\/[^/\s?#]+(?:\/[^/\s?#]+)*?\/rest\/\d+\/[^/\s?#]+)(?:[/?#].*)?\s*$/i;

export interface Bitrix24Webhook {
	/** `https://PORTAL/rest/USER_ID/SECRET/`, ready to have a method name appended. */
	restUrl: string;
	/** The part of the URL that must never be shown. */
	secret: string;
}

export function parseWebhookUrl(value: unknown): Bitrix24Webhook | undefined {
	if (typeof value !== 'string') return undefined;
	const match = WEBHOOK_URL_PATTERN.exec(value);
	if (!match) return undefined;
	const base = match[1];
	return { restUrl: `${base}/`, secret: base.slice(base.lastIndexOf('/') + 1) };
}
