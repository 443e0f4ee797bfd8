import { createHash } from 'node:crypto';
import type { Caller } from '@storefront/kit';
import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
} from 'graphql';
import type { WalkStats } from './operation-limits';

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

  /** Every scope some field or type of this supergraph requires. */
  scopes(): string[] {
    const all = new Set<string>();
    for (const requirement of [...this.fields.values(), ...this.types.values()]) {
      for (const alternatives of requirement.scopes) for (const set of alternatives) for (const scope of set) all.add(scope);
    }
    return [...all].sort();
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
export const TYPENAME_ALIAS = 'authzTypename__';

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

/**
 * Takes out of every operation and fragment the fields the caller may not read. It walks the
 * document as written (each fragment definition once, never once per spread), so its work is
 * linear in the document's size; `stats` counts the fields it looked at.
 */
export function filterOperation(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  document: DocumentNode,
  caller: Caller | null,
  stats: WalkStats = { visited: 0 },
): FilteredOperation {
  if (rules.empty) return { document, denied: [] };
  const denied = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const filtered = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          stats.visited += 1;
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
  return { document: withRuntimeTypes(schema, filtered, stats), denied: [...denied].sort() };
}

/** Asks for `__typename` under every abstract-typed field, so the patch can tell which fields applied. */
function withRuntimeTypes(schema: GraphQLSchema, document: DocumentNode, stats: WalkStats): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node) {
          stats.visited += 1;
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
