/**
 * Runs the BUILT polling trigger (dist/) on n8n-core's real PollContext, as n8n's active-workflow manager does:
 * the node's webhook steps first (checkExists, then create unless it says true), then one context per activation,
 * whose first look runs at activation (a failure fails the activation); every later look with the same context;
 * deactivation runs the webhook step delete, a stop runs nothing; `__emit` starts one run and saves the static
 * data (saving only what changed), an empty look saves nothing; static data is also saved after activation and on
 * deactivation, never at a stop.
 * A restart is a fresh copy of the package's modules (nothing kept in memory) activated with `init`.
 */
import { HookContext, PollContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { createAdditionalData, createNodeTypes, TestCredentialsHelper } from './engine';
import { credentialTypes, freshPollingTriggerType } from './package';

export interface PollOptions {
	authentication: 'oAuth2' | 'webhook';
	events: string[];
	/** Credential data by type: `bitrix24PaymentsOAuth2Api` or `bitrix24PaymentsWebhookApi`. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The workflow's id (two workflows on one app are two harnesses with different ids). */
	workflowId?: string;
	nodeName?: string;
	/** The node as loaded (outside Jest, which alone can load a fresh copy); default a fresh copy. */
	nodeType?: INodeType;
}

/** What one look did: the runs it started (the items of each), or the error n8n would record. */
export interface Look {
	runs: IDataObject[][];
	error?: Error & { description?: string };
}

export class PollHarness {
	/** The items of every run the trigger started, in order. */
	readonly runs: IDataObject[][] = [];
	/** The workflow's static data as n8n has it in its database (JSON). */
	savedStaticData = '{}';
	private nodeType: INodeType;
	private readonly credentialsHelper: TestCredentialsHelper;
	private active?: { workflow: Workflow; context: PollContext };

	constructor(private readonly options: PollOptions) {
		this.nodeType = options.nodeType ?? freshPollingTriggerType();
		this.credentialsHelper = new TestCredentialsHelper(credentialTypes, options.credentials);
	}

	private node(): INode {
		const type = this.options.authentication === 'oAuth2' ? 'bitrix24PaymentsOAuth2Api' : 'bitrix24PaymentsWebhookApi';
		return {
			id: `node-${this.options.workflowId ?? '1'}`,
			name: this.options.nodeName ?? 'Bitrix24 Payments Polling Trigger',
			type: 'bitrix24PaymentsPollingTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				authentication: this.options.authentication,
				events: this.options.events,
				pollTimes: { item: [{ mode: 'everyMinute' }] },
			},
			credentials: { [type]: { id: type, name: type } },
		};
	}

	/** The workflow as n8n builds it from its database row, static data included. */
	private workflow(): Workflow {
		return new Workflow({
			id: this.options.workflowId ?? 'polling-workflow',
			name: 'Polling workflow',
			nodes: [this.node()],
			connections: {},
			active: true,
			nodeTypes: createNodeTypes([this.nodeType]),
			staticData: JSON.parse(this.savedStaticData) as IDataObject,
			settings: { executionOrder: 'v1' },
		});
	}

	/** n8n's saveStaticData: writes the workflow's static data when something changed it. */
	private save(workflow: Workflow) {
		const data = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (!data.__dataChanged) return;
		this.savedStaticData = JSON.stringify(data);
		data.__dataChanged = false;
	}

	private context(workflow: Workflow, mode: 'trigger' | 'manual', activation: WorkflowActivateMode, started: IDataObject[][]) {
		const emit = (data: INodeExecutionData[][]) => {
			this.save(workflow);
			const items = data[0].map((item) => item.json);
			started.push(items);
			this.runs.push(items);
		};
		const node = workflow.getNode(this.node().name)!;
		return new PollContext(workflow, node, createAdditionalData(this.credentialsHelper), mode, activation, emit, () => {});
	}

	/**
	 * n8n's webhook steps (activation and deactivation only), with the hook context n8n gives them, on the workflow
	 * the activation goes on with; n8n saves the static data after them (active-workflow-manager addWebhooks,
	 * clearWebhooks).
	 */
	private async webhookStep(workflow: Workflow, step: 'activate' | 'delete', activation: WorkflowActivateMode): Promise<void> {
		const methods = this.nodeType.webhookMethods?.default;
		if (!methods) return;
		const node = workflow.getNode(this.node().name)!;
		const context = new HookContext(workflow, node, createAdditionalData(this.credentialsHelper), 'trigger', activation);
		if (step === 'delete') await methods.delete.call(context);
		else if (!(await methods.checkExists.call(context))) await methods.create.call(context);
		this.save(workflow);
	}

	/** One look with the activation's context, as the poll executor makes it; its error is what n8n records. */
	private async poll(): Promise<Look> {
		const { workflow, context } = this.active!;
		const runs: IDataObject[][] = [];
		(context as unknown as { __emit: (data: INodeExecutionData[][]) => void }).__emit = (data) => {
			this.save(workflow);
			const items = data[0].map((item) => item.json);
			runs.push(items);
			this.runs.push(items);
		};
		try {
			const response = await this.nodeType.poll!.call(context);
			if (response !== null) context.__emit(response);
			return { runs };
		} catch (error) {
			return { runs, error: error as Look['error'] };
		}
	}

	/** Activation: the webhook steps, a new context, its first look (a failure fails the activation), then n8n saves the static data. */
	async activate(activation: WorkflowActivateMode = 'activate'): Promise<Look> {
		const workflow = this.workflow();
		await this.webhookStep(workflow, 'activate', activation);
		this.active = { workflow, context: this.context(workflow, 'trigger', activation, []) };
		const look = await this.poll();
		if (look.error) {
			this.active = undefined;
			throw look.error;
		}
		this.save(workflow);
		return look;
	}

	/** The next scheduled look. */
	async look(): Promise<Look> {
		if (!this.active) throw new Error('The workflow is not active');
		return await this.poll();
	}

	/** Deactivation: n8n runs the webhook step delete, and saves the static data. */
	async deactivate(): Promise<void> {
		// n8n builds the workflow it deactivates from its database row (clearWebhooks), static data as saved.
		await this.webhookStep(this.workflow(), 'delete', 'update');
		this.active = undefined;
	}

	/** n8n stops (running no step of the node, saving nothing for a poller), starts again with nothing in memory, and activates the workflow (`init`). */
	async restart(): Promise<Look> {
		this.active = undefined;
		this.nodeType = freshPollingTriggerType();
		return await this.activate('init');
	}

	/**
	 * n8n dies in the middle of a look, after the node has read the queue: before any run started, or (`afterRuns`)
	 * once that many runs have started (each saved the static data, as n8n does when a poll emits); nothing after.
	 */
	async crashDuringLook(o: { afterRuns?: number } = {}): Promise<void> {
		const { workflow, context } = this.active!;
		let started = 0;
		(context as unknown as { __emit: (data: INodeExecutionData[][]) => void }).__emit = (data) => {
			if (started++ >= (o.afterRuns ?? 0)) throw new Error('n8n died before the run started');
			this.save(workflow);
			this.runs.push(data[0].map((item) => item.json));
		};
		await this.nodeType.poll!.call(context).catch(() => undefined);
		this.active = undefined;
		this.nodeType = freshPollingTriggerType();
	}

	/** "Fetch Test Event" in the editor: a manual run of the node on the workflow as saved. */
	async fetchTestEvent(): Promise<IDataObject[]> {
		const workflow = this.workflow();
		const context = this.context(workflow, 'manual', 'manual', []);
		const response = await this.nodeType.poll!.call(context);
		return (response?.[0] ?? []).map((item) => item.json);
	}

	/** The node's static data as saved. */
	savedNodeData(): IDataObject {
		return ((JSON.parse(this.savedStaticData) as IDataObject)[`node:${this.node().name}`] ?? {}) as IDataObject;
	}
}
