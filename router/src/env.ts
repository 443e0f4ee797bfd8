import { availableParallelism } from 'node:os';
import { baseEnvSchema, portSchema } from '@storefront/kit';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
const count = z.coerce.number().int().min(0);

/** The router's environment (see README). */
export const envSchema = baseEnvSchema.extend({
  PORT: portSchema.default(4000),
  /**
   * Router processes sharing PORT on this machine (node:cluster): a whole number, or `auto` for one
   * per CPU the process may run on. @default 1 (in containers, scale by replicas; see README)
   */
  ROUTER_WORKERS: z
    .string()
    .regex(/^(auto|[1-9][0-9]*)$/, 'must be a whole number of at least 1, or auto')
    .default('1')
    .transform((value) => (value === 'auto' ? availableParallelism() : Number(value))),
  /** Compress responses (br, else gzip) for clients whose Accept-Encoding asks for it. @default true */
  COMPRESSION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Smallest response body that is compressed, in bytes. @default 1024 */
  COMPRESSION_MIN_BYTES: count.default(1024),
  /** The supergraph to serve. @default <project>/schema/supergraph.graphql */
  SUPERGRAPH_PATH: z.string().optional(),
  /** How often the supergraph file is checked for changes, in milliseconds. @default 1000 */
  SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  /** Override a subgraph's routing URL from the supergraph: `<NAME>_URL`, e.g. USERS_URL. */
  USERS_URL: url.optional(),
  PRODUCTS_URL: url.optional(),
  REVIEWS_URL: url.optional(),
  ORDERS_URL: url.optional(),
  /** Comma-separated browser origins allowed by CORS, or `*`. @default `*` outside production, none in it */
  CORS_ORIGINS: z.string().optional(),
  /** Public key (SPKI PEM) that verifies users' tokens; a development key is used when unset outside production. */
  JWT_PUBLIC_KEY: z.string().optional(),
  /** Per-fetch timeout to a subgraph in milliseconds (each attempt; a timed-out fetch is not retried). @default 10000 */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Consecutive failed fetches (refused, reset, timed out, 502/503/504) that open a subgraph's
   * circuit breaker, which then fails its fetches at once; 0 turns breakers off. @default 5
   */
  SUBGRAPH_BREAKER_FAILURES: count.default(5),
  /** How long an open breaker waits before letting one trial fetch through (half-open), in milliseconds. @default 5000 */
  SUBGRAPH_BREAKER_HALF_OPEN_MS: z.coerce.number().int().positive().default(5_000),
  /** Retries of a failed query fetch (refused, reset, 502/503/504), never of a mutation's; 0 turns them off. @default 2 */
  SUBGRAPH_RETRIES: count.default(2),
  /** The first retry's delay in milliseconds; later ones back off exponentially with jitter, up to 1 s. @default 50 */
  SUBGRAPH_RETRY_DELAY_MS: z.coerce.number().int().positive().default(50),
  /**
   * Retry budget per subgraph: over any 10 s, retries may add at most this share of its fetches
   * (plus 10), so retries cannot multiply the load on a struggling subgraph. @default 0.2
   */
  SUBGRAPH_RETRY_BUDGET: z.coerce.number().min(0).max(1).default(0.2),
  /** Identical inbound reads of the same caller in flight at once share one execution. @default true */
  INBOUND_DEDUPE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Send each distinct entity representation of an `_entities` fetch once, and fan the answers out. @default true */
  ENTITY_DEDUPE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Approximate size of the query-plan cache in MiB (plans are kept by operation text, least
   * recently used dropped first). @default 30
   */
  /**
   * Who runs the query plans: `router`, this router's own executor, or `gateway`, the stock
   * `@apollo/gateway` executor, kept for one release as a fallback and as the differential test's oracle.
   */
  EXECUTOR: z.enum(['router', 'gateway']).default('router'),
  /** Verified tokens remembered (the whole token is the key, never served past its exp); 0 verifies every request. @default 10000 */
  TOKEN_CACHE_SIZE: count.default(10_000),
  /** Longest a verified token is trusted before it is verified again, in seconds. @default 60 */
  TOKEN_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  QUERY_PLAN_CACHE_MB: z.coerce.number().int().positive().default(30),
  /**
   * Plan the operations of the persisted-operations manifest before serving, and again on every
   * supergraph reload, so no client waits for planning after a start or a deploy. @default true
   */
  QUERY_PLAN_WARMUP: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Share one subgraph fetch among identical reads of the same caller in flight at once. @default true */
  SUBGRAPH_DEDUPE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Shared secret that signs every subgraph request; a development secret under DATA_DIR outside production. */
  SERVICE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Redis for state shared by router replicas: rate-limit counters and automatic persisted queries. @default in memory */
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be redis://host:port (or rediss://)' }).optional(),
  /**
   * Cache whole query responses as long as the subgraphs' `@cacheControl` hints allow: PUBLIC ones
   * shared, PRIVATE ones per signed-in user. In Redis with REDIS_URL, else in memory. @default true
   */
  RESPONSE_CACHE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Size of the in-memory response cache in MiB (without REDIS_URL); least recently used go first. @default 32 */
  RESPONSE_CACHE_MAX_MB: z.coerce.number().positive().default(32),
  /** Longest a response stays in the response cache, in seconds, whatever the hints say; 0: the hints decide. @default 0 */
  RESPONSE_CACHE_MAX_AGE_SECONDS: count.default(0),
  /**
   * Proxies in front of the router whose `X-Forwarded-For` entries are trusted: the client address
   * is the entry this many hops from the right. @default 0 (the connection's peer is the client)
   */
  TRUST_PROXY_HOPS: count.default(0),
  /** Requests per client (user id from the token, else address) and window; 0 turns it off. @default 1000 in production, 0 elsewhere */
  RATE_LIMIT_MAX: count.optional(),
  /**
   * Requests per client address and window, whatever tokens they carry, so new accounts do not buy
   * a client more requests; 0 turns it off. @default 3000 in production, 0 elsewhere
   */
  RATE_LIMIT_ADDRESS_MAX: count.optional(),
  /** The rate limit's window in milliseconds. @default 60000 */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  /** `allow`: any operation, with automatic persisted queries; `enforce`: only operations in the manifest. @default allow */
  PERSISTED_OPERATIONS: z.enum(['allow', 'enforce']).default('allow'),
  /** The safelist for `enforce`. @default <project>/schema/persisted-operations.json */
  PERSISTED_OPERATIONS_MANIFEST: z.string().optional(),
  /** Operation limits, checked before planning; 0 turns one off. Field nesting depth. @default 15 */
  MAX_DEPTH: count.default(15),
  /** Aliased fields in an operation (fragments counted where spread). @default 30 */
  MAX_ALIASES: count.default(30),
  /** Fields at the root of an operation. @default 20 */
  MAX_ROOT_FIELDS: count.default(20),
  /** Directives used in an operation. @default 50 */
  MAX_DIRECTIVES: count.default(50),
  /** Lexical tokens in the operation text, counted before it is parsed. @default 5000 */
  MAX_TOKENS: count.default(5000),
  /** Estimated cost: objects the operation may return, lists counted at their `first`/`last` size. @default 10000 */
  MAX_COST: count.default(10_000),
  /**
   * Bytes one request may read from the subgraphs, and the largest answer the router sends; past
   * it the request ends with 400 GRAPHQL_VALIDATION_FAILED (`limit: responseBytes`) and what was
   * read is dropped; 0 turns it off. @default 5000000
   */
  MAX_RESPONSE_BYTES: count.default(5_000_000),
  /** The size assumed for a list field without a `first`/`last` argument, when estimating cost. @default 10 */
  COST_LIST_SIZE: z.coerce.number().int().positive().default(10),
});

export type RouterEnv = z.infer<typeof envSchema>;

/** Subgraph URL overrides from the environment, keyed by subgraph name (lower case). */
export function subgraphUrlOverrides(env: RouterEnv, source: Record<string, string | undefined> = process.env): Record<string, string> {
  const overrides: Record<string, string> = {};
  // Any `<NAME>_URL` counts, so the router serves any supergraph, not only ours.
  for (const [key, value] of Object.entries(source)) {
    const match = /^([A-Z0-9_]+)_URL$/.exec(key);
    if (match && value && /^https?:\/\//.test(value)) overrides[match[1]!.toLowerCase()] = value;
  }
  for (const name of ['users', 'products', 'reviews', 'orders'] as const) {
    const value = env[`${name.toUpperCase() as Uppercase<typeof name>}_URL`];
    if (value) overrides[name] = value;
  }
  return overrides;
}

/**
 * `@apollo/gateway` starts a metrics exporter to the vendor's cloud unless this is set; nothing
 * but subgraph calls may leave the router.
 */
export function disableVendorTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}
