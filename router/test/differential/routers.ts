import { createLogger, parseEnv } from '@storefront/kit';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { envSchema } from '../../src/env';
import { startRouter, type RunningRouter } from '../../src/server';

/**
 * Levers off, so the two routers cannot change each other's answers: no fetch or execution shared
 * between them (dedup), no answer served from the other's cache, no retry hiding a fault from one
 * of them, no breaker opened by one's failures (breakers and retries are per router, but a
 * breaker opened by earlier faults would answer differently from a fresh one).
 */
export const ISOLATED_ENV: Readonly<Record<string, string>> = {
  SUBGRAPH_DEDUPE: 'false',
  INBOUND_DEDUPE: 'false',
  RESPONSE_CACHE: 'false',
  SUBGRAPH_RETRIES: '0',
  SUBGRAPH_BREAKER_FAILURES: '0',
};

export type ExecutorKind = 'router' | 'gateway';

export interface RouterPair {
  /** EXECUTOR=router: our executor. */
  router: RunningRouter;
  /** EXECUTOR=gateway: the stock `@apollo/gateway` executor, the oracle. */
  gateway: RunningRouter;
  close(): Promise<void>;
}

/**
 * A router with `EXECUTOR` set. EXECUTOR goes in the environment whether or not the env schema
 * knows it yet (zod drops unknown keys: until it does, both routers run the stock executor).
 */
export function startWithExecutor(env: Record<string, string>, executor: ExecutorKind, urls: Record<string, string>): Promise<RunningRouter> {
  // DIFFERENTIAL_LOG_LEVEL=error shows what a router logged about a mismatch.
  const log = createLogger(`router-${executor}`, process.env.DIFFERENTIAL_LOG_LEVEL ?? 'silent');
  return startRouter(parseEnv(envSchema, { ...env, EXECUTOR: executor }), log, urls);
}

/** Both routers on the same environment and the same subgraph URLs. */
export async function startRouterPair(env: Record<string, string>, urls: Record<string, string>): Promise<RouterPair> {
  const [router, gateway] = await Promise.all([startWithExecutor(env, 'router', urls), startWithExecutor(env, 'gateway', urls)]);
  return { router, gateway, close: async () => void (await Promise.all([router.close(), gateway.close()])) };
}

/** The API schema a router serves, from its own introspection. */
export async function introspect(url: string): Promise<GraphQLSchema> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const json = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown[] };
  if (!json.data) throw new Error(`introspection failed: ${JSON.stringify(json.errors)}`);
  return buildClientSchema(json.data);
}

/** Whether this router runs our executor: the env schema knows EXECUTOR and it parsed to `router`. */
export function executorOf(env: Record<string, string>, executor: ExecutorKind): string {
  const parsed = parseEnv(envSchema, { ...env, EXECUTOR: executor }) as Record<string, unknown>;
  return typeof parsed.EXECUTOR === 'string' ? parsed.EXECUTOR : 'gateway (EXECUTOR unknown to the env schema)';
}
