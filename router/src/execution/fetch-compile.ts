import type { FetchDataRewrite, FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import { isAbstractType, type GraphQLSchema } from 'graphql';
import { compileContextArguments, type ContextArguments } from './fetch-context';
import { mergeInto } from './merge';
import { FRAGMENT_PREFIX, typeTester } from './type-test';

/**
 * A plan's `Fetch` node compiled once: the representation of an entity built by a closure over
 * the `requires` selection, the rewrites as closures, the variables it forwards.
 */
export interface CompiledFetch {
  serviceName: string;
  operation: string;
  operationName: string | undefined;
  node: FetchNode;
  variableUsages: readonly string[];
  /** The representation of one entity for `_entities`, or null when it lacks a required field. */
  representation?: (entity: Record<string, unknown>) => Record<string, unknown> | null;
  /** Applied to each representation before it is sent (`inputRewrites`). */
  rewriteInput?: (value: unknown) => void;
  /** Applied to each answer before it is merged (`outputRewrites`). */
  rewriteOutput?: (value: unknown) => void;
  /** The `@fromContext` arguments' values, read for each entity from its place in the response (`contextRewrites`). */
  context?: ContextArguments;
  /** True for a type name of the supergraph that is an interface or a union. */
  isAbstract: (typename: string) => boolean;
}


type Builder = (source: Record<string, unknown>) => Record<string, unknown> | null;

/** `executeSelectionSet` of the stock gateway, compiled: a required field missing makes it null. */
function compileSelection(schema: GraphQLSchema, selections: readonly QueryPlanSelectionNode[]): Builder {
  const parts = selections.map((selection): ((source: Record<string, unknown>, result: Record<string, unknown>) => boolean) => {
    if (selection.kind === 'Field') {
      const key = selection.alias ?? selection.name;
      const sub = selection.selections ? compileSelection(schema, selection.selections) : undefined;
      return (source, result) => {
        const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
        if (value === undefined) return false;
        if (Array.isArray(value)) result[key] = sub ? value.map((item) => (item === null ? null : sub(item as Record<string, unknown>))) : value;
        else result[key] = sub && value !== null ? sub(value as Record<string, unknown>) : value;
        return true;
      };
    }
    if (!selection.typeCondition) return () => true;
    const applies = typeTester(schema, selection.typeCondition, false);
    const sub = compileSelection(schema, selection.selections);
    return (source, result) => {
      if (applies(source)) mergeInto(result, sub(source));
      return true;
    };
  });
  return (source) => {
    const result: Record<string, unknown> = {};
    for (const part of parts) if (!part(source, result)) return null;
    return result;
  };
}

/** Applies `fn` to every object at `path` under `value` (arrays are walked through). */
function atPath(value: unknown, path: readonly ((object: Record<string, unknown>) => unknown | typeof SKIP)[], depth: number, fn: (object: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) atPath(item, path, depth, fn);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth === path.length) {
    fn(value as Record<string, unknown>);
    return;
  }
  const next = path[depth]!(value as Record<string, unknown>);
  if (next !== SKIP) atPath(next, path, depth + 1, fn);
}

const SKIP = Symbol('skip');

function compileRewrite(schema: GraphQLSchema, rewrite: FetchDataRewrite): ((value: unknown) => void) | undefined {
  if (rewrite.path.length === 0) return undefined;
  const last = rewrite.path[rewrite.path.length - 1]!;
  if (last.startsWith(FRAGMENT_PREFIX)) throw new Error(`Unexpected fragment as last element of ${rewrite.path.join('.')}`);
  const steps = rewrite.path.slice(0, -1).map((element) => {
    if (element.startsWith(FRAGMENT_PREFIX)) {
      const applies = typeTester(schema, element.slice(FRAGMENT_PREFIX.length), true);
      return (object: Record<string, unknown>) => (applies(object) ? object : SKIP);
    }
    return (object: Record<string, unknown>) => (Object.prototype.hasOwnProperty.call(object, element) ? object[element] : undefined);
  });
  const apply =
    rewrite.kind === 'ValueSetter'
      ? (object: Record<string, unknown>) => {
          object[last] = rewrite.setValueTo;
        }
      : (object: Record<string, unknown>) => {
          const value = Object.prototype.hasOwnProperty.call(object, last) ? object[last] : undefined;
          if (value) {
            object[rewrite.renameKeyTo] = value;
            object[last] = undefined;
          }
        };
  return (value) => atPath(value, steps, 0, apply);
}

function compileRewrites(schema: GraphQLSchema, rewrites: readonly FetchDataRewrite[] | undefined): ((value: unknown) => void) | undefined {
  const compiled = (rewrites ?? []).map((r) => compileRewrite(schema, r)).filter((r): r is (value: unknown) => void => r !== undefined);
  if (compiled.length === 0) return undefined;
  return (value) => {
    for (const rewrite of compiled) rewrite(value);
  };
}

export function compileFetch(node: FetchNode, supergraphSchema: GraphQLSchema): CompiledFetch {
  return {
    serviceName: node.serviceName,
    operation: node.operation,
    operationName: node.operationName,
    node,
    variableUsages: node.variableUsages ?? [],
    representation: node.requires ? compileSelection(supergraphSchema, node.requires) : undefined,
    rewriteInput: compileRewrites(supergraphSchema, node.inputRewrites),
    rewriteOutput: compileRewrites(supergraphSchema, node.outputRewrites),
    context: node.contextRewrites?.length ? compileContextArguments(supergraphSchema, node.operation, node.contextRewrites, node.variableUsages ?? []) : undefined,
    isAbstract: (typename) => {
      const type = supergraphSchema.getType(typename);
      return !!type && isAbstractType(type);
    },
  };
}
