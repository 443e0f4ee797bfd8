import type { PlanNode, QueryPlan, ResponsePath, SubscriptionNode } from '@apollo/query-planner';
import { getOperationAST, valueFromASTUntyped, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileFetch, type CompiledFetch } from './fetch-compile';
import { compileShape, type ShapeProgram } from './shape-compile';

/**
 * A query plan compiled once, when it is made, into the nodes our executor runs. Each kind of the
 * planner's nodes is one kind here; `Defer` and `Subscription` (the @defer and subscription
 * issues) become kinds of their own beside these, with their own runner in execute.ts.
 */
export type ExecNode =
  | { kind: 'Sequence'; nodes: ExecNode[] }
  | { kind: 'Parallel'; nodes: ExecNode[] }
  | { kind: 'Flatten'; path: ResponsePath; node: ExecNode }
  | { kind: 'Fetch'; fetch: CompiledFetch }
  | { kind: 'Condition'; variable: string; defaultValue: unknown; ifClause?: ExecNode; elseClause?: ExecNode };

export interface CompiledPlan {
  /** The planner's plan, as made: for debugging and for the stock executor. */
  plan: QueryPlan;
  root?: ExecNode;
  /** Why this plan cannot run here yet (a `Defer` or `Subscription` node), in the client's words. */
  unsupported?: string;
  shape: ShapeProgram;
  /** The plan's size as JSON, for the plan cache's bound. */
  approximateBytes: number;
}

export interface CompileInput {
  document: DocumentNode;
  operationName: string | undefined;
  /** The API schema the request was validated against. */
  apiSchema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
}

class Unsupported extends Error {}

function compileNode(node: PlanNode | SubscriptionNode, input: CompileInput, defaults: Map<string, unknown>): ExecNode {
  switch (node.kind) {
    case 'Sequence':
      return { kind: 'Sequence', nodes: node.nodes.map((n) => compileNode(n, input, defaults)) };
    case 'Parallel':
      return { kind: 'Parallel', nodes: node.nodes.map((n) => compileNode(n, input, defaults)) };
    case 'Flatten':
      return { kind: 'Flatten', path: node.path, node: compileNode(node.node, input, defaults) };
    case 'Fetch':
      return { kind: 'Fetch', fetch: compileFetch(node, input.supergraphSchema) };
    case 'Condition':
      return {
        kind: 'Condition',
        variable: node.condition,
        defaultValue: defaults.get(node.condition),
        ifClause: node.ifClause ? compileNode(node.ifClause, input, defaults) : undefined,
        elseClause: node.elseClause ? compileNode(node.elseClause, input, defaults) : undefined,
      };
    case 'Defer':
      throw new Unsupported('@defer is not served by this router yet.');
    case 'Subscription':
      throw new Unsupported('Subscriptions are not served by this router yet.');
  }
}

export function compilePlan(plan: QueryPlan, input: CompileInput): CompiledPlan {
  const operation = getOperationAST(input.document, input.operationName);
  if (!operation) throw new Error('The document has no such operation.');
  const defaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const shape = compileShape(input.apiSchema, input.document, operation);
  const approximateBytes = JSON.stringify(plan).length;
  try {
    return { plan, root: plan.node ? compileNode(plan.node, input, defaults) : undefined, shape, approximateBytes };
  } catch (error) {
    if (error instanceof Unsupported) return { plan, unsupported: error.message, shape, approximateBytes };
    throw error;
  }
}
