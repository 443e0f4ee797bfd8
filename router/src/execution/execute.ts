import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError } from 'graphql';
import type { CompiledPlan, ExecNode } from './compile-plan';
import { runFetch, type Cursor, type FetchRun } from './fetch-run';
import { shapeResponse } from './shape';
import { inSpan } from './spans';

/** The plans of the supergraph being served, and its subgraphs' clients by name. */
export interface ExecutionSources {
  plan(requestContext: GatewayGraphQLRequestContext): CompiledPlan;
  services(): Readonly<Record<string, GraphQLDataSource>>;
}

/** The data at `path` under `value`, lists flattened where the path says `@` (the stock rule). */
function flattenAt(value: unknown, path: ReadonlyArray<string | number>, depth: number): unknown {
  if (depth === path.length || value === undefined || value === null) return value;
  const element = path[depth];
  if (element === '@') {
    const out: unknown[] = [];
    for (const item of Array.isArray(value) ? value : [value]) {
      const inner = flattenAt(item, path, depth + 1);
      if (Array.isArray(inner)) for (const x of inner) out.push(x);
      else out.push(inner);
    }
    return out;
  }
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${String(element)}`);
  const object = value as Record<string, unknown>;
  return flattenAt(Object.prototype.hasOwnProperty.call(object, element as string) ? object[element as string] : undefined, path, depth + 1);
}

async function runNode(run: FetchRun, node: ExecNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => runNode(run, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAt(cursor.data, node.path, 0);
      if (!data) return;
      await runNode(run, node.node, { path: cursor.path.concat(node.path), data, fullResult: cursor.fullResult });
      return;
    }
    case 'Fetch':
      try {
        await inSpan('router.fetch', { service: node.fetch.serviceName }, () => runFetch(run, node.fetch, cursor));
      } catch (error) {
        run.errors.push(error as GraphQLError);
      }
      return;
    case 'Condition': {
      const variables = run.requestContext.request.variables;
      let value = variables && Object.prototype.hasOwnProperty.call(variables, node.variable) ? (variables[node.variable] as unknown) : undefined;
      if (value === undefined) value = node.defaultValue;
      if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${node.variable}`);
      const branch = value ? node.ifClause : node.elseClause;
      if (branch) await runNode(run, branch, cursor);
      return;
    }
  }
}

/** What the stock executor answers for an exception outside any fetch. */
function asErrors(error: unknown): GatewayExecutionResult {
  if (error instanceof GraphQLError) return { errors: [error] };
  if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
  return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
}

/**
 * The router's executor of the planner's plans, in Apollo Server's gateway interface: checks the
 * request's variables, runs the compiled plan's fetches (each answer merged in place into one
 * data tree), then shapes that tree into the response. Errors and partial data as the stock
 * executor gives them: a failed fetch adds its error and leaves its fields null; values that do
 * not fit the schema go to `extensions.valueCompletion` when nothing else failed.
 */
export function createExecutor(sources: ExecutionSources) {
  return (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => inSpan('router.execute', undefined, () => execute(sources, requestContext));
}

async function execute(sources: ExecutionSources, requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const { operation, schema, request } = requestContext;
    if (operation.variableDefinitions?.length) {
      const { errors } = getVariableValues(schema, operation.variableDefinitions, request.variables ?? {});
      if (errors) return { errors };
    }
    // A valid operation the planner cannot plan is the router's fault, not the client's: thrown,
    // it is a 500 with a masked message and logged, as with the stock executor.
    const compiled = sources.plan(requestContext);
    if (compiled.unsupported) {
      return { errors: [new GraphQLError(compiled.unsupported, { extensions: { code: 'BAD_USER_INPUT' } })] };
    }
    const data: Record<string, unknown> = {};
    const run: FetchRun = { requestContext, services: sources.services(), errors: [] };
    if (compiled.root) await runNode(run, compiled.root, { path: [], data, fullResult: data });
    try {
      const shaped = shapeResponse(compiled.shape, data, request.variables, schema);
      if (run.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
      return run.errors.length === 0 ? { data: shaped.data } : { errors: run.errors, data: shaped.data };
    } catch (error) {
      return asErrors(error);
    }
}
