// sale.persontype.list (Bitrix\Sale\Controller\PersonType::listAction). Scope sale.
// The controller is a rest Integration controller (Bitrix\Rest\Integration\Controller\Base): before the action its
// Internalizer converts the incoming keys (select values, filter and order keys: camelCase -> UPPER_SNAKE) and keeps
// only the fields of the view (Sale\Rest\View\PersonType); after it the Externalizer keeps the view's fields again,
// casts them by type, turns every empty value into null, converts the keys to camelCase and sorts them. The list
// itself is Sale\PersonType::getList, which always adds '=ENTITY_REGISTRY_TYPE' => 'ORDER': the person types of
// orders and deals only, never those of legacy CRM invoices.
//
// Sources (avshatalov48/bitrix-core-business): sale/lib/controller/persontype.php (listAction, checkReadPermissionEntity),
// sale/lib/persontype.php (getList), sale/lib/rest/view/persontype.php (getFields), rest/lib/integration/
// controller/base.php, internalizer.php, externalizer.php, view/base.php, main/lib/engine/response/converter.php.

import { phpEmpty, phpIntCast, phpString, type Params } from '../php';
import type { PersonType } from '../state';
import { bindOptionalArray, bindOptionalList, restManagerPage, type CallContext, type MethodDef } from './context';
import { applyFilter, applyOrder, parseFilterKey } from './listing';

type ViewType = 'integer' | 'string';

/**
 * Sale\Rest\View\PersonType::getFields(): ID (integer), NAME, CODE, SORT, ACTIVE, XML_ID (strings); LID only without
 * the bitrix24 module (`!Loader::includeModule('bitrix24')`), i.e. on a self-hosted portal.
 */
function viewFields(ctx: CallContext): Record<string, ViewType> {
	const fields: Record<string, ViewType> = { ID: 'integer', NAME: 'string', CODE: 'string', SORT: 'string', ACTIVE: 'string', XML_ID: 'string' };
	if (ctx.options.plan === 'selfHosted') fields.LID = 'string';
	return fields;
}

function isViewField(fields: Record<string, ViewType>, name: string): boolean {
	return Object.prototype.hasOwnProperty.call(fields, name);
}

/** A b_sale_person_type row as the ORM fetches it: every column a string (or null). */
function column(pt: PersonType, field: string): string | null | undefined {
	const row: Record<string, string | null> = {
		ID: String(pt.id), LID: pt.lid, NAME: pt.name, CODE: pt.code, SORT: String(pt.sort), ACTIVE: pt.active,
		XML_ID: pt.xmlId, ENTITY_REGISTRY_TYPE: pt.registry,
	};
	return row[field];
}

/**
 * Converter(TO_SNAKE | TO_SNAKE_DIGIT | TO_UPPER) on one string: StringHelper::camel2snake, digits split off
 * letters, upper case ("xmlId" -> "XML_ID", "ID" -> "I_D", which names no field).
 */
function toUpperSnake(key: string): string {
	return key
		.replace(/(.)([A-Z])/g, '$1_$2')
		.toLowerCase()
		.replace(/(\d+)([A-Za-z])/g, '$1_$2')
		.replace(/([A-Za-z])(\d)/g, '$1_$2')
		.toUpperCase();
}

/** StringHelper::snake2camel + lcfirst (Converter TO_CAMEL | LC_FIRST): "XML_ID" -> "xmlId", "ID" -> "id". */
function toCamel(key: string): string {
	const camel = key
		.toLowerCase()
		.split('_')
		.map((part) => (part === '' ? '' : part[0].toUpperCase() + part.slice(1)))
		.join('');
	return camel === '' ? camel : camel[0].toLowerCase() + camel.slice(1);
}

/** View\Base::internalizeValue(): an integer field's value is (int)-cast (an array: 1 if it has elements, else 0). */
function internalizeValue(value: unknown, type: ViewType): unknown {
	if (type !== 'integer') return value;
	if (typeof value === 'object' && value !== null) return phpEmpty(value) ? 0 : 1;
	return phpIntCast(value);
}

export const personTypeMethods: Record<string, MethodDef> = {
	// listAction(PageNavigation, array $select = [], array $filter = [], array $order = []). checkReadPermissionEntity
	// refuses only a user whose sale right is "D" (200040300010 "Access Denied"); no seeded user has it.
	'sale.persontype.list': {
		scope: 'sale',
		run(ctx) {
			// CRestServer takes `start` out of the parameters (intval) before the controller sees them.
			const start = 'start' in ctx.params ? phpIntCast(ctx.params.start) : 0;
			delete ctx.params.start;
			const rawSelect = bindOptionalList(ctx.params, 'select') ?? [];
			const rawFilter = bindOptionalArray(ctx.params, 'filter') ?? {};
			const rawOrder = bindOptionalArray(ctx.params, 'order') ?? {};
			const fields = viewFields(ctx);

			// Internalizer: select values, filter keys and order keys to UPPER_SNAKE; order directions upper-cased.
			// View\Base::internalizeSelectFields: empty or containing '*' = every view field; others whitelisted.
			// listAction then selects '*' when nothing is left, and the Externalizer keeps the view's fields of it.
			const wanted = rawSelect.map((v) => (typeof v === 'string' ? toUpperSnake(v) : v));
			const known = wanted.filter((name): name is string => typeof name === 'string' && isViewField(fields, name));
			const select = wanted.includes('*') || known.length === 0 ? Object.keys(fields) : known;
			// internalizeFilterFields: CSqlUtil::GetFilterOperation splits the operation off; a field outside the view is
			// dropped; the value is internalized by the field's type.
			const filter: Params = {};
			for (const [rawKey, value] of Object.entries(rawFilter)) {
				const key = toUpperSnake(rawKey);
				const { field } = parseFilterKey(key);
				if (!isViewField(fields, field)) continue;
				filter[key] = internalizeValue(value, fields[field]);
			}
			// internalizeOrderFields: fields outside the view are dropped; listAction: none left = ['ID' => 'ASC'].
			const order: Params = {};
			for (const [rawKey, direction] of Object.entries(rawOrder)) {
				const key = toUpperSnake(rawKey);
				if (!isViewField(fields, key)) continue;
				order[key] = typeof direction === 'string' ? direction.toUpperCase() : direction;
			}

			// Sale\PersonType::getList adds '=ENTITY_REGISTRY_TYPE' => 'ORDER' to every filter.
			const resolve = (field: string) =>
				isViewField(fields, field) || field === 'ENTITY_REGISTRY_TYPE' ? (pt: PersonType) => column(pt, field) : undefined;
			const identity = (k: string) => k;
			const rows = applyOrder(
				applyFilter([...ctx.state.personTypes.values()], { ...filter, '=ENTITY_REGISTRY_TYPE': 'ORDER' }, resolve, identity),
				order,
				resolve,
				identity,
				[['ID', 'ASC']],
			);

			// Externalizer: the view's fields of what was selected, empty values -> null, ID (int), keys camelCase and
			// sorted (ksort SORT_NATURAL: the same as code-unit order for these keys).
			return restManagerPage(rows, start, 'personTypes', (pt) => {
				const out: Record<string, unknown> = {};
				for (const field of select) {
					const value = column(pt, field);
					out[toCamel(field)] = phpEmpty(value) ? null : fields[field] === 'integer' ? phpIntCast(value) : phpString(value);
				}
				return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
			});
		},
	},
};
