/**
 * Runs a whole saved workflow (an `examples/*.json` as a user imports it) on n8n's real engine: every node and
 * connection as saved, started the way n8n starts a manual run (`WorkflowExecute.run` from its manual trigger,
 * pinned data standing for a trigger's output), or the way n8n's webhook server starts the run a webhook trigger
 * asked for (`trigger`; `deliverWebhook` runs a trigger's webhook, `webhookAnswer` is what n8n answers when the
 * trigger responds with the last node). The package's nodes are the built ones from dist/; the few
 * n8n-nodes-base nodes the examples use are the stand-ins of `stand-ins.ts`. Every request to Bitrix24 is
 * recorded per node, with the webhook secret and tokens left out.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: reads the example files next to it, never shipped */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import type { Bitrix24Emulator, RecordedRequest } from '../emulator/server';
import { createAdditionalData, createNodeTypes, TestCredentialsHelper } from './engine';
import { credentialTypes, nodeType, paySystemTriggerType, triggerType } from './package';
import { STAND_IN_CREDENTIAL_TYPES, STAND_INS } from './stand-ins';


export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
/* eslint-enable @n8n/community-nodes/no-restricted-globals */
export const PACKAGE_NODE = 'n8n-nodes-bitrix24-payments.bitrix24Payments';
export const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';

const NODE_TYPES = createNodeTypes([], {
	...STAND_INS,
	[PACKAGE_NODE]: nodeType,
	'n8n-nodes-bitrix24-payments.bitrix24PaymentsTrigger': triggerType,
	'n8n-nodes-bitrix24-payments.bitrix24PaySystemTrigger': paySystemTriggerType,
});

/** The package's credential types and the stand-ins' (Stripe's), as an n8n with both installed knows them. */
const CREDENTIAL_TYPES = [...credentialTypes, ...STAND_IN_CREDENTIAL_TYPES];

/** A workflow as n8n exports it. */
export interface WorkflowFile {
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
}

export function loadExample(file: string): WorkflowFile {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowFile;
}

export function exampleFiles(): string[] {
	return readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
}

/** The node a user clicks to run the workflow by hand, if it has one. */
export function manualTrigger(workflow: WorkflowFile): INode | undefined {
	return workflow.nodes.find((node) => node.type === MANUAL_TRIGGER);
}

/** Whether `type` is one of the stand-ins, not the real n8n node. */
export function isStandIn(type: string): boolean {
	return type in STAND_INS;
}

/** "Code (stand-in)", by type name. */
export const STAND_IN_NAMES: Record<string, string> = Object.fromEntries(
	Object.entries(STAND_INS).map(([type, nodeType]) => [type, nodeType.description.displayName]),
);

/** One request to Bitrix24, as far as it can be shown: no webhook secret, no token, no client secret. */
export interface SentRequest {
	httpMethod: string;
	/** The path, the webhook secret replaced by `***`. */
	path: string;
	/** The Bitrix24 method (`batch` for a batch request), or `oauth/token` for the token endpoint. */
	method: string;
	/** What the request carried, without `auth`/`access_token` (the token endpoint's: `grant_type` only). */
	params: IDataObject;
	/** The portal's HTTP status, when the request was taken from the portal's log. */
	status?: number;
}

export interface NodeRun {
	name: string;
	type: string;
	/** The node's parameters as saved. */
	parameters: INodeParameters;
	/** Main output 0 (the items the next node gets). */
	items: INodeExecutionData[];
	/** Main output 1: the error output of a node set to "continue (using error output)". */
	errorItems: INodeExecutionData[];
	error?: Error & { description?: string };
	requests: SentRequest[];
}

export interface WorkflowRun {
	name: string;
	/** The time zone the workflow ran in (its settings', else the instance's). */
	timezone: string;
	/** The nodes that ran, in the order they ran (pinned ones included). */
	nodes: NodeRun[];
	node(name: string): NodeRun;
	/** The run's error (a node that failed without Continue On Fail). */
	error?: Error & { description?: string };
	/** Every request, in order (a request outside any node, such as none today, included). */
	requests: SentRequest[];
	run: IRun;
}

export interface RunWorkflowOptions {
	/** Credential data by credential type; each node uses the type it names. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * The instance's time zone (n8n's GENERIC_TIMEZONE), for a workflow whose settings name none. Unset: n8n's
	 * default, America/New_York.
	 */
	timezone?: string;
	/** A node's output given instead of running it, as pinned data in n8n (a trigger's output, for one). */
	pinData?: Record<string, INodeExecutionData[]>;
	/** The node to start from; default the manual trigger. */
	startNode?: string;
	/**
	 * A run a webhook trigger started: the trigger and the items its `webhook()` gave (`deliverWebhook`, or
	 * TriggerHarness's `started`). Run as n8n's webhook server runs it: mode `webhook`, the trigger on the execution
	 * stack with these items, which it passes on as a webhook node does in a run. Instead of `startNode`.
	 */
	trigger?: { node: string; items: INodeExecutionData[] };
	/** Parameters changed before the run, by node name (such as a chat URL pointed at a local receiver). */
	parameters?: Record<string, INodeParameters>;
	/**
	 * Take the requests from this emulator's log: every request of every credential, OAuth2 included, with the
	 * status. Without it they are taken as n8n is about to send them (the credential helper's `authenticate`),
	 * which works against any portal but sees only webhook requests.
	 */
	emulator?: Bitrix24Emulator;
}

