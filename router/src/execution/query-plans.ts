import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan, type QueryPlannerConfig } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { compilePlan, type CompiledPlan } from './compile-plan';
import { inSpanSync } from './spans';

/**
 * The planner of one supergraph and the plans it made, each compiled once for our executor. The
 * planner is Apollo's (`@apollo/query-planner`, as the gateway uses it); a reload builds a new
 * `SupergraphPlans`, so a plan never outlives the supergraph it was made for.
 */
export class SupergraphPlans {
  /** The supergraph as graphql-js sees it, with its @inaccessible types: what rewrites and `requires` test typenames against. */
  readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly apiSchema: ReturnType<Supergraph['apiSchema']>;
  private readonly cache: PlanCache;

  constructor(supergraphSdl: string, options: { cacheBytes: number; config?: QueryPlannerConfig }) {
    // The gateway has validated this SDL before it calls its listeners.
    const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: false });
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = supergraph.apiSchema();
    this.planner = new QueryPlanner(supergraph, options.config);
    this.cache = new PlanCache(options.cacheBytes);
  }

  /**
   * The compiled plan of an operation. `key` identifies the document the plan is for (Apollo
   * Server's query hash, as the operation guard leaves it after authorization filtering, with the
   * operation name); `schema` is the API schema the request was validated against.
   */
  plan(key: string, document: DocumentNode, operationName: string | undefined, schema: GraphQLSchema): CompiledPlan {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const compiled = inSpanSync('router.plan', operationName ? { operation: operationName } : undefined, () => {
      const operation = operationFromDocument(this.apiSchema, document, { operationName, validate: false });
      const plan: QueryPlan = this.planner.buildQueryPlan(operation);
      return compilePlan(plan, { document, operationName, apiSchema: schema, supergraphSchema: this.supergraphSchema });
    });
    this.cache.set(key, compiled);
    return compiled;
  }

  get size(): number {
    return this.cache.size;
  }
}

/**
 * Plans by key, least recently used first out, bounded by the plans' approximate size (their
 * JSON, measured once when stored), as the gateway bounds its own plan store.
 */
class PlanCache {
  private readonly entries = new Map<string, CompiledPlan>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CompiledPlan | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, plan: CompiledPlan): void {
    if (plan.approximateBytes > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.approximateBytes;
      this.entries.delete(key);
    }
    this.entries.set(key, plan);
    this.bytes += plan.approximateBytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.approximateBytes;
    }
  }
}
