/**
 * Runs a whole saved workflow (an `examples/*.json` as a user imports it) on n8n's real engine: every node and
 * connection as saved, started the way n8n starts a manual run (`WorkflowExecute.run` from its manual trigger,
 * pinned data standing for a trigger's output). The package's nodes are the built ones from dist/; the few
 * n8n-nodes-base nodes the examples use are the stand-ins of `stand-ins.ts`. Every request to Bitrix24 is
 * recorded per node, with the webhook secret and tokens left out.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: reads the example files next to it, never shipped */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-enable @n8n/community-nodes/no-restricted-imports */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IWorkflowBase,
	IWorkflowSettings,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import type { Bitrix24Emulator, RecordedRequest } from '../emulator/server';
import { createAdditionalData, createNodeTypes, TestCredentialsHelper } from './engine';
import { credentialTypes, nodeType, triggerType } from './package';
import { STAND_INS } from './stand-ins';


export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
/* eslint-enable @n8n/community-nodes/no-restricted-globals */
export const PACKAGE_NODE = 'n8n-nodes-bitrix24-payments.bitrix24Payments';
export const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';

const NODE_TYPES = createNodeTypes([], {
	...STAND_INS,
	[PACKAGE_NODE]: nodeType,
	'n8n-nodes-bitrix24-payments.bitrix24PaymentsTrigger': triggerType,
});

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
	/** Parameters changed before the run, by node name (such as a chat URL pointed at a local receiver). */
	parameters?: Record<string, INodeParameters>;
	/**
	 * Take the requests from this emulator's log: every request of every credential, OAuth2 included, with the
	 * status. Without it they are taken as n8n is about to send them (the credential helper's `authenticate`),
	 * which works against any portal but sees only webhook requests.
	 */
	emulator?: Bitrix24Emulator;
}

/** Runs `workflow` (a file in examples/ or a workflow object) on WorkflowExecute, as a manual run in n8n. */
export async function runWorkflow(workflow: string | WorkflowFile, options: RunWorkflowOptions): Promise<WorkflowRun> {
	const saved = typeof workflow === 'string' ? loadExample(workflow) : workflow;
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

	const order: string[] = [];
	const byNode = new Map<string, SentRequest[]>();
	const requests: SentRequest[] = [];
	const record = (node: string | undefined, request: SentRequest) => {
		requests.push(request);
		if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), request]);
	};

	const hooks = new ExecutionLifecycleHooks('manual', '1', workflowData);
	hooks.addHandler('nodeExecuteBefore', (name) => {
		order.push(name);
	});
	const credentialsHelper = new TestCredentialsHelper(credentialTypes, options.credentials);
	const { emulator } = options;
	const tapBefore = emulator?.onRequest;
	if (emulator) {
		// Nodes run one at a time and wait for their answers, so a request belongs to the node that runs now.
		emulator.onRequest = (request) => {
			tapBefore?.(request);
			record(order[order.length - 1], fromPortalLog(request));
		};
	} else {
		credentialsHelper.onAuthenticate = (request, _type, node) => record(node?.name, fromClient(request));
	}

	const startName = options.startNode ?? manualTrigger(saved)?.name;
	const startNode = startName === undefined ? undefined : engineWorkflow.getNode(startName);
	if (!startNode) throw new Error(`${saved.name}: no node to start from (no manual trigger, no startNode)`);
	let run: IRun;
	try {
		run = await new WorkflowExecute(createAdditionalData(credentialsHelper, hooks), 'manual').run({
			workflow: engineWorkflow,
			startNode,
			pinData: options.pinData,
		});
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
