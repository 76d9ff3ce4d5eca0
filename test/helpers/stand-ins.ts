/**
 * Stand-ins for the few n8n-nodes-base nodes (and the one credential type) the example workflows use.
 * n8n-nodes-base is not installed here (hundreds of MB for six nodes), so these take their type names and do the
 * minimum the examples need, no more; anything else they are asked to do fails loudly instead of being guessed.
 * The Bitrix24 nodes are the built package; only these are stand-ins. What each does was read from n8n-nodes-base
 * 2.40 (HttpRequestV3, SetV2, FilterV2, StripeTrigger, StripeApi); what they leave out is said with each.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: the Code stand-in runs the example's code with node:vm, never shipped */
import { runInNewContext } from 'node:vm';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type {
	FilterValue,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, removeCircularRefs } from 'n8n-workflow';

/** As n8n's Manual Trigger: one empty item when the workflow is run by hand. */
const manualTrigger: INodeType = {
	description: {
		displayName: 'Manual Trigger (stand-in)',
		name: 'manualTrigger',
		group: ['trigger', 'input'],
		version: 1,
		description: 'Runs the flow when it is run by hand',
		defaults: { name: "When clicking 'Execute workflow'" },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	},
};

/**
 * The Code node's "Run Once for All Items" mode: the example's JavaScript runs in a fresh `vm` context that has
 * only `$input` (all, first, last) and `items`; what it returns becomes the output, as the Code node
 * standardises it (`{ json }` items or plain objects).
 */
const code: INodeType = {
	description: {
		displayName: 'Code (stand-in)',
		name: 'code',
		group: ['transform'],
		version: [1, 2],
		description: "Runs the example's JavaScript",
		defaults: { name: 'Code' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'runOnceForAllItems' },
			{ displayName: 'Language', name: 'language', type: 'string', default: 'javaScript' },
			{ displayName: 'JavaScript', name: 'jsCode', type: 'string', default: '' },
		],
	},
	async execute(this: IExecuteFunctions) {
		const mode = this.getNodeParameter('mode', 0) as string;
		const language = this.getNodeParameter('language', 0) as string;
		if (mode !== 'runOnceForAllItems' || language !== 'javaScript') {
			throw new NodeOperationError(this.getNode(), `The Code stand-in runs JavaScript once for all items, not ${mode} ${language}`);
		}
		const items = this.getInputData();
		const $input = { all: () => items, first: () => items[0], last: () => items[items.length - 1] };
		const source = `(async () => {\n${this.getNodeParameter('jsCode', 0) as string}\n})()`;
		const returned: unknown = await runInNewContext(source, { $input, items }, { timeout: 5000 });
		// Through JSON: the values were made in the other context, and an item must be plain data anyway.
		const list = JSON.parse(JSON.stringify(returned ?? [])) as unknown;
		const output = (Array.isArray(list) ? list : [list]).map((entry: IDataObject) => ({
			json: (entry !== null && typeof entry === 'object' && 'json' in entry ? entry.json : entry) as IDataObject,
		}));
		return [output];
	},
};

/**
 * The Edit Fields (Set) node, version 3.3+: each item becomes the fields it assigns (other fields dropped). An
 * `array` field takes an array as the expression gives it; Set would also parse a JSON string into one, this does not.
 */
