/**
 * The example workflows as a user imports them into n8n: the file from `examples/`, with an id, and each of this
 * package's nodes set to the credential the test imported (OAuth2 switches the node's Authentication too).
 */
import type { WorkflowFile } from '../helpers/workflow';
import { loadExample } from '../helpers/workflow';
import { TYPE_PREFIX } from './n8n';

export interface Credentials {
	bitrix24PaymentsWebhookApi?: { id: string; name: string };
	bitrix24PaymentsOAuth2Api?: { id: string; name: string };
}

/**
 * `credentials`: what replaces each credential type the example's nodes name. `asOAuth2`: the webhook nodes are
 * switched to OAuth2, to run the same example through a Bitrix24 app.
 */
export function exampleWorkflow(
	file: string,
	id: string,
	credentials: Credentials,
	asOAuth2 = false,
): WorkflowFile & { id: string; active: boolean } {
	const workflow = loadExample(file);
	for (const node of workflow.nodes) {
		if (!node.type.startsWith(TYPE_PREFIX) || !node.credentials) continue;
		let [type] = Object.keys(node.credentials) as Array<keyof Credentials>;
		if (asOAuth2 && type === 'bitrix24PaymentsWebhookApi') {
			node.parameters = { ...node.parameters, authentication: 'oAuth2' };
			type = 'bitrix24PaymentsOAuth2Api';
		}
		const credential = credentials[type];
		if (!credential) throw new Error(`${file}: node "${node.name}" needs a ${type} credential`);
		node.credentials = { [type]: credential };
	}
	return { ...workflow, id, name: `${workflow.name} (${id})`, active: false };
}
