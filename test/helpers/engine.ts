/**
 * Test harness: runs ONE node on the real n8n engine (`WorkflowExecute` from n8n-core).
 *
 * The workflow is `Start -> <node under test>`. `Start` is a tiny harness node that
 * passes the input items through, so the engine itself feeds the node and sets
 * `pairedItem` on its output exactly as in n8n. Nothing is mocked: declarative nodes
 * go through n8n-core's `RoutingNode` and real HTTP (to the emulator or a local server).
 *
 * DI: n8n-core resolves a few services from its `@n8n/di` Container, e.g. `OutboundHttp`
 * (every HTTP request), `LockService` (OAuth2 refresh single-flight), `InstanceSettings`,
 * `Logger`, `ErrorReporter`. All are `@Service()` classes whose dependencies are resolvable,
 * so the Container builds the real ones on first use and nothing has to be registered.
 * Two things make that work in tests:
 * - `test/helpers/setup-env.ts` sets the env they read (temp N8N_USER_FOLDER, SSRF off).
 * - Do NOT import `@n8n/di` here to register anything: the top-level copy in node_modules
 *   is a different version (and Container) from the one nested under n8n-core.
 */
import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IConnections,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	isExpression,
} from 'n8n-workflow';

import type { Bitrix24Emulator } from '../emulator/server';
import type { Auth } from './bitrix24';
import { credentialData } from './bitrix24';
import { credentialTypes, nodeType as packageNodeType } from './package';

export interface RunNodeOptions {
	/** The node's parameters, as n8n stores them (defaults are filled in by `Workflow`). */
	parameters: INodeParameters;
	/** Input items, default `[{ json: {} }]`. */
	items?: INodeExecutionData[];
	/** Sets `node.continueOnFail` and `onError: 'continueRegularOutput'`. */
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	/** The portal the package's node talks to: its credential is made for it unless `credentials` is given. */
	emulator?: Bitrix24Emulator;
	/** The package node's Authentication, and so its credential type; default 'webhook'. */
	auth?: Auth;
	/** The package node's credential data, when it is not the emulator's (a wrong secret, an expired token ...). */
	credentials?: ICredentialDataDecryptedObject;
	/** Another node than the package's (the harness self-check, the bench's floors), with its own credential. */
	nodeType?: INodeType;
	credentialTypes?: ICredentialType[];
	/** The credential set on that node as `{ id: '1', name: 'Test' }`, with its decrypted data. */
	credential?: { type: string; data: ICredentialDataDecryptedObject };
	/** Default 'Bitrix24 Payments'. */
	nodeName?: string;
	/** Default 1. */
	typeVersion?: number;
}

export interface RunNodeResult {
	/** Main output 0 of the node, or [] if the node failed. */
	items: INodeExecutionData[];
	/** Output 1 (the error output) when `onError` is 'continueErrorOutput'. */
	errorItems: INodeExecutionData[];
	/**
	 * `run.data.resultData.error`, undefined on success. The engine stores a copy of the
	 * thrown error's own fields (`{ ...error, message, stack }`): `name`, `description`,
	 * `httpCode`, `context`... are there, but it is not `instanceof NodeApiError`.
	 */
	error?: Error & { description?: string; httpCode?: string; context?: Record<string, unknown> };
	/** The data of every `updateCredentialsOauthTokenData` call (OAuth2 refreshes), in order. */
	credentialUpdates: ICredentialDataDecryptedObject[];
	/** The whole run, for anything else. */
	run: IRun;
}

const START_NODE_NAME = 'Start';
const START_NODE_TYPE = 'harness.start';

