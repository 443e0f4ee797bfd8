import { createHash } from 'node:crypto';
import type { Caller } from '@storefront/kit';
import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isInterfaceType,
  isNonNullType,
  isListType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * `@authenticated`, `@requiresScopes` and `@policy` from the supergraph, enforced before the plan
 * runs (the stock gateway ignores them). A field the caller may not read is taken out of the
 * operation, so no subgraph is asked for it; the response then gets it back as null with an
 * UNAUTHENTICATED or FORBIDDEN error per place it would have appeared, and everything else is
 * served. A removed non-null field makes its parent null, up to the nearest nullable one, exactly
 * as GraphQL propagates a field error.
 */

/** What reading one field takes. */
export interface Requirement {
  authenticated: boolean;
  /** One entry per `@requiresScopes`: alternatives (any) of scope sets (all). */
  scopes: string[][][];
  /** `@policy` needs a policy engine this router does not have: such fields are refused to everyone. */
  policy: boolean;
}

export type Denial = 'UNAUTHENTICATED' | 'FORBIDDEN';

const FEATURES = {
  authenticated: 'https://specs.apollo.dev/authenticated/',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/',
  policy: 'https://specs.apollo.dev/policy/',
} as const;

type Feature = keyof typeof FEATURES;

function stringArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
}

/** The directive name each feature goes by in this supergraph (`@link(…, as:)` may rename it). */
function featureNames(document: DocumentNode): Map<string, Feature> {
  const names = new Map<string, Feature>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringArg(directive, 'url') ?? '';
      for (const [feature, prefix] of Object.entries(FEATURES) as [Feature, string][]) {
        if (url.startsWith(prefix)) names.set(stringArg(directive, 'as') ?? feature, feature);
      }
    }
  }
  return names;
}

function scopesOf(directive: ConstDirectiveNode): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
  if (arg?.value.kind !== Kind.LIST) return [];
  return arg.value.values.map((set) =>
    set.kind === Kind.LIST ? set.values.flatMap((scope) => (scope.kind === Kind.STRING ? [scope.value] : [])) : [],
  );
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, names: Map<string, Feature>): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    const feature = names.get(directive.name.value);
    if (!feature) continue;
    requirement ??= { authenticated: false, scopes: [], policy: false };
    if (feature === 'authenticated') requirement.authenticated = true;
    else if (feature === 'requiresScopes') requirement.scopes.push(scopesOf(directive));
    else requirement.policy = true;
  }
  return requirement;
}

function merge(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  return { authenticated: a.authenticated || b.authenticated, scopes: [...a.scopes, ...b.scopes], policy: a.policy || b.policy };
}

/** The authorization directives of one supergraph. */
export class AuthorizationRules {
  private readonly cache = new Map<string, Requirement | null>();

  private constructor(
    private readonly fields: Map<string, Requirement>,
    private readonly types: Map<string, Requirement>,
  ) {}

  static fromSupergraph(sdl: string): AuthorizationRules {
    const document = parse(sdl);
    const names = featureNames(document);
    const fields = new Map<string, Requirement>();
    const types = new Map<string, Requirement>();
    if (names.size > 0) {
      for (const definition of document.definitions) {
        if (
          definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
          definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
          definition.kind !== Kind.SCALAR_TYPE_DEFINITION &&
          definition.kind !== Kind.ENUM_TYPE_DEFINITION
        ) {
          continue;
        }
        const onType = requirementOf(definition.directives, names);
        if (onType) types.set(definition.name.value, onType);
        if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
        for (const field of definition.fields ?? []) {
          const onField = requirementOf(field.directives, names);
          if (onField) fields.set(`${definition.name.value}.${field.name.value}`, onField);
        }
      }
    }
    return new AuthorizationRules(fields, types);
  }

  get empty(): boolean {
    return this.fields.size === 0 && this.types.size === 0;
  }

