/**
 * The portal's sign-in page for apps, `/oauth/authorize/` (b24restdocs `api-reference/oauth/index.md`; the page
 * itself is Bitrix24's closed code, so the docs decide): `client_id` and `state` in the query, the user signs in,
 * and, the app being installed, the portal sends the browser to the app's address with `code` (30 s, once), `state`,
 * `domain`, `member_id`, `scope` and `server_domain`. An app that is not installed gets an error page; an app
 * without an address gets the code shown on the page.
 *
 * Signing in is a choice of the seeded users (no password): the emulator is for trying n8n's Connect button.
 */
import type { OAuthApp, PortalUser } from './state';

/** What the page's form posts back, and the query that opens it. */
export interface AuthorizeRequest {
	clientId: string;
	state: string;
	/** n8n's callback; a portal sends the browser to the app's registered address, this one when it has none. */
	redirectUri: string;
	userId?: number;
}

export type AuthorizeAnswer = { status: number; html: string } | { status: 302; location: string };

export interface AuthorizePortal {
	apps: OAuthApp[];
	users: PortalUser[];
	/** The portal's host, as `domain` names it. */
	domain: string;
	memberId: string;
	issueCode(app: OAuthApp, userId: number): string;
}

export function authorizeRequestOf(params: Record<string, unknown>): AuthorizeRequest {
	const text = (v: unknown) => (typeof v === 'string' ? v : '');
	const userId = Number(text(params.user_id));
	return {
		clientId: text(params.client_id),
		state: text(params.state),
		redirectUri: text(params.redirect_uri),
		userId: Number.isInteger(userId) && userId > 0 ? userId : undefined,
	};
}

/** GET shows the sign-in form; its POST (with `user_id`) signs in and sends the browser back to the app. */
export function authorize(portal: AuthorizePortal, request: AuthorizeRequest, httpMethod: string): AuthorizeAnswer {
	const app = portal.apps.find((a) => a.clientId === request.clientId);
	if (!app) {
		return {
			status: 404,
			html: page('Application not found', `<p>No application with client_id <code>${escape(request.clientId || '(none)')}</code> is installed on ${escape(portal.domain)}.</p>`),
		};
	}
	const user = portal.users.find((u) => u.id === request.userId);
	if (httpMethod !== 'POST' || !user) return { status: 200, html: signInForm(portal, request) };

	const code = portal.issueCode(app, user.id);
	const back = {
		code,
		state: request.state,
		domain: portal.domain,
		member_id: portal.memberId,
		scope: app.scopes.join(','),
		server_domain: 'oauth.bitrix.info',
	};
	const address = app.handlerUrl || request.redirectUri;
	if (!address) {
		return { status: 200, html: page('Authorization code', `<p>The application has no address. Its code (valid 30 s, once):</p><p><code>${code}</code></p>`) };
	}
	const location = new URL(address);
	for (const [name, value] of Object.entries(back)) location.searchParams.set(name, value);
	return { status: 302, location: location.toString() };
}

function signInForm(portal: AuthorizePortal, request: AuthorizeRequest): string {
	const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escape(value)}">`;
	const users = portal.users
		.map((u, i) => `<label><input type="radio" name="user_id" value="${u.id}"${i === 0 ? ' checked' : ''}> ${escape(`${u.name} ${u.lastName}`)} (user ${u.id}${u.admin ? ', administrator' : ''})</label><br>`)
		.join('\n');
	return page(
		`Sign in to ${portal.domain}`,
		`<p>The application <code>${escape(request.clientId)}</code> asks to work with this Bitrix24 on your behalf.</p>
<form method="post">
${hidden('client_id', request.clientId)}${hidden('state', request.state)}${hidden('redirect_uri', request.redirectUri)}
<fieldset><legend>Sign in as</legend>
${users}
</fieldset>
<p><button type="submit">Sign in and allow</button></p>
</form>`,
	);
}

function page(title: string, body: string): string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto"><h1>${escape(title)}</h1>
<p><small>Bitrix24 emulator</small></p>
${body}</body></html>`;
}

function escape(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
