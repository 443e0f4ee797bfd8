import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { createExecutor } from './execute';
import { SupergraphPlans } from './query-plans';

export type ExecutorKind = 'router' | 'gateway';

export interface PlanExecution {
  /** What Apollo Server is given as its gateway. */
  gateway: GatewayInterface;
  /** The executor requests run through (also what plan warm-up runs). */
  executor: GatewayExecutor;
  /** The compiled plans held for the supergraph served now (0 with the stock executor). */
  planCount(): number;
}

/**
 * The gateway Apollo Server runs: `@apollo/gateway` loads, validates and hot-reloads the
 * supergraph and builds the subgraph clients; with `router` (the default) our executor plans with
 * Apollo's query planner and runs the plans itself (see execute.ts), with `gateway` the stock
 * executor runs them, as the oracle of the differential test and for one release as a fallback.
 */
export function planExecution(
  gateway: ApolloGateway,
  options: { kind: ExecutorKind; planCacheBytes: number; services: () => Readonly<Record<string, GraphQLDataSource>> },
): PlanExecution {
  if (options.kind === 'gateway') {
    const executor: GatewayExecutor = (requestContext) => gateway.executor(requestContext as never);
    return { gateway, executor, planCount: () => 0 };
  }
  let plans: SupergraphPlans | undefined;
  // Registered before the gateway's first load, so the plans always follow the supergraph served.
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    plans = new SupergraphPlans(coreSupergraphSdl, { cacheBytes: options.planCacheBytes });
  });
  const executor = createExecutor({
    plan: (requestContext) => {
      if (!plans) throw new GraphQLError('The supergraph is not loaded yet.');
      const { queryHash, document, request, schema } = requestContext;
      const operationName = request.operationName ?? undefined;
      const key = operationName ? `${queryHash}\n${operationName}` : queryHash;
      return plans.plan(key, document, operationName, schema);
    },
    services: options.services,
  });
  const wrapped: GatewayInterface = {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    load: async (loadOptions) => {
      const loaded = await gateway.load(loadOptions);
      return { ...loaded, executor };
    },
    stop: () => gateway.stop(),
  };
  return { gateway: wrapped, executor, planCount: () => plans?.size ?? 0 };
}