  /**
   * What reading `parent.field` takes: the field's own directives, those of the type it returns,
   * and, on an interface, those of the field in every implementation (the most demanding wins,
   * since the runtime type is unknown when planning).
   */
  requirement(schema: GraphQLSchema, parent: GraphQLCompositeType, fieldName: string): Requirement | undefined {
    const key = `${parent.name}.${fieldName}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let requirement: Requirement | undefined;
    if (isObjectType(parent) || isInterfaceType(parent)) {
      const field = parent.getFields()[fieldName];
      requirement = merge(this.fields.get(key), field ? this.types.get(getNamedType(field.type).name) : undefined);
      if (isInterfaceType(parent)) {
        for (const implementation of schema.getPossibleTypes(parent)) {
          requirement = merge(requirement, this.fields.get(`${implementation.name}.${fieldName}`));
        }
      }
    }
    this.cache.set(key, requirement ?? null);
    return requirement;
  }
}

/** Whether the caller meets a requirement; a role counts as a scope of the same name. */
export function decide(requirement: Requirement | undefined, caller: Caller | null): Denial | undefined {
  if (!requirement) return undefined;
  if (!caller) return 'UNAUTHENTICATED';
  const held = new Set([...caller.scopes, ...caller.roles]);
  for (const alternatives of requirement.scopes) {
    if (!alternatives.some((set) => set.every((scope) => held.has(scope)))) return 'FORBIDDEN';
  }
  return requirement.policy ? 'FORBIDDEN' : undefined;
}

/** The alias under which the filtered operation asks for `__typename` where the patch needs it. */
const TYPENAME_ALIAS = 'authzTypename__';

const field = (name: string, alias?: string): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
});

export interface FilteredOperation {
  /** The operation without the fields the caller may not read; the original when nothing was removed. */
  document: DocumentNode;
  /** `Type.field` coordinates taken out, sorted: with the query hash, the key of the filtered plan. */
  denied: string[];
}

/** Takes out of every operation and fragment the fields the caller may not read. */
export function filterOperation(schema: GraphQLSchema, rules: AuthorizationRules, document: DocumentNode, caller: Caller | null): FilteredOperation {
  if (rules.empty) return { document, denied: [] };
  const denied = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const filtered = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          if (!parent || node.name.value.startsWith('__')) return undefined;
          if (!decide(rules.requirement(schema, parent, node.name.value), caller)) return undefined;
          denied.add(`${parent.name}.${node.name.value}`);
          return null;
        },
      },
      SelectionSet: {
        // A selection set emptied by the filter must still be valid GraphQL.
        leave: (node) => (node.selections.length === 0 ? { ...node, selections: [field('__typename')] } : undefined),
      },
    }),
  );
  if (denied.size === 0) return { document, denied: [] };
  return { document: withRuntimeTypes(schema, filtered), denied: [...denied].sort() };
}

/** Asks for `__typename` under every abstract-typed field, so the patch can tell which fields applied. */
function withRuntimeTypes(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node) {
          const type = typeInfo.getType();
          if (!node.selectionSet || !type || !isAbstractType(getNamedType(type))) return undefined;
          return { ...node, selectionSet: { ...node.selectionSet, selections: [...node.selectionSet.selections, field('__typename', TYPENAME_ALIAS)] } };
        },
      },
    }),
  );
}

/** The plan cache key of a filtered operation: callers with the same denials share a plan. */
export const filteredQueryHash = (queryHash: string, denied: string[]): string =>
  createHash('sha256').update(queryHash).update('\nauthz:').update(denied.join(',')).digest('hex');

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
      if (!included(selection, ctx.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
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
 */
export function restoreDenied(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  caller: Caller | null,
  original: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  data: Record<string, unknown> | null | undefined,
): { data: Record<string, unknown> | null | undefined; errors: GraphQLFormattedError[] } {
  const ctx: PatchContext = {
    schema,
    rules,
    caller,
    fragments: new Map(
      original.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    ),
    variables: variables ?? {},
    errors: [],
  };
  const root = schema.getRootType(operation.operation);
  if (!root) return { data, errors: [] };
  // The root failed as a whole: report the removed root fields; nothing below them ran.
  const completed = completeObject(ctx, data ?? {}, root, [operation.selectionSet], []);
  if (data === null || data === undefined) return { data, errors: ctx.errors.filter((e) => e.path?.length === 1) };
  return { data: completed === NULL_HERE ? null : (completed as Record<string, unknown>), errors: ctx.errors };
}