const set: INodeType = {
	description: {
		displayName: 'Edit Fields (stand-in)',
		name: 'set',
		group: ['input'],
		version: [3.3, 3.4],
		description: 'Sets the fields it is given',
		defaults: { name: 'Edit Fields' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Fields to Set', name: 'assignments', type: 'assignmentCollection', default: {} },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	},
	async execute(this: IExecuteFunctions) {
		const array = (value: unknown) => {
			if (!Array.isArray(value)) throw new NodeOperationError(this.getNode(), `The Set stand-in takes an array field as an array, not ${typeof value}`);
			return value;
		};
		const types: Record<string, (value: unknown) => unknown> = { string: String, number: Number, boolean: Boolean, array };
		const output = this.getInputData().map((_item, index): INodeExecutionData => {
			const assignments = this.getNodeParameter('assignments.assignments', index, []) as Array<{ name: string; type: string; value: unknown }>;
			const json: IDataObject = {};
			for (const { name, type, value } of assignments) {
				const convert = types[type];
				if (!convert) throw new NodeOperationError(this.getNode(), `The Set stand-in does not convert to ${type}`);
				json[name] = convert(value) as IDataObject[string];
			}
			return { json, pairedItem: { item: index } };
		});
		return [output];
	},
};

/** A list of name/value pairs, as the HTTP Request node's Header Parameters and Body Parameters ("Using Fields Below"). */
const nameValuePairs = (displayName: string, name: string): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	options: [
		{
			displayName: 'Parameter',
			name: 'parameters',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
});

/** As qs.stringify encodes (the node's request library): RFC 3986, only A-Z a-z 0-9 - _ . ~ left as they are. */
const formEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** One item's request as the HTTP Request node builds it, for what the examples use; anything else fails loudly. */
function requestOf(context: IExecuteFunctions, index: number): IHttpRequestOptions {
	const parameter = <T>(name: string, fallback?: T) => context.getNodeParameter(name, index, fallback) as T;
	const unsupported = (what: string) => new NodeOperationError(context.getNode(), `The HTTP Request stand-in does not ${what}`);
	const pairs = (name: string) => {
		const list = parameter<Array<{ name: string; value: unknown }>>(`${name}.parameters`, []);
		const names = list.map((pair) => pair.name);
		// Version 4.2 keeps the last of two parameters of one name, 4.3 sends both: neither is needed here.
		if (new Set(names).size !== names.length) throw unsupported(`send a parameter twice (${name})`);
		return list;
	};
	const { timeout, ...otherOptions } = parameter<IDataObject>('options', {});
	if (Object.keys(otherOptions).length > 0) throw unsupported(`take the options ${Object.keys(otherOptions).join(', ')}`);
	const headers: IDataObject = {};
	const request: IHttpRequestOptions = {
		method: parameter<'POST'>('method'),
		url: parameter<string>('url'),
		headers,
		json: true,
		...(timeout !== undefined && { timeout: Number(timeout) }),
	};
	if (parameter('sendHeaders', false)) {
		// The node lower-cases the names (its Lowercase Headers option, on unless turned off).
		for (const { name, value } of pairs('headerParameters')) headers[name.toLowerCase()] = String(value);
	}
	if (!parameter('sendBody', false)) return request;
	const contentType = parameter<string>('contentType', 'json');
	const specifyBody = parameter<string>('specifyBody', 'keypair');
	if (contentType === 'json' && specifyBody === 'json') {
		const jsonBody = parameter<unknown>('jsonBody');
		request.body = typeof jsonBody === 'string' ? (JSON.parse(jsonBody) as IDataObject) : (jsonBody as IDataObject);
	} else if (contentType === 'form-urlencoded' && specifyBody === 'keypair') {
		// Each name as it is written (`line_items[0][quantity]`): PHP and Stripe read the brackets as nesting.
		const form = pairs('bodyParameters').map(({ name, value }) => {
			if (!['string', 'number', 'boolean'].includes(typeof value)) throw unsupported(`send ${typeof value} ${name} in a form`);
			return `${formEncode(name)}=${formEncode(String(value))}`;
		});
		headers['content-type'] = 'application/x-www-form-urlencoded';
		request.body = form.join('&');
	} else {
		throw unsupported(`send a ${contentType} body given as ${specifyBody}`);
	}
	return request;
}

/**
 * The HTTP Request node (version 4.x): no body (Send Body off, as for a GET), a JSON body, or a form body from Body
 * Parameters; headers from Header Parameters; no authentication, or a credential of a predefined type (n8n's own
 * `httpRequestWithAuthentication` applies it; the node itself goes through the older `requestWithAuthentication`,
 * which fails with the same NodeApiError). The answer is the item (a JSON answer as it is, anything else as `data`).
 *
 * A request that fails, when the node continues on fail (its Settings > On Error): the item `{ error }` with the
 * NodeApiError itself, as the node makes it (`json.error` = the rejection). With "continue (using error output)"
 * n8n-core then moves that item to output 1 and merges the input item's fields into it (WorkflowExecute's
 * handleNodeErrorOutput); it does not do it for a node that throws, whose input would go on as a success.
 */
const httpRequest: INodeType = {
	description: {
		displayName: 'HTTP Request (stand-in)',
		name: 'httpRequest',
		group: ['output'],
		version: [4, 4.1, 4.2],
		description: 'Sends an HTTP request',
		defaults: { name: 'HTTP Request' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Authentication', name: 'authentication', type: 'string', default: 'none' },
			{ displayName: 'Credential Type', name: 'nodeCredentialType', type: 'string', default: '' },
			{ displayName: 'Send Headers', name: 'sendHeaders', type: 'boolean', default: false },
			nameValuePairs('Header Parameters', 'headerParameters'),
			{ displayName: 'Send Body', name: 'sendBody', type: 'boolean', default: false },
			{ displayName: 'Body Content Type', name: 'contentType', type: 'string', default: 'json' },
			{ displayName: 'Body Content', name: 'specifyBody', type: 'string', default: 'keypair' },
			{ displayName: 'JSON', name: 'jsonBody', type: 'string', default: '' },
			nameValuePairs('Body Parameters', 'bodyParameters'),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 300000 }],
			},
		],
	},
	async execute(this: IExecuteFunctions) {
		const output: INodeExecutionData[] = [];
		for (const [index] of this.getInputData().entries()) {
			const request = requestOf(this, index);
			const authentication = this.getNodeParameter('authentication', index) as string;
			if (authentication !== 'none' && authentication !== 'predefinedCredentialType') {
				throw new NodeOperationError(this.getNode(), `The HTTP Request stand-in does not authenticate with ${authentication}`);
			}
			let answer: unknown;
			try {
				answer =
					authentication === 'predefinedCredentialType'
						? await this.helpers.httpRequestWithAuthentication.call(this, this.getNodeParameter('nodeCredentialType', index) as string, request)
						: await this.helpers.httpRequest(request);
			} catch (error) {
				// As the node: a NodeApiError as it is (the constructor gives it back), anything else wrapped in one.
				if (!this.continueOnFail()) throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: index });
				removeCircularRefs(error as JsonObject);
				output.push({ json: { error: error as IDataObject }, pairedItem: { item: index } });
				continue;
			}
			const json = answer !== null && typeof answer === 'object' ? (answer as IDataObject) : { data: answer as string };
			output.push({ json, pairedItem: { item: index } });
		}
		return [output];
	},
};

