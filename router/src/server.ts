import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import {
  closeRedis,
  connectRedis,
  createLogger,
  dataDir,
  developmentKeyPair,
  MemoryRateLimitStore,
  publicKeyFromPem,
  RateLimiter,
  RedisRateLimitStore,
  serviceSecret,
  startHttpServer,
  TokenCache,
  type Logger,
  type RunningHttpServer,
} from '@storefront/kit';
import type { Redis } from 'ioredis';
import type { RouterContext } from './context';
import { disableVendorTelemetry, subgraphUrlOverrides, type RouterEnv } from './env';
import { errorLogging, formatRouterError } from './error-masking';
import { planExecution } from './execution';
import { graphiqlRoutes } from './graphiql';
import { RouterMetrics } from './metrics';
import { responseTooLargeError } from './response-budget';
import { RulesBySchema } from './operation-guard';
import { planWarmup, RecentOperations } from './plan-warmup';
import type { OperationLimits } from './operation-limits';
import { PersistedOperations } from './persisted-operations';
import { assemblePipeline } from './pipeline';
import { redisApqCache } from './redis';
import { inboundShareKey } from './inbound-dedupe';
import { MemoryResponseStore, RedisResponseStore, responseCache } from './response-cache';
import { routerStages } from './stages';
import { SubgraphPool } from './subgraph-pool';
import type { SubgraphPolicy } from './subgraph-policy';
import { defaultSupergraphPath, fileSupergraph } from './supergraph';

export interface RunningRouter {
  url: string;
  port: number;
  http: RunningHttpServer;
  metrics: RouterMetrics;
  /** Each subgraph's breaker and retry policy, by name. */
  policies: ReadonlyMap<string, SubgraphPolicy>;
  close(): Promise<void>;
}

function corsOrigins(env: RouterEnv): string[] | '*' | undefined {
  if (env.CORS_ORIGINS === '*') return '*';
  if (env.CORS_ORIGINS) return env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  return env.NODE_ENV === 'production' ? undefined : '*';
}

function verificationKey(env: RouterEnv) {
  if (env.JWT_PUBLIC_KEY) return publicKeyFromPem(env.JWT_PUBLIC_KEY);
  if (env.NODE_ENV === 'production') throw new Error('JWT_PUBLIC_KEY is required in production');
  return developmentKeyPair(dataDir(env.DATA_DIR)).publicKey;
}

export function operationLimits(env: RouterEnv): OperationLimits {
  return {
    depth: env.MAX_DEPTH,
    aliases: env.MAX_ALIASES,
    rootFields: env.MAX_ROOT_FIELDS,
    directives: env.MAX_DIRECTIVES,
    tokens: env.MAX_TOKENS,
    cost: env.MAX_COST,
    listSize: env.COST_LIST_SIZE,
  };
}

/** The committed manifest of `schema/operations/`, used when PERSISTED_OPERATIONS_MANIFEST is unset. */
const defaultManifestPath = () => join(dataDir(), '..', 'schema', 'persisted-operations.json');

/**
 * The router: `@apollo/gateway` on a static supergraph file (no run-time introspection), behind
 * the kit's HTTP front. Subgraph URLs come from the supergraph unless `<NAME>_URL` overrides them.
 * A request goes through the stages listed in stages.ts, in that order (pipeline.ts runs them);
 * this function builds their parts from the environment and wires them together.
 */
