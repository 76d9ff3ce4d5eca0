import { idField } from '../../shared/fields';
import type { IdAt } from '../../shared/operation';
import { idAt } from '../../shared/operation';

/** The CRM item a payment belongs to: a deal or an invoice (smart invoice, entity type 31); both are ids. */
export const entityFields: IdAt[] = [
	idAt(
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
		'entityTypeId',
	),
	idAt(idField({
			name: 'entityId',
			displayName: 'Entity ID',
			description: 'ID of the deal or invoice',
			builderHint: 'The ID of the deal (Entity Type 2) or of the smart invoice (31), not of its order',
		}), 'entityId'),
];

/** How the user names the CRM item: "deal", "invoice", or its entity type. */
export function entityName(entityTypeId: unknown): string {
	return ({ '2': 'deal', '31': 'invoice' } as Record<string, string>)[String(entityTypeId)] ?? `CRM item of entity type ${String(entityTypeId)}`;
}
