// Methods every caller may use, whatever its scopes.

import { RestError } from '../errors';
import { phpEmpty, phpString, type Params } from '../php';
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
	// rest's feature.get (b24restdocs api-reference/common/system/feature-get.md): whether a plan feature is on, for any
	// caller. CODE's key in any case; the only feature this portal knows is rest_offline_extended (event.offline.get
	// with clear=0), set by options.offlineExtended; any other code is 'N'.
	'feature.get': {
		scope: null,
		run(ctx) {
			const q: Params = {};
			for (const [k, v] of Object.entries(ctx.params)) q[k.toUpperCase()] = v;
			if (phpEmpty(q.CODE)) throw new RestError(400, 'CODE_EMPTY', "CODE can't be empty");
			const on = phpString(q.CODE) === 'rest_offline_extended' && ctx.options.offlineExtended;
			return { value: on ? 'Y' : 'N' };
		},
	},
};
