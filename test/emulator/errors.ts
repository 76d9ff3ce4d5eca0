// Bitrix24 error answers: {"error": CODE, "error_description": "..."} with a real
// HTTP status and no `time` block. Numeric codes ("0", "100", "200640400001") go out
// as JSON strings (newer servers) or numbers (what the docs show), per codeStyle.

import { phpString } from './php';

export type CodeStyle = 'string' | 'number';

export class RestError extends Error {
	constructor(
		readonly status: number,
		readonly code: string | number,
		readonly description: string,
		/** Keys the portal adds next to error/error_description (ERROR_ARGUMENT's `argument`). */
		readonly extra?: Record<string, unknown>,
	) {
		super(`${status} ${code}: ${description}`);
		this.name = 'RestError';
	}
}

export function errorBody(err: RestError, style: CodeStyle): { error: string | number; error_description: string; [key: string]: unknown } {
	const code = String(err.code);
	const numeric = /^\d+$/.test(code);
	return { error: numeric && style === 'number' ? Number(code) : code, error_description: err.description, ...err.extra };
}

// Controller parameter binding (Bitrix\Main\Engine\AutoWire\Binder), code 100.
export function paramMissing(name: string): RestError {
	return new RestError(400, '100', `Could not find value for parameter {${name}}`);
}

// The portal prints the offending value inside braces: "Invalid value {abc} ...".
export function paramInvalid(value: unknown, name: string, type: 'int' | 'array'): RestError {
	return new RestError(
		400,
		'100',
		`Invalid value {${phpString(value)}} to match with parameter {${name}}. Should be value of type ${type}.`,
	);
}

// REST server level errors (CRestServer), shared by every method.
export const authErrors = {
	invalidCredentials: () => new RestError(401, 'INVALID_CREDENTIALS', 'Invalid request credentials'),
	noAuth: () => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
	invalidToken: () => new RestError(401, 'invalid_token', 'The access token provided is invalid.'),
	expiredToken: () => new RestError(401, 'expired_token', 'The access token provided has expired.'),
	insufficientScope: (kind: 'webhook' | 'oauth') =>
		new RestError(
			401,
			'insufficient_scope',
			`The request requires higher privileges than provided by the ${kind === 'webhook' ? 'webhook' : 'access'} token`,
		),
	methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
	// A plan without REST: an OAuthException (401). Cloud wording per b24restdocs _includes/system-errors.md; a
	// self-hosted portal's webhook check (rest APAuth\Auth::onRestCheckAuth) says "commercial plans." too.
	restUnavailable: (kind: 'webhook' | 'oauth', plan: string) =>
		new RestError(
			401,
			'ACCESS_DENIED',
			kind === 'webhook' && plan !== 'selfHosted' ? 'REST is available only by subscription.' : `REST is available only on commercial plans${kind === 'webhook' ? '.' : ''}`,
		),
	// CRestServer::checkAuth: LicenseException('auth_connector'), an AccessException (403) with code WRONG_LICENSE.
	connectorsNotInPlan: () => new RestError(403, 'WRONG_LICENSE', 'This feature is not enabled for the current license: auth_connector'),
};
