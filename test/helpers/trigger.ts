/**
 * Runs the BUILT trigger node (dist/) on n8n-core's real webhook and hook contexts, as n8n's webhook server does:
 * a local HTTP receiver takes the portal's deliveries, parses form bodies with Node's querystring (so
 * `data[FIELDS][ID]` stays a flat key, as in n8n), builds the workflow from its saved static data for every
 * request, calls the node's `webhook()` with a `WebhookContext`, answers as n8n does and saves the static data
 * when it changed. Activation and deactivation call `webhookMethods` with a `HookContext`, as n8n's activation does.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only: a local HTTP receiver (node:http, querystring), never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

import { HookContext, WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { createAdditionalData, createNodeTypes, TestCredentialsHelper } from './engine';
import { credentialTypes, freshPaySystemTriggerType, freshTriggerType } from './package';

export interface TriggerOptions {
	/** Which trigger: Bitrix24 Payments Trigger (default) or Bitrix24 Pay System Trigger. */
	node?: 'bitrix24PaymentsTrigger' | 'bitrix24PaySystemTrigger';
	authentication: 'oAuth2' | 'webhook';
	/** Bitrix24 Payments Trigger's events; `parameters` gives another node's (authentication is added). */
	events?: string[];
	parameters?: IDataObject;
	/**
	 * For a trigger that answers with the run's last node (Pay System Trigger): the rest of the workflow, given the
	 * items the trigger started it with; what it returns is the last node's first item, what it throws a failed run.
	 */
	run?: (items: IDataObject[]) => Promise<IDataObject>;
	/** Credential data by type: `bitrix24PaymentsOAuth2Api`, or `bitrix24PaymentsWebhookApi` (its `applicationToken` for the outgoing webhook). */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	nodeName?: string;
	/** The base of n8n's webhook URLs (n8n's WEBHOOK_URL), when it is not the local receiver. */
	webhookBaseUrl?: string;
}

/** One delivery the receiver took: what the node answered, and the items it started the workflow with (if any). */
export interface Received {
	status: number;
	body: unknown;
	started?: IDataObject[];
}

export class TriggerHarness {
	/** Every delivery, in the order the node finished with them. */
	readonly received: Received[] = [];
	/** The workflow's static data as n8n would have it in its database (JSON). */
	savedStaticData = '{}';
	private nodeType: INodeType;
	private readonly credentialsHelper: TestCredentialsHelper;
	private readonly server: http.Server;
	private url = '';

	private constructor(private readonly options: TriggerOptions) {
		this.credentialsHelper = new TestCredentialsHelper(credentialTypes, options.credentials);
		this.nodeType = this.freshType();
		this.server = http.createServer((req, res) => {
			void this.handle(req, res);
		});
	}

