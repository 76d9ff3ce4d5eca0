import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { callPortal } from '../../client/request';

/**
 * Which pay systems an operation can use. `registry`: what the pay system pays (ENTITY_REGISTRY_TYPE): the
 * payments of orders and deals, or the old CRM invoices. `restHandler`: Bitrix24 lets REST change or read the
 * settings of only the pay systems that run a REST handler, not built-in ones such as Cash.
 */
const USABLE: Record<string, { registry?: 'ORDER' | 'CRM_INVOICE'; restHandler?: boolean }> = {
	'paySystem:payPayment': { registry: 'ORDER' },
	'paySystem:payInvoice': { registry: 'CRM_INVOICE' },
	'paySystem:getPaymentSettings': { registry: 'ORDER', restHandler: true },
	'paySystem:update': { restHandler: true },
	'paySystem:delete': { restHandler: true },
	'paySystem:getSettings': { restHandler: true },
	'paySystem:updateSettings': { restHandler: true },
	'orderPayment:create': { registry: 'ORDER' },
	'orderPayment:update': { registry: 'ORDER' },
};

function currentOperation(context: ILoadOptionsFunctions): string {
	const value = (name: string) => {
		try {
			return String(context.getCurrentNodeParameter(name) ?? '');
		} catch {
			return '';
		}
	};
	return `${value('resource')}:${value('operation')}`;
}

/** The "From List" picker of Pay System: the portal's pay systems that the chosen operation can use, with their IDs. */
export async function searchPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const usable = USABLE[currentOperation(this)] ?? {};
	// Both lists are short and not paginated.
	const paySystems = ((await callPortal(this, 'sale.paysystem.list', {
		SELECT: ['ID', 'NAME', 'ACTIVE', 'ACTION_FILE'],
		...(usable.registry ? { FILTER: { ENTITY_REGISTRY_TYPE: usable.registry } } : {}),
		ORDER: { SORT: 'ASC', ID: 'ASC' },
	})) ?? []) as IDataObject[];
	const restHandlers = usable.restHandler
		? new Set((((await callPortal(this, 'sale.paysystem.handler.list', {})) ?? []) as IDataObject[]).map((handler) => String(handler.CODE)))
		: undefined;
	const wanted = (filter ?? '').trim().toLowerCase();
	return {
		results: paySystems
			.filter((paySystem) => !restHandlers || restHandlers.has(String(paySystem.ACTION_FILE)))
			.filter((paySystem) => !wanted || String(paySystem.NAME).toLowerCase().includes(wanted) || String(paySystem.ID) === wanted)
			.map((paySystem) => ({
				name: `${String(paySystem.NAME)} (ID ${String(paySystem.ID)}${paySystem.ACTIVE === 'N' ? ', inactive' : ''})`,
				value: String(paySystem.ID),
			})),
	};
}