/** The workflow as n8n builds it to run it: the saved nodes (copies, with `parameters` changed) and connections. */
function engineWorkflowOf(saved: WorkflowFile, options: Pick<RunWorkflowOptions, 'parameters' | 'timezone'>) {
	// A copy: the engine writes into nodes (defaults) and the caller's overrides must not reach the file's object.
	const nodes = structuredClone(saved.nodes).map((node) => ({
		...node,
		parameters: { ...node.parameters, ...options.parameters?.[node.name] },
	}));
	const settings: IWorkflowSettings = { ...saved.settings };
	if (settings.timezone === undefined && options.timezone) settings.timezone = options.timezone;
	const workflowData: IWorkflowBase = {
		id: 'example',
		name: saved.name,
		active: false,
		isArchived: false,
		nodes,
		connections: saved.connections,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	};
	const engineWorkflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes,
		connections: saved.connections,
		active: false,
		nodeTypes: NODE_TYPES,
		settings,
	});
	return { workflowData, engineWorkflow };
}

/** Runs `workflow` (a file in examples/ or a workflow object) on WorkflowExecute, as a manual run in n8n (or a webhook's). */
export async function runWorkflow(workflow: string | WorkflowFile, options: RunWorkflowOptions): Promise<WorkflowRun> {
	const saved = typeof workflow === 'string' ? loadExample(workflow) : workflow;
	const { workflowData, engineWorkflow } = engineWorkflowOf(saved, options);
	const mode: WorkflowExecuteMode = options.trigger ? 'webhook' : 'manual';

	const order: string[] = [];
	const byNode = new Map<string, SentRequest[]>();
	const requests: SentRequest[] = [];
	const record = (node: string | undefined, request: SentRequest) => {
		requests.push(request);
		if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), request]);
	};

	const hooks = new ExecutionLifecycleHooks(mode, '1', workflowData);
	hooks.addHandler('nodeExecuteBefore', (name) => {
		order.push(name);
	});
	const credentialsHelper = new TestCredentialsHelper(CREDENTIAL_TYPES, options.credentials);
	const { emulator } = options;
	const tapBefore = emulator?.onRequest;
	if (emulator) {
		// Nodes run one at a time and wait for their answers, so a request belongs to the node that runs now.
		emulator.onRequest = (request) => {
			tapBefore?.(request);
			record(order[order.length - 1], fromPortalLog(request));
		};
	} else {
		// Bitrix24's requests only: another service's (Stripe's) is no request to the portal.
		credentialsHelper.onAuthenticate = (request, type, node) => {
			if (type.startsWith('bitrix24')) record(node?.name, fromClient(request));
		};
	}

	const startName = options.trigger?.node ?? options.startNode ?? manualTrigger(saved)?.name;
	const startNode = startName === undefined ? undefined : engineWorkflow.getNode(startName);
	if (!startNode) throw new Error(`${saved.name}: no node to start from (no manual trigger, no startNode)`);
	const additionalData = createAdditionalData(credentialsHelper, hooks);
	let run: IRun;
	try {
		if (options.trigger) {
			// As n8n's webhook server (executeWebhook): the trigger with its webhook's items is the first on the stack.
			const executionData = createRunExecutionData({
				executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [options.trigger.items] }, source: null }] },
			});
			run = await new WorkflowExecute(additionalData, mode, executionData).processRunExecutionData(engineWorkflow);
		} else {
			run = await new WorkflowExecute(additionalData, mode).run({ workflow: engineWorkflow, startNode, pinData: options.pinData });
		}
	} finally {
		if (emulator) emulator.onRequest = tapBefore;
	}

	const { runData } = run.data.resultData;
	// Pinned nodes are not "executed" as far as the hooks go; their output is in the run all the same.
	const ran = [...new Set([...order, ...Object.keys(runData)])];
	const nodeRuns = ran.map((name): NodeRun => {
		const task = runData[name]?.[0];
		const node = saved.nodes.find((candidate) => candidate.name === name)!;
		return {
			name,
			type: node.type,
			parameters: node.parameters,
			items: task?.data?.main?.[0] ?? [],
			errorItems: task?.data?.main?.[1] ?? [],
			error: task?.error as NodeRun['error'],
			requests: byNode.get(name) ?? [],
		};
	});
	return {
		name: saved.name,
		timezone: engineWorkflow.timezone,
		nodes: nodeRuns,
		node(name) {
			const found = nodeRuns.find((nodeRun) => nodeRun.name === name);
			if (!found) throw new Error(`Node "${name}" did not run; these did: ${ran.join(', ')}`);
			return found;
		},
		error: run.data.resultData.error as WorkflowRun['error'],
		requests,
		run,
	};
}

