import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { callPortal } from './request/adapters';

/** The portal's pay systems for the "From List" pickers; the list is short and not paginated. */
export async function searchPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const paySystems = (await callPortal(this, 'sale.paysystem.list', {
		SELECT: ['ID', 'NAME', 'ACTIVE'],
		ORDER: { SORT: 'ASC', ID: 'ASC' },
	})) as IDataObject[];
	const wanted = (filter ?? '').trim().toLowerCase();
	return {
		results: (paySystems ?? [])
			.map((paySystem) => ({
				name: `${String(paySystem.NAME)}${paySystem.ACTIVE === 'N' ? ' (inactive)' : ''}`,
				value: String(paySystem.ID),
			}))
			.filter((result) => !wanted || result.name.toLowerCase().includes(wanted) || result.value === wanted),
	};
}