/** Entry node: returns its input, which the harness puts on the execution stack. */
const startNodeType: INodeType = {
	description: {
		displayName: 'Harness Start',
		name: START_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits the test input items',
		defaults: { name: START_NODE_NAME },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

/**
 * `INodeTypes` over a fixed set of node types, keyed by `description.name`, and by the names in `named` (a
 * saved workflow names types with their package: `n8n-nodes-base.code`).
 */
export function createNodeTypes(
	types: Array<INodeType | IVersionedNodeType>,
	named: Record<string, INodeType | IVersionedNodeType> = {},
): INodeTypes {
	const byName = new Map([
		...types.map((type) => [type.description.name, type] as const),
		...Object.entries(named),
	]);
	const get = (name: string) => {
		const type = byName.get(name);
		if (!type) throw new UnexpectedError(`Unknown node type "${name}"`);
		return type;
	};
	return {
		getByName: get,
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(get(name), version),
		getKnownTypes: () => ({}),
	};
}

/**
 * Credentials helper backed by in-memory fixture data, behaving like the CLI's
 * `CredentialsHelper` where the engine can observe it.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** Data of every `updateCredentialsOauthTokenData` call, in order. */
	readonly credentialUpdates: ICredentialDataDecryptedObject[] = [];

	private readonly types = new Map<string, ICredentialType>();

	private readonly stored = new Map<string, ICredentialDataDecryptedObject>();

	/**
	 * Sees every request a credential without OAuth signs (n8n calls `authenticate` for each, just before
	 * sending it), as the node handed it to n8n: before signing, so nothing the credential adds is seen.
	 * OAuth2 requests are signed by n8n's OAuth2 client instead and do not pass here.
	 */
	onAuthenticate?: (request: IHttpRequestOptions, typeName: string, node?: INode) => void;

	constructor(
		credentialTypes: ICredentialType[],
		fixtures: Record<string, ICredentialDataDecryptedObject> = {},
	) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
		for (const [type, data] of Object.entries(fixtures))
			this.stored.set(type, structuredClone(data));
	}

	/** All ancestors via `extends`, e.g. `['oAuth2Api']`: that is what routes requests to OAuth2. */
	getParentTypes(name: string): string[] {
		const parents: string[] = [];
		for (const parent of this.types.get(name)?.extends ?? []) {
			parents.push(parent, ...this.getParentTypes(parent));
		}
		return parents;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Applies the type's `authenticate`: a function, or generic headers/qs/body/auth with expressions. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		this.onAuthenticate?.(requestOptions as IHttpRequestOptions, typeName, node);
		const { authenticate } = this.getType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) {
				throw new UnexpectedError(
					'Workflow and node are required for declarative credential authentication',
				);
			}
			// Same resolution as n8n: `={{$credentials.x}}` in keys and values, results as strings.
			const resolve = (value: string) => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? resolved.toString() : '';
			};
			const target = requestOptions as unknown as Record<string, IDataObject | undefined>;
			target.headers ??= {};
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				const resolvedSection = (target[section] ??= {});
				for (const [key, value] of Object.entries(entries as IDataObject)) {
					resolvedSection[resolve(key)] = resolve(value as string);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/**
	 * Like n8n: only for types with a hidden `expirable` property; runs `preAuthentication`
	 * when that property is empty, the core reports it expired, or during a credential test.
	 */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;

		const isCredentialTest = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isCredentialTest)
			return undefined;

		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output?.[expirable.name] === undefined) return undefined;
		this.stored.set(typeName, { ...this.stored.get(typeName), ...output });
		return Object.assign(credentials, output);
	}

	/** Called by the OAuth2 path on every request: the type's `preAuthentication`, in memory only. */
	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.getType(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		const output = await preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		throw new UnexpectedError(`getCredentials("${type}") is not supported by the test harness`);
	}

	/** A deep copy of the fixture as stored now (OAuth refreshes update it). No defaults are applied. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.stored.get(type);
		if (!data) {
			throw new UnexpectedError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`,
			);
		}
		return structuredClone(data);
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.stored.set(type, structuredClone(data));
	}

	/** Records the call; like n8n, only `oauthTokenData` is written back to the stored credential. */
	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.credentialUpdates.push(structuredClone(data));
		this.stored.set(type, {
			...this.stored.get(type),
			oauthTokenData: structuredClone(data.oauthTokenData),
		});
	}

	/** The type's properties merged over its known parents' (the parent's come first). */
	getCredentialsProperties(typeName: string): INodeProperties[] {
		const type = this.types.get(typeName);
		if (!type) return [];
		const properties: INodeProperties[] = [];
		for (const parent of type.extends ?? []) {
			NodeHelpers.mergeNodeProperties(properties, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(properties, type.properties);
		return properties;
	}

	private getType(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new UnexpectedError(`Unknown credential type "${name}"`);
		return type;
	}
}

/**
 * The context n8n's editor runs a node's list method in (a "From List" picker, a loadOptions dropdown): the CLI's
 * DynamicNodeParametersService builds a one-node workflow ("Temp-Node") from the current parameters and calls the
 * method on n8n-core's LoadOptionsContext, whose request helpers authenticate with the node's credential.
 */
export function loadOptionsContext(
	type: INodeType,
	parameters: INodeParameters,
	credential: { type: string; data: ICredentialDataDecryptedObject },
	parameterPath: string,
): LoadOptionsContext {
	const node: INode = {
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: type.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [credential.type]: { id: '1', name: 'Test' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: createNodeTypes([type]) });
	const additionalData = createAdditionalData(new TestCredentialsHelper(credentialTypes, { [credential.type]: credential.data }));
	additionalData.currentNodeParameters = parameters;
	return new LoadOptionsContext(workflow, workflow.getNode(node.name)!, additionalData, parameterPath);
}

/** `additionalData` with everything the engine and request helpers read. */
export function createAdditionalData(
	credentialsHelper: ICredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678/';
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper,
		hooks,
		executionId: '1',
		userId: 'test-user',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}rest`,
		instanceBaseUrl: base,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		formBaseUrl: `${base}form`,
		formWaitingBaseUrl: `${base}form-waiting`,
		formTestBaseUrl: `${base}form-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
		variables: {},
		// Only sub-workflow / agent / runner features call these; fail loudly if one does.
		executeWorkflow: async () => {
			throw new UnexpectedError('executeWorkflow is not available in tests');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

/** What runs: the package's node with the credential its Authentication names, or the node given with its own. */
function subjectOf(options: RunNodeOptions) {
	if (options.nodeType) {
		return { nodeType: options.nodeType, parameters: options.parameters, credentialTypes: options.credentialTypes ?? [], credential: options.credential };
	}
	const auth = options.auth ?? 'webhook';
	const data = options.credentials ?? (options.emulator ? credentialData(options.emulator, auth) : undefined);
	return {
		nodeType: packageNodeType,
		parameters: { authentication: auth, ...options.parameters },
		credentialTypes,
		credential: data && { type: auth === 'webhook' ? 'bitrix24PaymentsWebhookApi' : 'bitrix24PaymentsOAuth2Api', data },
	};
}

/**
 * The one way the tests run a node: once, on the real engine (`Start -> node`), with its input items, and
 * returns its output. By default the package's Bitrix24 Payments against `emulator`.
 */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const { nodeType, parameters, credentialTypes: types, credential } = subjectOf(options);
	const nodeName = options.nodeName ?? 'Bitrix24 Payments';
	const onError = options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined);

	const startNode: INode = {
		id: 'start',
		name: START_NODE_NAME,
		type: START_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const testNode: INode = {
		id: 'node-under-test',
		name: nodeName,
		type: nodeType.description.name,
		typeVersion: options.typeVersion ?? 1,
		position: [250, 0],
		// Copies: the engine writes into parameters and items (defaults, pairedItem).
		parameters: structuredClone(parameters),
		...(credential && {
			credentials: { [credential.type]: { id: '1', name: 'Test' } },
		}),
		...(options.continueOnFail && { continueOnFail: true }),
		...(onError && { onError }),
	};
	const connections: IConnections = {
		[START_NODE_NAME]: { main: [[{ node: nodeName, type: 'main', index: 0 }]] },
	};
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: 'Test workflow',
		active: false,
		isArchived: false,
		nodes: [startNode, testNode],
		connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	};

	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections,
		active: false,
		nodeTypes: createNodeTypes([startNodeType, nodeType]),
		settings: workflowData.settings,
	});

	const credentialsHelper = new TestCredentialsHelper(types, credential ? { [credential.type]: credential.data } : {});
	const hooks = new ExecutionLifecycleHooks('manual', '1', workflowData);
	const additionalData = createAdditionalData(credentialsHelper, hooks);

	// The input items go on the stack as Start's input; Start runs first and feeds the node.
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{
					node: workflow.getNode(START_NODE_NAME)!,
					data: { main: [structuredClone(options.items ?? [{ json: {} }])] },
					source: null,
				},
			],
		},
	});

	const run = await new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);

	const output = run.data.resultData.runData[nodeName]?.[0]?.data?.main ?? [];
	return {
		items: output[0] ?? [],
		errorItems: output[1] ?? [],
		error: run.data.resultData.error as RunNodeResult['error'],
		credentialUpdates: credentialsHelper.credentialUpdates,
		run,
	};
}
