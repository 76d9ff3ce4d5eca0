/**
 * Stand-ins for the few n8n-nodes-base nodes the example workflows use. n8n-nodes-base is not installed here
 * (hundreds of MB for four nodes), so these take their type names and do the minimum the examples need, no
 * more; anything else they are asked to do fails loudly instead of being guessed. The Bitrix24 nodes are the
 * built package; only these are stand-ins.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: the Code stand-in runs the example's code with node:vm, never shipped */
import { runInNewContext } from 'node:vm';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/** The Edit Fields (Set) node, version 3.3+: each item becomes the fields it assigns (other fields dropped). */
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
		const types: Record<string, (value: unknown) => unknown> = { string: String, number: Number, boolean: Boolean };
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

/**
 * The HTTP Request node, for a JSON body: sends each item's request with n8n's own HTTP helper and outputs the
 * answer (a JSON answer as the item, anything else as `data`).
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
			{ displayName: 'Send Body', name: 'sendBody', type: 'boolean', default: false },
			{ displayName: 'Body Content', name: 'specifyBody', type: 'string', default: 'keypair' },
			{ displayName: 'JSON', name: 'jsonBody', type: 'string', default: '' },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	},
	async execute(this: IExecuteFunctions) {
		const output: INodeExecutionData[] = [];
		for (const [index] of this.getInputData().entries()) {
			const sendBody = this.getNodeParameter('sendBody', index) as boolean;
			if (sendBody && this.getNodeParameter('specifyBody', index) !== 'json') {
				throw new NodeOperationError(this.getNode(), 'The HTTP Request stand-in sends JSON bodies only');
			}
			const jsonBody = sendBody ? (this.getNodeParameter('jsonBody', index) as unknown) : undefined;
			const answer: unknown = await this.helpers.httpRequest({
				method: this.getNodeParameter('method', index) as 'POST',
				url: this.getNodeParameter('url', index) as string,
				...(sendBody && { body: typeof jsonBody === 'string' ? (JSON.parse(jsonBody) as IDataObject) : (jsonBody as IDataObject) }),
				json: true,
			});
			const json = answer !== null && typeof answer === 'object' ? (answer as IDataObject) : { data: answer as string };
			output.push({ json, pairedItem: { item: index } });
		}
		return [output];
	},
};

/** The stand-ins by the type name saved workflows use. */
export const STAND_INS: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': manualTrigger,
	'n8n-nodes-base.code': code,
	'n8n-nodes-base.set': set,
	'n8n-nodes-base.httpRequest': httpRequest,
};
