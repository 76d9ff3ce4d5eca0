/**
 * The engine's floor for `npm run bench`: a bare declarative node that makes the same request as CRM Payment >
 * Mark as Paid (POST `crm.item.payment.pay` with `{id}` to the credential's webhook URL), with routing only: no
 * preSend or postReceive hooks, no pagination function, two properties. Run through the same harness with the
 * same credential type, it costs what n8n's RoutingNode and HTTP layer cost per item and nothing more.
 */
import type { INodeType } from 'n8n-workflow';

export const bareNodeType: INodeType = {
	description: {
		displayName: 'Bare Bitrix24 Pay (bench)',
		name: 'benchBareBitrix24Pay',
		group: ['transform'],
		version: 1,
		description: 'Marks a CRM payment paid, routing only',
		defaults: { name: 'Bare Bitrix24 Pay' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'bitrix24PaymentsWebhookApi', required: true }],
		requestDefaults: {
			baseURL: '={{ $credentials.webhookUrl }}',
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		},
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Mark as Paid',
						value: 'pay',
						action: 'Mark a payment as paid',
						routing: { request: { method: 'POST', url: 'crm.item.payment.pay', json: true } },
					},
				],
				default: 'pay',
			},
			{
				displayName: 'Payment ID',
				name: 'paymentId',
				type: 'number',
				default: 0,
				routing: { send: { type: 'body', property: 'id' } },
			},
		],
	},
};

/**
 * The second floor: this package's own node with every hook taken out (no preSend, postReceive or request
 * runner; the webhook URL as baseURL), so the same properties and routing make the same request. The node's
 * runner places the ids (a hook too), so here Payment ID gets the routing that puts it where Mark as Paid wants
 * it (`id`). n8n's routing engine resolves every property of a node for every item, so this is what the
 * parameter surface alone costs; the node's distance from it is what its own code costs.
 */
export function hooklessNodeType(node: INodeType): INodeType {
	const strip = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(strip);
		if (value === null || typeof value !== 'object') return value;
		const copy: Record<string, unknown> = {};
		for (const [key, inner] of Object.entries(value)) {
			if (key === 'preSend' || key === 'postReceive' || key === 'paginate') continue;
			copy[key] = strip(inner);
		}
		return copy;
	};
	const description = { ...node.description };
	delete description.requestOperations;
	description.properties = description.properties.map((property) =>
		property.name === 'paymentId' && !property.routing ? { ...property, routing: { send: { type: 'body', property: 'id' } } } : property,
	);
	return {
		description: {
			...(strip(description) as INodeType['description']),
			name: 'benchHooklessBitrix24Payments',
			requestDefaults: { ...description.requestDefaults, baseURL: '={{ $credentials.webhookUrl }}', method: 'POST' },
		},
	};
}
