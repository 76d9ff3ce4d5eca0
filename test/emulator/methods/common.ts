// Methods every caller may use, whatever its scopes.

import type { MethodDef } from './context';

export const commonMethods: Record<string, MethodDef> = {
	// The scopes granted to this webhook or token.
	scope: {
		scope: null,
		run: (ctx) => [...ctx.caller.scopes],
	},
	// The caller's user, shaped like the portal's answer (ID is a string there).
	profile: {
		scope: null,
		run(ctx) {
			const u = ctx.state.users.get(ctx.caller.userId);
			return {
				ID: String(ctx.caller.userId),
				ADMIN: u?.admin ?? false,
				NAME: u?.name ?? '',
				LAST_NAME: u?.lastName ?? '',
				PERSONAL_GENDER: '',
				TIME_ZONE: '',
			};
		},
	},
};
