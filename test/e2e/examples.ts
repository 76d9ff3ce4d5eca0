/**
 * The example workflows as a user imports them into n8n: the file from `examples/`, with an id, and each of this
 * package's nodes set to the credential the test imported (OAuth2 switches the node's Authentication too).
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: reads the example files next to it, never shipped */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type { IDataObject } from 'n8n-workflow';

import { TYPE_PREFIX } from './n8n';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

export interface Credentials {
	bitrix24WebhookApi?: { id: string; name: string };
	bitrix24OAuth2Api?: { id: string; name: string };
}

/**
 * `credentials`: what replaces each credential type the example's nodes name. `asOAuth2`: the webhook nodes are
 * switched to OAuth2, to run the same example through a Bitrix24 app.
 */
export function exampleWorkflow(file: string, id: string, credentials: Credentials, asOAuth2 = false): IDataObject & { nodes: IDataObject[] } {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as IDataObject & { nodes: IDataObject[] };
	for (const node of workflow.nodes) {
		if (!String(node.type).startsWith(TYPE_PREFIX) || !node.credentials) continue;
		let [type] = Object.keys(node.credentials) as Array<keyof Credentials>;
		if (asOAuth2 && type === 'bitrix24WebhookApi') {
			node.parameters = { ...(node.parameters as IDataObject), authentication: 'oAuth2' };
			type = 'bitrix24OAuth2Api';
		}
		if (!credentials[type]) throw new Error(`${file}: node "${String(node.name)}" needs a ${type} credential`);
		node.credentials = { [type]: credentials[type] };
	}
	return { ...workflow, id, name: `${String(workflow.name)} (${id})`, active: false };
}
