// Methods every caller may use, whatever its scopes.

import { RestError } from '../errors';
import { phpEmpty, phpString, type Params } from '../php';
import { featureValue } from '../plan';
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
	// rest CRestProvider::getFeature (b24restdocs api-reference/common/system/feature-get.md): whether a plan feature is
	// on, for any caller. CODE's key in any case. A cloud portal answers Y or N (the features the plan has: plan.ts); a
	// self-hosted one has no bitrix24 module to ask and answers LANGUAGE_ID . '_selfhosted' for every code.
	'feature.get': {
		scope: null,
		run(ctx) {
			const q: Params = {};
			for (const [k, v] of Object.entries(ctx.params)) q[k.toUpperCase()] = v;
			if (phpEmpty(q.CODE)) throw new RestError(400, 'CODE_EMPTY', "CODE can't be empty");
			return { value: featureValue(ctx.options.plan, phpString(q.CODE)) };
		},
	},
};
