import type { KeyObject } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RateLimiter, TokenCache } from '@storefront/kit';
import { contextBuilder, identify, type RouterContext } from './context';
import { edgeChecks } from './edge';
import { valueCompletionErrors } from './error-masking';
import { authorizationPlugin, operationLimitsPlugin, type RulesBySchema } from './operation-guard';
import type { OperationLimits } from './operation-limits';
import type { PersistedOperations } from './persisted-operations';
import type { RecentOperations } from './plan-warmup';
import { addressRateLimit, clientRateLimit } from './rate-limit';
import { responseBudgetPlugin } from './response-budget';
import type { Stage } from './pipeline';

/** What the stages are made of; server.ts builds these from the environment. */
export interface StageParts {
  publicKey: KeyObject;
  /** Verified tokens (kit TokenCache), or null to verify every request's token. */
  tokens: TokenCache | null;
  limiters: { client: RateLimiter; address: RateLimiter };
  trustedProxyHops: number;
  limits: OperationLimits;
  /** MAX_RESPONSE_BYTES (0: no budget). */
  maxResponseBytes: number;
  /** The safelist, with PERSISTED_OPERATIONS=enforce. */
  persisted?: PersistedOperations;
  rules: RulesBySchema;
  /** The response cache's hooks (response-cache.ts). */
  responseCache: ApolloServerPlugin<RouterContext>;
  /** Operations recorded for the next warm-up, when QUERY_PLAN_WARMUP is on. */
  recent?: RecentOperations;
}

/**
 * The router's pipeline, in the order a request goes through it (pipeline.ts runs it: edge hooks,
 * then each Apollo hook, stage after stage, the response's hooks too). To move a stage, move its
 * entry; router/README.md shows this list, and a test keeps the two equal.
 */
export function routerStages(parts: StageParts): Stage[] {
  const perClient = clientRateLimit(parts.limiters.client, parts.trustedProxyHops);
  return [
    {
      name: 'edge',
      does: "body limit, CORS and request id (the kit's HTTP front), then the limit per address, the operation's token count, persisted-query hashes and the safelist",
      edge: edgeChecks({
        addressLimit: addressRateLimit(parts.limiters.address, parts.trustedProxyHops),
        maxTokens: parts.limits.tokens,
        persisted: parts.persisted,
      }),
    },
    {
      name: 'identity',
      does: 'the bearer token verified once per token (TokenCache) into the caller; the context refuses an invalid token with 401',
      edge: identify(parts.publicKey, parts.tokens),
      context: contextBuilder(parts.publicKey, parts.trustedProxyHops, parts.maxResponseBytes, parts.tokens),
    },
    {
      name: 'limits',
      does: 'the limit per client (user id, or address when anonymous), then the operation itself: one operation of a root type the API has, depth, aliases, root fields, directives and cost',
      edge: (_request, req) => perClient(req),
      plugins: [operationLimitsPlugin(parts.limits)],
    },
    {
      name: 'authorization',
      does: '`@authenticated` and `@requiresScopes`: fields the caller may not read are removed before planning, then answered as null with a FORBIDDEN error each',
      plugins: [authorizationPlugin(parts.rules)],
    },
    {
      name: 'cache',
      does: 'the response budget (over MAX_RESPONSE_BYTES: one error), subgraph values that do not fit the schema as errors, then the response cache, which never stores an answer with errors and writes `Cache-Control` last',
      plugins: [responseBudgetPlugin(), valueCompletionErrors, parts.responseCache],
    },
    {
      name: 'plan',
      does: "Apollo's query planner on the supergraph served now, plans cached by size (QUERY_PLAN_CACHE_MB), the persisted operations planned before serving and the recent ones after a reload (plan-warmup.ts, execution/query-plans.ts)",
      plugins: parts.recent ? [parts.recent.plugin()] : [],
    },
    {
      name: 'execute',
      does: 'the plan run by our executor (execution/), or by the stock one with EXECUTOR=gateway, and the answer shaped to the operation',
    },
    {
      name: 'fetch',
      does: 'one signed call per plan fetch to the subgraph: timeout, breaker, retries, dedup (subgraph-pool.ts, subgraph-client.ts)',
    },
  ];
}
