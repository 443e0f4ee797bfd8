import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { developmentKeyPair, publicKeyFromPem, type Caller } from './auth';
import { callerFromHeader } from './token-cache';
import { dataDir } from './data-dir';
import { openDatabase, type Database } from './database';
import { type SubgraphEnv } from './env';
import { DomainError, maskError } from './errors';
import { HttpError, startHttpServer, type RequestInfo, type Route, type RunningHttpServer } from './http-server';
import { createLogger, type Logger } from './logger';
import { ServiceMetrics } from './metrics';
import type { TraceContext } from './trace-context';
import { BackgroundJobs } from './background-jobs';
import { SEED_PLANS, type SeedPlan } from './seed-plan';
import { serviceSecret, SIGNATURE_WINDOW_MS, SignatureVerifier } from './service-auth';
import { MemoryNonceStore, RedisNonceStore, type NonceStore } from './nonce-store';
import { closeRedis, connectRedis } from './redis';

/** What every subgraph resolver sees; a subgraph extends it with its loaders. */
export interface BaseContext {
  caller: Caller | null;
  requestId: string;
  log: Logger;
  db: DataSource;
  /** The end client's address: forwarded by the router under its signature, else the connection's peer. */
  clientAddress: string;
  /** This request's W3C trace context (the router's `traceparent` continued); calls to other services carry a child of it. */
  trace?: TraceContext;
}

/** What a subgraph's `setup` gets once its database is open and migrated. */
export interface SubgraphDeps {
  db: DataSource;
  log: Logger;
  /** The whole parsed environment: a subgraph reads its own variables from it with its env schema. */
  env: SubgraphEnv;
  /** Periodic work, stopped when the subgraph closes. */
  jobs: BackgroundJobs;
  /** The subgraph's Redis connection when `REDIS_URL` is set (closed with the subgraph), for state replicas share. */
  redis?: Redis;
}

/** What `setup` gives back: services for every request's context, and extra HTTP routes. */
export interface SubgraphSetup<TServices> {
  services: TServices;
  /** Routes beside /graphql, e.g. a signed service API for other services. */
  routes?: Record<string, Route>;
}

export interface SubgraphDefinition<TContext extends BaseContext, TServices = undefined> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /**
   * Runs once per running subgraph, after migrations and before it listens: builds what its
   * requests share (clients of other services, background jobs) and its extra routes.
   */
  setup?(deps: SubgraphDeps): SubgraphSetup<TServices> | Promise<SubgraphSetup<TServices>>;
  /** Adds per-request state (fresh DataLoaders) and the services from `setup` to the base context. */
  createContext(base: BaseContext, services: TServices): TContext;
  /** Fills an empty database with this subgraph's part of the plan. */
  seed?(db: DataSource, plan: SeedPlan, log: Logger): Promise<void>;
  /** True when the database already holds data, so seeding is skipped. */
  hasData?(db: DataSource): Promise<boolean>;
}

/** Loads a schema-first SDL file. */
export const loadTypeDefs = (path: string): DocumentNode => parse(readFileSync(path, 'utf8'));

/** Logs the errors the client will only see masked, with the request id to find them. */
const errorLogging: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          if (error.originalError instanceof DomainError || !error.originalError) continue;
          contextValue.log.error({ err: error.originalError, path: error.path }, 'resolver failed');
        }
      },
    };
  },
};

export function buildSubgraphServer<TContext extends BaseContext>(
  definition: Pick<SubgraphDefinition<TContext, unknown>, 'typeDefs' | 'resolvers'>,
  plugins: ApolloServerPlugin<TContext>[] = [],
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]),
    formatError: (formatted) => maskError(formatted),
    includeStacktraceInErrorResponses: false,
    // runService owns SIGTERM: it drains the HTTP server first, then stops Apollo and the pool.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces are for Apollo's hosted studio; nothing here reads them and they cost CPU.
      ApolloServerPluginInlineTraceDisabled(),
      errorLogging as ApolloServerPlugin<TContext>,
      ...plugins,
    ],
  });
}

export interface RunningSubgraph {
  name: string;
  url: string;
  port: number;
  database: Database;
  http: RunningHttpServer;
  log: Logger;
  /** What `/metrics` serves: requests, GraphQL errors by code, the database pool, the process. */
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

function verificationKey(env: SubgraphEnv): KeyObject {
  if (env.JWT_PUBLIC_KEY) return publicKeyFromPem(env.JWT_PUBLIC_KEY);
  if (env.NODE_ENV === 'production') throw new Error('JWT_PUBLIC_KEY is required in production');
  return developmentKeyPair(dataDir(env.DATA_DIR)).publicKey;
}

/** The services that hold the shared secret and so may sign calls to a subgraph. */
export const SERVICE_NAMES: readonly string[] = ['router', 'users', 'products', 'reviews', 'orders'];

/** True when unsigned calls are refused: always in production, elsewhere when asked. */
export const requiresServiceSignature = (env: SubgraphEnv): boolean =>
  env.NODE_ENV === 'production' || env.REQUIRE_SERVICE_SIGNATURE === true;

/** The paths of a subgraph's GraphQL endpoint: only the router calls them. */
const GRAPHQL_PATHS: readonly string[] = ['/graphql', '/'];

export interface ServiceSignatureGuardOptions {
  /** This subgraph's name (in `SERVICE_NAMES`): a call signed for another service is refused. */
  service: string;
  /**
   * Where accepted nonces are remembered: a `RedisNonceStore` shared by the replicas refuses a
   * replay to any of them; memory refuses it only on this replica. @default a MemoryNonceStore
   */
  nonces?: NonceStore;
}

/**
 * The HTTP guard that lets only our own services in: a valid signature (right secret, made for this
 * service, fresh timestamp, unseen nonce, unaltered method, path, body, Authorization and forwarded
 * client address) by a service that may call the path (`/graphql` is the router's; other routes
 * name their callers with `requireCaller`) or, when signatures are required, 401. Outside
 * production an unsigned call is served but its forwarded headers are ignored, so nothing a client
 * sends stands in for the router.
 */
export function serviceSignatureGuard(env: SubgraphEnv, secret: string, options: ServiceSignatureGuardOptions) {
  const enforce = requiresServiceSignature(env);
  const verifier = new SignatureVerifier({ secret, service: options.service, allowed: SERVICE_NAMES, nonces: options.nonces });
  return async (req: IncomingMessage, body: string, info: RequestInfo): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    let result = await verifier.verify(
      { method: req.method ?? 'GET', path: req.url ?? '/', body, authorization: req.headers.authorization },
      req.headers,
    );
    if (result.ok && GRAPHQL_PATHS.includes(path) && result.service !== 'router') {
      result = { ok: false, reason: `service ${result.service} may not call ${path}` };
    }
    if (result.ok) {
      info.service = result.service;
      if (result.client) info.clientAddress = result.client;
      return;
    }
    if (!enforce) return;
    info.log.warn({ reason: result.reason, path: req.url, peer: info.clientAddress }, 'refused a call without a valid service signature');
    throw new HttpError(401, 'This service only accepts calls signed by the router or another of our services', 'UNAUTHENTICATED');
  };
}