export async function startRouter(
  env: RouterEnv,
  log: Logger = createLogger('router', env.LOG_LEVEL),
  urlOverrides: Record<string, string> = subgraphUrlOverrides(env),
): Promise<RunningRouter> {
  disableVendorTelemetry();
  const production = env.NODE_ENV === 'production';
  const supergraphPath = env.SUPERGRAPH_PATH ?? defaultSupergraphPath();
  const publicKey = verificationKey(env);
  // One cache for the rate limiter and the context, so a request's token is verified once, and a
  // token seen before not at all (until its exp, or TOKEN_CACHE_TTL_SECONDS).
  const tokens = env.TOKEN_CACHE_SIZE > 0 ? new TokenCache(publicKey, { maxEntries: env.TOKEN_CACHE_SIZE, maxTtlMs: env.TOKEN_CACHE_TTL_SECONDS * 1000 }) : null;
  const secret = serviceSecret(env, dataDir(env.DATA_DIR));
  const limits = operationLimits(env);
  const persisted =
    env.PERSISTED_OPERATIONS === 'enforce' ? PersistedOperations.load(env.PERSISTED_OPERATIONS_MANIFEST ?? defaultManifestPath()) : undefined;
  const origins = corsOrigins(env);
  if (production && origins === '*') log.warn('CORS_ORIGINS=* in production: any website may call this API from a browser');

  let redis: Redis | undefined;
  if (env.REDIS_URL) redis = await connectRedis(env.REDIS_URL, log);
  const counters = redis ? new RedisRateLimitStore(redis, log) : new MemoryRateLimitStore();
  const limiter = new RateLimiter(counters, {
    limit: env.RATE_LIMIT_MAX ?? (production ? 1000 : 0),
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    prefix: 'client',
  });
  const addressLimiter = new RateLimiter(counters, {
    limit: env.RATE_LIMIT_ADDRESS_MAX ?? (production ? 3000 : 0),
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    prefix: 'address',
  });

  const metrics = new RouterMetrics();
  const responseStore = !env.RESPONSE_CACHE
    ? undefined
    : redis
      ? new RedisResponseStore(redis, log, (operation) => metrics.responseCacheErrors.inc({ operation }))
      : new MemoryResponseStore(env.RESPONSE_CACHE_MAX_MB * 1024 * 1024);
  const pool = new SubgraphPool({ env, secret, metrics, log, urlOverrides });
  const rules = new RulesBySchema();
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph({ path: supergraphPath, log, pollIntervalMs: env.SUPERGRAPH_POLL_INTERVAL_MS, contexts: env.EXECUTOR === 'router' }),
    experimental_approximateQueryPlanStoreMiB: env.QUERY_PLAN_CACHE_MB,
    buildService: pool.buildService,
    logger: {
      debug: (m: unknown) => log.debug({ gateway: m }),
      info: (m: unknown) => log.info({ gateway: m }),
      warn: (m: unknown) => log.warn({ gateway: m }),
      error: (m: unknown) => log.error({ gateway: m }),
    },
  });
  // Registered before the first load, so the rules of every supergraph served are known.
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => rules.update(apiSchema, coreSupergraphSdl));
  const execution = planExecution(gateway, { kind: env.EXECUTOR, planCacheBytes: env.QUERY_PLAN_CACHE_MB * 1024 * 1024, services: () => pool.clients });
  const recent = new RecentOperations();
  const warming = planWarmup({
    enabled: env.QUERY_PLAN_WARMUP,
    manifestPath: env.PERSISTED_OPERATIONS_MANIFEST ?? defaultManifestPath(),
    gateway: execution.gateway,
    executor: execution.executor,
    rules,
    recent,
    log,
  });
  const pipeline = assemblePipeline(
    routerStages({
      publicKey,
      tokens,
      limiters: { client: limiter, address: addressLimiter },
      trustedProxyHops: env.TRUST_PROXY_HOPS,
      limits,
      maxResponseBytes: env.MAX_RESPONSE_BYTES,
      persisted,
      rules,
      responseCache: responseCache({ store: responseStore, metrics, maxAgeSeconds: env.RESPONSE_CACHE_MAX_AGE_SECONDS }),
      recent: env.QUERY_PLAN_WARMUP ? recent : undefined,
    }),
  );
  const apollo = new ApolloServer<RouterContext>({
    gateway: execution.gateway,
    csrfPrevention: true,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …?" would name fields, types and arguments that introspection hides.
    hideSchemaDetailsFromClientErrors: production,
    // runService owns SIGTERM: it drains the HTTP server first, then stops Apollo and the pool.
    stopOnTerminationSignals: false,
    formatError: (formatted) => formatRouterError(formatted),
    // A backstop for texts that skip the edge's token count (APQ bodies registered earlier).
    parseOptions: limits.tokens > 0 ? { maxTokens: limits.tokens } : {},
    persistedQueries: persisted ? { cache: persisted.apqCache() } : redis ? { cache: redisApqCache(redis) } : undefined,
    plugins: [
      pipeline.plugin,
      // It computes the request's cache policy; the cache stage writes the header from it, after
      // every stage has had its say on the answer (response-cache.ts).
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      errorLogging,
      metrics.plugin<RouterContext>(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();
  // Serving starts with the known operations planned.
  await warming.current;
  const http = await startHttpServer<RouterContext>(
    {
      log,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      responseLimit: env.MAX_RESPONSE_BYTES > 0 ? { bytes: env.MAX_RESPONSE_BYTES, error: responseTooLargeError(env.MAX_RESPONSE_BYTES) } : undefined,
      compression: env.COMPRESSION ? { minBytes: env.COMPRESSION_MIN_BYTES } : undefined,
      corsOrigins: origins,
      graphql: {
        server: apollo,
        context: pipeline.context,
        preflight: pipeline.preflight,
        shareKey: env.INBOUND_DEDUPE ? inboundShareKey : undefined,
      },
      // Started means the gateway has loaded and validated the supergraph and can plan queries.
      ready: () => true,
      metrics,
      // GraphiQL from our own node_modules: exploring offline, outside production only.
      routes: production ? undefined : graphiqlRoutes(),
    },
    env.PORT,
  );
  log.info(
    {
      port: http.port,
      supergraph: supergraphPath,
      executor: env.EXECUTOR,
      stages: pipeline.stages.map((stage) => stage.name).join(' → '),
      overrides: urlOverrides,
      persistedOperations: persisted ? `enforce (${persisted.size} operations)` : 'allow (APQ)',
      compression: env.COMPRESSION ? `br/gzip from ${env.COMPRESSION_MIN_BYTES} bytes` : 'off',
      responseCache: responseStore?.kind ?? 'off',
      rateLimit: limiter.enabled || addressLimiter.enabled
        ? `${limiter.options.limit} per client and ${addressLimiter.options.limit} per address per ${limiter.options.windowMs} ms${redis ? ' (redis)' : ' (memory)'}`
        : 'off',
      subgraphs: {
        timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        breaker: env.SUBGRAPH_BREAKER_FAILURES > 0 ? `${env.SUBGRAPH_BREAKER_FAILURES} failures, half-open after ${env.SUBGRAPH_BREAKER_HALF_OPEN_MS} ms` : 'off',
        retries: `${env.SUBGRAPH_RETRIES} (queries only, budget ${env.SUBGRAPH_RETRY_BUDGET})`,
      },
    },
    'router ready',
  );
  return {
    url: `${http.url}/graphql`,
    port: http.port,
    http,
    metrics,
    policies: pool.policies,
    async close() {
      await http.close(env.SHUTDOWN_GRACE_SECONDS * 1000);
      await apollo.stop();
      await closeRedis(redis);
    },
  };
}
