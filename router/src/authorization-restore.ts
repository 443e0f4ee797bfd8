/**
 * The second half of authorization: putting the fields the filter took out back into the
 * response as null, with their errors, and letting each null propagate as GraphQL would.
 */
import type { Caller } from '@storefront/kit';
import {
  getDirectiveValues,
  getVariableValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isNonNullType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { decide, TYPENAME_ALIAS, type AuthorizationRules } from './authorization';
import { fragmentsOf, type WalkStats } from './operation-limits';

/** Marks a position that became null and whose null must propagate to the parent. */
const NULL_HERE = Symbol('null');
type Completed = unknown | typeof NULL_HERE;

interface PatchContext {
  schema: GraphQLSchema;
  rules: AuthorizationRules;
  caller: Caller | null;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  errors: GraphQLFormattedError[];
  stats: WalkStats;
}

function included(node: FieldNode | FragmentDefinitionNode | SelectionSetNode['selections'][number], variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** graphql-js's CollectFields: the fields of selection sets for one runtime type, by response key. */
function collectFields(ctx: PatchContext, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const applies = (condition: string | undefined) => {
    if (!condition || condition === type.name) return true;
    const conditionType = ctx.schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && ctx.schema.isSubType(conditionType, type);
  };
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      ctx.stats.visited += 1;
      if (!included(selection, ctx.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const same = fields.get(key);
        if (same) same.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) collect(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = ctx.fragments.get(name);
        if (visited.has(name) || !fragment || !applies(fragment.typeCondition.name.value)) continue;
        visited.add(name);
        collect(fragment.selectionSet);
      }
    }
  };
  selectionSets.forEach(collect);
  return fields;
}

function completeObject(ctx: PatchContext, value: Record<string, unknown>, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], path: (string | number)[]): Completed {
  const result: Record<string, unknown> = {};
  for (const [key, nodes] of collectFields(ctx, type, selectionSets)) {
    const name = nodes[0]!.name.value;
    if (name === '__typename') {
      result[key] = value[key];
      continue;
    }
    const definition = type.getFields()[name];
    if (!definition) continue;
    let completed: Completed;
    const denial = decide(ctx.rules.requirement(ctx.schema, type, name), ctx.caller);
    if (denial) {
      ctx.errors.push({
        message:
          denial === 'UNAUTHENTICATED'
            ? `You must be signed in to read ${type.name}.${name}`
            : `You are not allowed to read ${type.name}.${name}`,
        path: [...path, key],
        extensions: { code: denial },
      });
      completed = NULL_HERE;
    } else {
      const subSelections = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      completed = completeValue(ctx, key in value ? value[key] : null, definition.type, subSelections, [...path, key]);
    }
    if (completed === NULL_HERE) {
      if (isNonNullType(definition.type)) return NULL_HERE;
      result[key] = null;
    } else {
      result[key] = completed;
    }
  }
  return result;
}

function completeValue(ctx: PatchContext, value: unknown, type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[], path: (string | number)[]): Completed {
  if (isNonNullType(type)) return completeValue(ctx, value, type.ofType, selectionSets, path);
  // Null already (a subgraph error, or null propagated by the gateway): nothing under it to patch.
  if (value === null || value === undefined || selectionSets.length === 0) return value;
  if (isListType(type)) {
    if (!Array.isArray(value)) return value;
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = completeValue(ctx, value[i], type.ofType, selectionSets, [...path, i]);
      if (item === NULL_HERE) {
        if (isNonNullType(type.ofType)) return NULL_HERE;
        items.push(null);
      } else {
        items.push(item);
      }
    }
    return items;
  }
  const named = getNamedType(type);
  let runtime: GraphQLObjectType | undefined;
  if (isObjectType(named)) {
    runtime = named;
  } else if (isAbstractType(named)) {
    const record = value as Record<string, unknown>;
    const typename = record[TYPENAME_ALIAS] ?? record.__typename;
    const found = typeof typename === 'string' ? ctx.schema.getType(typename) : undefined;
    runtime = isObjectType(found) ? found : undefined;
  }
  if (!runtime || typeof value !== 'object') return value;
  return completeObject(ctx, value as Record<string, unknown>, runtime, selectionSets, path);
}

/**
 * Rebuilds the response data of the filtered operation along the original operation: every field
 * the filter removed comes back as null with its error, its null propagated like a field error.
 * Like GraphQL execution, its work is the response's objects times the selections at their level,
 * each fragment collected once per object however often it is spread; `stats` counts it.
 */
function coercedVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!operation.variableDefinitions?.length) return variables ?? {};
  const { coerced } = getVariableValues(schema, operation.variableDefinitions, variables ?? {});
  // Invalid variables never reach execution; the raw ones are as good as any here.
  return coerced ?? variables ?? {};
}

export function restoreDenied(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  caller: Caller | null,
  original: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  data: Record<string, unknown> | null | undefined,
  stats: WalkStats = { visited: 0 },
): { data: Record<string, unknown> | null | undefined; errors: GraphQLFormattedError[] } {
  const ctx: PatchContext = {
    schema,
    rules,
    caller,
    fragments: fragmentsOf(original),
    // Coerced, with the operation's defaults: `@skip(if: $v)` on a defaulted $v the request
    // omitted must read the default, as execution did (the raw variables lack it).
    variables: coercedVariables(schema, operation, variables),
    errors: [],
    stats,
  };
  const root = schema.getRootType(operation.operation);
  if (!root) return { data, errors: [] };
  // The root failed as a whole: report the removed root fields; nothing below them ran.
  const completed = completeObject(ctx, data ?? {}, root, [operation.selectionSet], []);
  if (data === null || data === undefined) return { data, errors: ctx.errors.filter((e) => e.path?.length === 1) };
  return { data: completed === NULL_HERE ? null : (completed as Record<string, unknown>), errors: ctx.errors };
}