/**
 * For a route of a service API (beside `/graphql`): the service the guard proved signed this call,
 * if it is one of `callers`; else 401, whatever the environment, since these routes move data no
 * client may touch. Call it first in the route.
 */
export function requireCaller(info: RequestInfo, callers: readonly string[]): string {
  if (info.service && callers.includes(info.service)) return info.service;
  info.log.warn({ service: info.service ?? null, callers }, 'refused a service call from a caller this route does not serve');
  throw new HttpError(401, 'This endpoint only answers signed calls from our own services', 'UNAUTHENTICATED');
}

/**
 * The nonce store of a subgraph: Redis when configured, so replicas refuse each other's replays;
 * else memory, and in production a start-up warning that says what that leaves open.
 */
function nonceStore(env: SubgraphEnv, redis: Redis | undefined, log: Logger): NonceStore {
  if (redis) return new RedisNonceStore(redis, log);
  if (env.NODE_ENV === 'production') {
    log.warn(
      { windowSeconds: SIGNATURE_WINDOW_MS / 1000 },
      'REDIS_URL is unset: signature nonces are remembered per replica, so a signed call captured inside the network can be replayed once to each other replica of this service within the signature window; set REDIS_URL to share them',
    );
  }
  return new MemoryNonceStore();
}

/**
 * Opens the subgraph's database (migrating it), seeds it if asked and empty, and serves it.
 * Pure of `process`: tests start subgraphs with it on port 0.
 */
export async function startSubgraph<TContext extends BaseContext, TServices>(
  definition: SubgraphDefinition<TContext, TServices>,
  env: SubgraphEnv,
  log: Logger = createLogger(definition.name, env.LOG_LEVEL),
): Promise<RunningSubgraph> {
  const publicKey = verificationKey(env);
  // Resolved before the database opens, so a production start without SERVICE_SECRET fails fast.
  const secret = serviceSecret(env, dataDir(env.DATA_DIR));
  const database = await openDatabase({
    url: env.DATABASE_URL,
    name: definition.name,
    dataDir: dataDir(env.DATA_DIR),
    entities: definition.entities,
    migrations: definition.migrations,
    logger: log,
  });
  const jobs = new BackgroundJobs(database.dataSource, log);
  let redis: Redis | undefined;
  try {
    if (env.REDIS_URL) redis = await connectRedis(env.REDIS_URL, log);
    const guard = serviceSignatureGuard(env, secret, { service: definition.name, nonces: nonceStore(env, redis, log) });
    if (env.SEED !== 'none' && definition.seed && !(await definition.hasData?.(database.dataSource))) {
      const started = Date.now();
      await definition.seed(database.dataSource, SEED_PLANS[env.SEED], log);
      log.info({ seed: env.SEED, ms: Date.now() - started }, 'seeded');
    }
    const setup = (await definition.setup?.({ db: database.dataSource, log, env, jobs, redis })) ?? {
      services: undefined as TServices,
    };
    const metrics = new ServiceMetrics(definition.name);
    metrics.watchPool(database.dataSource);
    const apollo = buildSubgraphServer(definition, [metrics.plugin<TContext>()]);
    await apollo.start();
    const http = await startHttpServer(
      {
        log,
        bodyLimitBytes: env.BODY_LIMIT_BYTES,
        graphql: {
          server: apollo,
          context: async (req: IncomingMessage, info: RequestInfo) =>
            definition.createContext({
              caller: await callerFromHeader(publicKey, req.headers.authorization),
              requestId: info.requestId,
              log: info.log,
              db: database.dataSource,
              clientAddress: info.clientAddress,
              trace: info.trace,
            }, setup.services),
        },
        ready: () => database.ping(),
        guard,
        routes: setup.routes,
        metrics,
      },
      env.PORT,
    );
    log.info({ port: http.port, database: database.kind }, 'subgraph ready');
    return {
      name: definition.name,
      url: `${http.url}/graphql`,
      port: http.port,
      database,
      http,
      log,
      metrics,
      async close() {
        await http.close(env.SHUTDOWN_GRACE_SECONDS * 1000);
        await apollo.stop();
        await jobs.stop();
        await closeRedis(redis);
        await database.close();
      },
    };
  } catch (error) {
    await jobs.stop();
    await closeRedis(redis);
    await database.close();
    throw error;
  }
}