/**
 * What n8n answers the request that started `run` when its trigger responds with the last node (the Pay System
 * Trigger: `responseMode: 'lastNode'`, `responseData: 'firstEntryJson'`): the first item of the node that ran last.
 * Throws when n8n answers 500 instead: the run failed ("Error in workflow") or that node output no item.
 */
export function webhookAnswer(run: WorkflowRun): IDataObject {
	if (run.error) throw new Error(`Error in workflow: ${run.error.message}`);
	const last = run.run.data.resultData.lastNodeExecuted;
	const task = last === undefined ? undefined : run.run.data.resultData.runData[last]?.at(-1);
	const first = task?.data?.main?.[0]?.[0];
	if (!first) throw new Error('No item to return got found');
	return first.json;
}

/**
 * One request to a webhook trigger of `workflow`, as n8n's webhook server handles it before any run: the node's
 * `webhook()` on n8n-core's WebhookContext (mode `webhook`), with the body as n8n parses a JSON one. Gives what the
 * node returned: `workflowData` is the items of the run it starts (`runWorkflow`'s `trigger`), none when it starts
 * nothing.
 */
export async function deliverWebhook(
	workflow: string | WorkflowFile,
	nodeName: string,
	request: { body: IDataObject; headers?: Record<string, string> },
	options: Pick<RunWorkflowOptions, 'credentials'> = { credentials: {} },
): Promise<IWebhookResponseData> {
	const saved = typeof workflow === 'string' ? loadExample(workflow) : workflow;
	const { engineWorkflow } = engineWorkflowOf(saved, {});
	const node = engineWorkflow.getNode(nodeName);
	if (!node) throw new Error(`${saved.name}: no node "${nodeName}"`);
	const type = NODE_TYPES.getByNameAndVersion(node.type, node.typeVersion);
	const description = type.description.webhooks?.[0];
	if (!type.webhook || !description) throw new Error(`"${nodeName}" (${node.type}) is no webhook trigger`);
	const raw = JSON.stringify(request.body);
	const headers: Record<string, string> = { 'content-type': 'application/json', ...request.headers };
	const body = JSON.parse(raw) as IDataObject;
	// What the node answers itself (a refused request) is not kept: no trigger used here answers itself.
	const answer = { status: () => answer, json: () => answer, send: () => answer, end: () => answer };
	const additionalData = {
		...createAdditionalData(new TestCredentialsHelper(CREDENTIAL_TYPES, options.credentials)),
		httpRequest: { body, rawBody: Buffer.from(raw), headers, header: (name: string) => headers[name.toLowerCase()], params: {}, query: {} } as never,
		httpResponse: answer as never,
	};
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: `${node.webhookId}/${String(description.path)}`,
		webhookDescription: description,
		workflowId: engineWorkflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as IWebhookData;
	const context = new WebhookContext(engineWorkflow, node, additionalData, 'webhook', webhookData, [], null);
	return await type.webhook.call(context);
}

/** The offset of `timeZone` at `instant`, as `-05:00`: what n8n adds to a date given without one. */
export function offsetAt(instant: Date, timeZone: string): string {
	const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
		.formatToParts(instant)
		.find((part) => part.type === 'timeZoneName')!.value;
	return name === 'GMT' ? '+00:00' : name.replace('GMT', '');
}

/** The secret after `/rest/<user id>/` becomes `***`: it never leaves this file. */
export function redactPath(path: string): string {
	return path.replace(/^(.*?\/rest\/\d+\/)[^/]+/, '$1***');
}

/** The method as the path names it (its case kept): after `/rest/`, or after the webhook's user and secret. */
function methodOf(path: string): string {
	return path.replace(/^.*?\/rest\/(\d+\/[^/]+\/)?/, '').replace(/\.json$/i, '');
}

function withoutAuth(params: IDataObject): IDataObject {
	const rest = { ...params };
	delete rest.auth;
	delete rest.access_token;
	return rest;
}

/** What the node asked n8n to send (the URL is the webhook's, which holds the secret). */
function fromClient(request: IHttpRequestOptions): SentRequest {
	const url = new URL(request.url, request.baseURL);
	const body = request.body !== null && typeof request.body === 'object' ? (request.body as IDataObject) : {};
	return {
		httpMethod: request.method ?? 'GET',
		path: redactPath(url.pathname),
		method: methodOf(url.pathname),
		params: structuredClone(withoutAuth(body)),
	};
}

/** What the portal received: the token endpoint's requests show only their grant type. */
function fromPortalLog(request: RecordedRequest): SentRequest {
	const tokenEndpoint = request.auth === 'token-endpoint';
	return {
		httpMethod: request.httpMethod,
		path: redactPath(request.path),
		method: tokenEndpoint ? 'oauth/token' : methodOf(request.path),
		params: tokenEndpoint ? { grant_type: request.params.grant_type as string } : withoutAuth(request.params as IDataObject),
		status: request.status,
	};
}
