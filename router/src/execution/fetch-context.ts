import type { FetchDataKeyRenamer } from '@apollo/query-planner';
import { Kind, parse, print, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import { FRAGMENT_PREFIX, typeTester } from './type-test';

/**
 * A fetch's contextual arguments (`@fromContext`): the planner's `contextRewrites` say where, from
 * each entity's place in the response, the value of each `contextualArgument_…` variable is read.
 * A path starts with `..` once per level up (a list index is not a level), then type conditions
 * (`... on T`) and keys from there. Where rewrites name the same variable (one per type the context
 * may sit on), the first that reaches a value gives it.
 */
export interface ContextArguments {
  /** The variables the rewrites give values to. */
  names: readonly string[];
  /** Their values for the entity at `path` (a concrete path in `root`); a variable whose path reaches nothing is left out. */
  valuesAt(root: Record<string, unknown>, path: readonly (string | number)[]): Record<string, unknown>;
  /**
   * The fetch's operation for entities whose values differ: one `_entities` selection per group,
   * aliased `_0`, `_1`, …, each with its own representations and contextual variables (the
   * variable names with `_<group>` appended).
   */
  aliased(groups: number): { query: string; document: DocumentNode };
}

const PARENT = '..';
const NOT_FOUND = Symbol('not found');
type Step = (value: unknown) => unknown;

function compileSteps(schema: GraphQLSchema, path: readonly string[]): Step[] {
  return path.map((element): Step => {
    if (element.startsWith(FRAGMENT_PREFIX)) {
      const applies = typeTester(schema, element.slice(FRAGMENT_PREFIX.length), true);
      return (value) => (typeof value === 'object' && value !== null && applies(value as Record<string, unknown>) ? value : NOT_FOUND);
    }
    return (value) => {
      if (typeof value !== 'object' || value === null) return NOT_FOUND;
      const object = value as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(object, element) && object[element] !== undefined ? object[element] : NOT_FOUND;
    };
  });
}

/** Follows the steps from `value`; through a list, each item (those that reach nothing are left out). */
function follow(value: unknown, steps: readonly Step[], from: number): unknown {
  if (from === steps.length) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => follow(item, steps, from)).filter((item) => item !== NOT_FOUND);
    return items;
  }
  const next = steps[from]!(value);
  return next === NOT_FOUND ? NOT_FOUND : follow(next, steps, from + 1);
}

function compileRewrite(schema: GraphQLSchema, rewrite: FetchDataKeyRenamer) {
  let ups = 0;
  while (rewrite.path[ups] === PARENT) ups += 1;
  const steps = compileSteps(schema, rewrite.path.slice(ups));
  return (root: Record<string, unknown>, path: readonly (string | number)[]): unknown => {
    let end = path.length;
    for (let up = 0; up < ups; up += 1) {
      // Up one level: drop list indexes until a key has been dropped.
      do {
        if (end === 0) return NOT_FOUND;
        end -= 1;
      } while (typeof path[end] !== 'string');
    }
    let value: unknown = root;
    for (let i = 0; i < end; i += 1) {
      if (typeof value !== 'object' || value === null) return NOT_FOUND;
      value = (value as Record<string | number, unknown>)[path[i]!];
    }
    return follow(value, steps, 0);
  };
}

/** The operation with its `_entities` selection once per group, and the per-group variables renamed. */
function aliasedOperation(operation: string, names: ReadonlySet<string>, groups: number): DocumentNode {
  const document = parse(operation);
  const definition = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const entities = definition?.selectionSet.selections;
  if (!definition || entities?.length !== 1 || entities[0]!.kind !== Kind.FIELD || entities[0]!.name.value !== '_entities') {
    throw new Error('A fetch with contextual arguments is expected to select only `_entities`.');
  }
  const renamed = (name: string, group: number) => `${name}_${group}`;
  const perGroup = new Set([...names, 'representations']);
  const selections: SelectionNode[] = [];
  for (let group = 0; group < groups; group += 1) {
    const copy = visit(entities[0]!, {
      Variable: (node) => (perGroup.has(node.name.value) ? { ...node, name: { ...node.name, value: renamed(node.name.value, group) } } : undefined),
    });
    selections.push({ ...copy, alias: { kind: Kind.NAME, value: `_${group}` } });
  }
  const variableDefinitions = (definition.variableDefinitions ?? []).flatMap((variable) =>
    perGroup.has(variable.variable.name.value)
      ? Array.from({ length: groups }, (_, group) => ({
          ...variable,
          variable: { ...variable.variable, name: { ...variable.variable.name, value: renamed(variable.variable.name.value, group) } },
        }))
      : [variable],
  );
  const operationNode: OperationDefinitionNode = { ...definition, variableDefinitions, selectionSet: { ...definition.selectionSet, selections } };
  return { ...document, definitions: document.definitions.map((d) => (d === definition ? operationNode : d)) };
}

/** At most this many aliased operations are kept per fetch (by number of groups); more are built per request. */
const ALIASED_KEPT = 8;

export function compileContextArguments(
  schema: GraphQLSchema,
  operation: string,
  rewrites: readonly FetchDataKeyRenamer[],
  clientVariables: readonly string[],
): ContextArguments {
  const compiled = rewrites.map((rewrite) => ({ name: rewrite.renameKeyTo, read: compileRewrite(schema, rewrite) }));
  const names = [...new Set(compiled.map((r) => r.name))];
  const nameSet = new Set(names);
  const client = new Set(clientVariables.filter((name) => !nameSet.has(name)));
  const kept = new Map<number, { query: string; document: DocumentNode }>();
  return {
    names,
    valuesAt(root, path) {
      const values: Record<string, unknown> = {};
      for (const { name, read } of compiled) {
        if (Object.prototype.hasOwnProperty.call(values, name)) continue;
        const value = read(root, path);
        if (value !== NOT_FOUND) values[name] = value;
      }
      return values;
    },
    aliased(groups) {
      const known = kept.get(groups);
      if (known) return known;
      for (let group = 0; group < groups; group += 1) {
        for (const name of [...names, 'representations']) {
          if (client.has(`${name}_${group}`)) throw new Error(`The variable $${name}_${group} of the operation clashes with a contextual argument's.`);
        }
      }
      const document = aliasedOperation(operation, nameSet, groups);
      const built = { query: print(document), document };
      if (kept.size < ALIASED_KEPT) kept.set(groups, built);
      return built;
    },
  };
}