/**
 * The Filter node, version 2.2: keeps the items whose conditions hold. The conditions are evaluated by n8n
 * itself (the `filter` parameter's value, as n8n-core extracts it); only string `equals` joined by AND, and no
 * options, are taken. The discarded items are not output.
 */
const filter: INodeType = {
	description: {
		displayName: 'Filter (stand-in)',
		name: 'filter',
		group: ['transform'],
		version: 2.2,
		description: 'Keeps the items matching its conditions',
		defaults: { name: 'Filter' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Conditions', name: 'conditions', type: 'filter', default: {} },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	},
	async execute(this: IExecuteFunctions) {
		const saved = this.getNode().parameters.conditions as FilterValue;
		const operators = saved.conditions.map(({ operator }) => `${operator.type} ${operator.operation}`);
		if (saved.combinator !== 'and' || operators.some((operator) => operator !== 'string equals')) {
			throw new NodeOperationError(this.getNode(), `The Filter stand-in takes string equals joined by AND, not ${saved.combinator}: ${operators.join(', ')}`);
		}
		if (Object.keys(this.getNodeParameter('options', 0) as IDataObject).length > 0) {
			throw new NodeOperationError(this.getNode(), 'The Filter stand-in takes no options');
		}
		const kept = this.getInputData().flatMap((item, index): INodeExecutionData[] =>
			this.getNodeParameter('conditions', index, false, { extractValue: true }) ? [{ ...item, pairedItem: { item: index } }] : [],
		);
		return [kept];
	},
};

/**
 * The Stripe Trigger node's webhook: the event Stripe posts starts the workflow with the event as the item, when
 * its type is one of Events (or Events has `*`); any other event starts nothing. Left out: activation (the real node
 * registers the webhook endpoint at Stripe and keeps its signing secret) and the check of the Stripe-Signature
 * header, which the real node makes whenever it knows a signing secret: here every post is taken as Stripe's.
 */
const stripeTrigger: INodeType = {
	description: {
		displayName: 'Stripe Trigger (stand-in)',
		name: 'stripeTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow when Stripe posts an event',
		defaults: { name: 'Stripe Trigger' },
		inputs: [],
		outputs: ['main'],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [{ displayName: 'Events', name: 'events', type: 'multiOptions', options: [], default: [] }],
	},
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const event = this.getBodyData();
		const events = this.getNodeParameter('events', []) as string[];
		if (typeof event.type !== 'string' || (!events.includes('*') && !events.includes(event.type))) return {};
		return { workflowData: [this.helpers.returnJsonArray(event)] };
	},
};

/** The stand-ins by the type name saved workflows use. */
export const STAND_INS: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': manualTrigger,
	'n8n-nodes-base.code': code,
	'n8n-nodes-base.set': set,
	'n8n-nodes-base.httpRequest': httpRequest,
	'n8n-nodes-base.filter': filter,
	'n8n-nodes-base.stripeTrigger': stripeTrigger,
};

/** n8n's Stripe API credential, as the HTTP Request node applies it: the secret key as a Bearer token. */
const stripeApi: ICredentialType = {
	name: 'stripeApi',
	displayName: 'Stripe API (stand-in)',
	properties: [{ displayName: 'Secret Key', name: 'secretKey', type: 'string', typeOptions: { password: true }, default: '' }],
	authenticate: { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.secretKey}}' } } },
};

/** The credential types of n8n-nodes-base the examples use, beside the package's own. */
export const STAND_IN_CREDENTIAL_TYPES: ICredentialType[] = [stripeApi];
