import type { IDataObject } from 'n8n-workflow';

/**
 * A batch command is `method?query`, the query in PHP's bracket syntax (`fields[paid]=Y&select[0]=id`), which
 * the portal reads with parse_str. Only what that syntax carries exactly is batched: the rest goes as a plain
 * call, where JSON keeps it as it is.
 */
export function toCommand(method: string, params: IDataObject): string | undefined {
	const pairs: string[] = [];
	for (const [key, value] of Object.entries(params)) {
		// parse_str turns "." and " " in a top-level name into "_", and "[" would open a bracket.
		if (/[.\s[\]]/.test(key) || !addPairs(pairs, encodeURIComponent(key), value)) return undefined;
	}
	// PHP reads at most 1000 variables of a query (max_input_vars) and drops the rest.
	if (pairs.length > 1000) return undefined;
	return `${method}?${pairs.join('&')}`;
}

/** Adds `name=value` pairs for a value; false when the query string cannot carry it exactly. */
function addPairs(pairs: string[], name: string, value: unknown): boolean {
	if (typeof value === 'string') {
		// The portal replaces `$result[...]` in a command with earlier results: such text is kept out of batches.
		if (/\$(result|error)\[/.test(value)) return false;
		pairs.push(`${name}=${encodeURIComponent(value)}`);
		return true;
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return false;
		pairs.push(`${name}=${encodeURIComponent(String(value))}`);
		return true;
	}
	if (value !== null && typeof value === 'object') {
		// An empty array or object vanishes from a query string; null and booleans have no query form that PHP
		// reads back as the same type.
		const entries = Object.entries(value as IDataObject);
		if (entries.length === 0) return false;
		return entries.every(([key, inner]) => !/[[\]]/.test(key) && addPairs(pairs, `${name}[${encodeURIComponent(key)}]`, inner));
	}
	return false;
}