	static async start(options: TriggerOptions): Promise<TriggerHarness> {
		const harness = new TriggerHarness(options);
		await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', () => resolve()));
		harness.url = `http://127.0.0.1:${(harness.server.address() as AddressInfo).port}`;
		return harness;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	/** The items of every workflow run the deliveries started. */
	get started(): IDataObject[][] {
		return this.received.flatMap((r) => (r.started ? [r.started] : []));
	}

	/** Changes a credential's data, as a user editing it in n8n (the token of an outgoing webhook made for this URL). */
	async setCredentials(type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		await this.credentialsHelper.updateCredentials({ id: type, name: type }, type, data);
	}

	/** Drops everything the process kept in memory, as a restart of n8n does; the saved static data stays. */
	restart(): void {
		this.nodeType = this.freshType();
	}

	private freshType(): INodeType {
		return this.options.node === 'bitrix24PaySystemTrigger' ? freshPaySystemTriggerType() : freshTriggerType();
	}

	/** The node's webhook path after its id: `webhook`, or the Pay System Trigger's `checkout`. */
	private get path(): string {
		return String(this.nodeType.description.webhooks![0].path);
	}

	private node(): INode {
		const types = this.options.authentication === 'oAuth2' ? ['bitrix24PaymentsOAuth2Api'] : ['bitrix24PaymentsWebhookApi'];
		return {
			id: 'trigger',
			name: this.options.nodeName ?? (this.options.node === 'bitrix24PaySystemTrigger' ? 'Bitrix24 Pay System Trigger' : 'Bitrix24 Payments Trigger'),
			type: this.options.node ?? 'bitrix24PaymentsTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: '4f3c2b1a-0000-4000-8000-000000000001',
			parameters: { authentication: this.options.authentication, ...(this.options.parameters ?? { events: this.options.events ?? [] }) },
			credentials: Object.fromEntries(types.map((type) => [type, { id: type, name: type }])),
		};
	}

	/** The workflow as n8n builds it for one request: from the database, static data included. */
	private workflow(): Workflow {
		const node = this.node();
		return new Workflow({
			id: 'trigger-workflow',
			name: 'Trigger workflow',
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes: createNodeTypes([this.nodeType]),
			staticData: JSON.parse(this.savedStaticData) as IDataObject,
			settings: { executionOrder: 'v1' },
		});
	}

	private additionalData(extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		return {
			...createAdditionalData(this.credentialsHelper),
			webhookBaseUrl: this.options.webhookBaseUrl ?? `${this.url}/webhook`,
			webhookTestBaseUrl: `${this.url}/webhook-test`,
			...extra,
		};
	}

	private webhookData(workflow: Workflow, isTest: boolean): IWebhookData {
		const node = workflow.getNode(this.node().name)!;
		return {
			httpMethod: 'POST',
			node: node.name,
			path: `${node.webhookId}/${this.path}`,
			webhookDescription: this.nodeType.description.webhooks![0],
			workflowId: workflow.id,
			workflowExecuteAdditionalData: this.additionalData(),
			isTest,
		} as IWebhookData;
	}

	/** The URL Bitrix24 calls: production, or the test URL n8n listens on for "Listen for test event". */
	webhookUrl(isTest = false): string {
		return `${this.url}/${isTest ? 'webhook-test' : 'webhook'}/${this.node().webhookId}/${this.path}`;
	}

	private hook(isTest: boolean) {
		const workflow = this.workflow();
		const node = workflow.getNode(this.node().name)!;
		const mode: WorkflowExecuteMode = isTest ? 'manual' : 'trigger';
		const context = new HookContext(workflow, node, this.additionalData(), mode, isTest ? 'manual' : 'activate', this.webhookData(workflow, isTest));
		return { context, methods: this.nodeType.webhookMethods!.default! };
	}

	/** Activation as n8n does it: create the subscription unless checkExists says it is there. */
	async activate(isTest = false): Promise<void> {
		const { context, methods } = this.hook(isTest);
		if (await methods.checkExists.call(context)) return;
		await methods.create.call(context);
	}

	async isSubscribed(isTest = false): Promise<boolean> {
		const { context, methods } = this.hook(isTest);
		return await methods.checkExists.call(context);
	}

	async deactivate(isTest = false): Promise<void> {
		const { context, methods } = this.hook(isTest);
		await methods.delete.call(context);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks).toString('utf8');
		const type = String(req.headers['content-type'] ?? '');
		const body = type.includes('application/json') ? (JSON.parse(raw || '{}') as IDataObject) : (parseQuery(raw) as IDataObject);
		const isTest = (req.url ?? '').startsWith('/webhook-test/');
		let status = 200;
		let answer: unknown;
		const response = {
			status(code: number) {
				status = code;
				return response;
			},
			json(value: unknown) {
				answer = value;
				return response;
			},
			send(value: unknown) {
				answer = value;
				return response;
			},
			end() {
				return response;
			},
		};
		const workflow = this.workflow();
		const node = workflow.getNode(this.node().name)!;
		const additionalData = this.additionalData({
			httpRequest: { body, headers: req.headers, params: {}, query: {} } as never,
			httpResponse: response as never,
		});
		const context = new WebhookContext(workflow, node, additionalData, isTest ? 'manual' : 'webhook', this.webhookData(workflow, isTest), [], null);
		let result: IWebhookResponseData;
		try {
			result = await this.nodeType.webhook!.call(context);
		} catch (error) {
			status = 500;
			answer = { message: (error as Error).message };
			result = { noWebhookResponse: true };
		}
		const started = result.workflowData?.[0]?.map((item: INodeExecutionData) => item.json);
		if (!result.noWebhookResponse && started && this.nodeType.description.webhooks![0].responseMode === 'lastNode') {
			// n8n answers when the run ends: the last node's first item, or 500 "Error in workflow" (webhook-helpers).
			try {
				answer = await (this.options.run ?? (async () => ({})))(started);
			} catch {
				status = 500;
				answer = { message: 'Error in workflow' };
			}
		} else if (!result.noWebhookResponse) {
			answer = { message: result.workflowData ? 'Workflow was started' : 'Webhook call received' };
		}
		// n8n saves the request's static data after the node ran, when it changed.
		if ((workflow.staticData as IDataObject & { __dataChanged?: boolean }).__dataChanged) {
			this.savedStaticData = JSON.stringify(workflow.staticData);
		}
		this.received.push({ status, body: answer, started });
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(answer));
	}
}
