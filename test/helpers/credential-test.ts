/**
 * Runs a credential's test the way n8n's CLI does (`CredentialsTester` in
 * packages/cli/src/services/credentials-tester.service.ts): the credential's own `test` request first; else the
 * function a node that uses the credential names in `testedBy`, called with n8n-core's real `CredentialTestContext`
 * (its request helper makes the real HTTP request). A `test` request runs through a throwaway
 * `n8n-nodes-base.noOp`-named node type whose single property routes it, in n8n-core's real `RoutingNode` with
 * `credentialsDecrypted`, then the `rules` are applied. The result messages are n8n's own or the package's.
 */
import { CredentialTestContext, ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { Workflow, createRunExecutionData } from 'n8n-workflow';

import { TestCredentialsHelper, createAdditionalData, createNodeTypes } from './engine';
import { nodeType as actionNodeType, pollingTriggerType, triggerType } from './package';

/** n8n's lookup: the first node of the package whose entry for the credential names a test function. */
function testFunctionOf(credentialName: string) {
	for (const node of [actionNodeType, triggerType, pollingTriggerType]) {
		const entry = node.description.credentials?.find((credential) => credential.name === credentialName && credential.testedBy);
		if (typeof entry?.testedBy === 'string') return node.methods?.credentialTest?.[entry.testedBy];
	}
	return undefined;
}

// Messages from the CLI (RESPONSE_ERROR_MESSAGES and CredentialsTester).
const OAUTH2_CREDENTIAL_TEST_SUCCEEDED = 'Connection Successful!';
const OAUTH2_CREDENTIAL_TEST_FAILED = 'This OAuth2 credential was not connected to an account.';
const NO_TEST_FUNCTION = 'No testing function found for this credential.';
const SUCCESS = 'Connection successful!';

/** Error shape after `RoutingNode` wraps a failed request in a `NodeApiError`. */
type RequestFailure = Error & {
	cause?: { code?: string; response?: { status: number; statusText?: string } };
};

/** `lodash.get`-style lookup (`a.b[0].c`), as the CLI uses for `responseSuccessBody` keys. */
function getNested(data: unknown, path: string): unknown {
	return path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], data);
}

export async function testCredential(
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const credentialsHelper = new TestCredentialsHelper([credentialType], {
		[credentialType.name]: data,
	});
	const testRequest = credentialType.test;

	const testFunction = testRequest ? undefined : testFunctionOf(credentialType.name);
	if (testFunction) {
		const context = new CredentialTestContext(createAdditionalData(credentialsHelper));
		return await testFunction.call(context, { id: '1', name: 'Test', type: credentialType.name, data: structuredClone(data) });
	}

	if (!testRequest) {
		// n8n's fallback for OAuth2 types used by a node: connected means an access token is stored.
		if (credentialsHelper.getParentTypes(credentialType.name).includes('oAuth2Api')) {
			const tokenData = data.oauthTokenData as Record<string, unknown> | undefined;
			return tokenData && typeof tokenData === 'object' && 'access_token' in tokenData
				? { status: 'OK', message: OAUTH2_CREDENTIAL_TEST_SUCCEEDED }
				: { status: 'Error', message: OAUTH2_CREDENTIAL_TEST_FAILED };
		}
		return { status: 'Error', message: NO_TEST_FUNCTION };
	}

	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: 'n8n-nodes-base.noOp',
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType.name]: { id: '1', name: 'Test' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: createNodeTypes([nodeType]),
	});

	const credentialsDecrypted: ICredentialsDecrypted = {
		id: '1',
		name: 'Test',
		type: credentialType.name,
		data: structuredClone(data),
	};
	const inputData = { main: [[{ json: {} }]] };
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		createAdditionalData(credentialsHelper),
		'internal',
		createRunExecutionData({ executionData: null }),
		0,
		[],
		inputData,
		executeData,
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (caught) {
		const error = caught as RequestFailure;
		const httpResponse = error.cause?.response;
		if (httpResponse) {
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && httpResponse.status === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (httpResponse.status < 199 || httpResponse.status > 299) {
				return {
					status: 'Error',
					message: httpResponse.statusText || `Received HTTP status code: ${httpResponse.status}`,
				};
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	}

	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const body = response?.[0]?.[0]?.json;
			if (getNested(body, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: SUCCESS };
}
