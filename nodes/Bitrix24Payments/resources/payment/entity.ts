import type { INodeProperties } from 'n8n-workflow';

import { idField } from '../../shared/fields';

/** The CRM item a payment belongs to: a deal or an invoice (smart invoice, entity type 31); both are ids of the operations. */
export const entityFields: INodeProperties[] = [
	{
		displayName: 'Entity Type',
		name: 'entityTypeId',
		type: 'options',
		required: true,
		options: [
			{ name: 'Deal', value: 2 },
			{ name: 'Invoice', value: 31 },
		],
		default: 2,
		description: 'The kind of CRM item the payment belongs to',
	},
	idField({
		name: 'entityId',
		displayName: 'Entity ID',
		description: 'ID of the deal or invoice',
	}),
];
