import { createHash, createHmac, randomBytes, sign, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import pino from 'pino';
import { deterministicId, parseEnv, startSubgraph, type BaseContext, type Logger, type RunningSubgraph, type SubgraphDefinition } from '@storefront/kit';
import { createTestDatabase, gql, testKeys, testSubgraphEnv, type GraphQLResponse, type TestDatabase } from '@storefront/testing';
import { ordersSubgraph } from '../../subgraphs/orders/src/server';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { reviewsSubgraph } from '../../subgraphs/reviews/src/server';
import { createUsersSubgraph } from '../../subgraphs/users/src/server';
import type { LoginThrottleOptions } from '../../subgraphs/users/src/login-throttle';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';

export const NAMES = ['users', 'products', 'reviews', 'orders'] as const;
export type SubgraphName = (typeof NAMES)[number];

/** One log line as pino writes it. */
export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string; level: number };

/** A logger that keeps its lines in memory, so a test can find what was logged for a request id. */
export function memoryLogger(service: string): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { log: pino({ level: 'debug', base: { service } }, sink), lines };
}

export interface SecureGraph {
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  databases: Record<SubgraphName, TestDatabase>;
  logs: Record<SubgraphName | 'router', LogLine[]>;
  keys: ReturnType<typeof testKeys>;
  secret: string;
  /** The router in production posture (TRUST_PROXY_HOPS=1, so tests pick client addresses with X-Forwarded-For). */
  router: RunningRouter;
  /** Another router on the same subgraphs, with more environment; closed with the graph. */
  startRouter(env?: Record<string, string>, urls?: Partial<Record<SubgraphName, string>>): Promise<RunningRouter>;
  /** A token for demo user n (1 is the admin). */
  token(n: number, ttlSeconds?: number): Promise<string>;
  /** Requests each subgraph has received so far (to prove a refused operation never reached one). */
  requests(): Record<SubgraphName, number>;
  close(): Promise<void>;
}

/**
 * The whole supergraph as production runs it, in this process on port 0: every subgraph with
 * NODE_ENV=production (so only signed calls get in) and a shared SERVICE_SECRET, fresh MariaDB
 * databases with the demo set, and routers in production posture. Logs are kept in memory.
 */
export async function startSecureGraph(label: string, options: { loginThrottle?: LoginThrottleOptions } = {}): Promise<SecureGraph> {
  const keys = testKeys();
  const secret = randomBytes(32).toString('base64url');
  const dbs = await Promise.all(NAMES.map((name) => createTestDatabase(`${label}_${name}`)));
  const databases = Object.fromEntries(NAMES.map((name, i) => [name, dbs[i]!])) as SecureGraph['databases'];
  const loggers = Object.fromEntries([...NAMES, 'router'].map((name) => [name, memoryLogger(name)])) as Record<SubgraphName | 'router', ReturnType<typeof memoryLogger>>;
  const env = (name: SubgraphName, extra: Record<string, unknown> = {}) =>
    ({
      ...testSubgraphEnv({ DATABASE_URL: databases[name].url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: secret, NODE_ENV: 'production' }),
      ...extra,
    }) as ReturnType<typeof testSubgraphEnv>;
  const start = (name: SubgraphName, definition: unknown, extra?: Record<string, unknown>) =>
    startSubgraph(definition as SubgraphDefinition<BaseContext>, env(name, extra), loggers[name].log);

  // Products first: orders calls its reservation API and reviews its product lookup at the port it got.
  const products = await start('products', productsSubgraph);
  const [users, reviews, orders] = await Promise.all([
    start('users', createUsersSubgraph({ signingKey: keys.privateKey, tokenTtlSeconds: 600, loginThrottle: options.loginThrottle })),
    start('reviews', reviewsSubgraph, { PRODUCTS_SERVICE_URL: products.http.url }),
    start('orders', ordersSubgraph, { PRODUCTS_SERVICE_URL: products.http.url }),
  ]);
  const subgraphs: SecureGraph['subgraphs'] = { users, products, reviews, orders };

  const counts = Object.fromEntries(NAMES.map((name) => [name, 0])) as Record<SubgraphName, number>;
  for (const name of NAMES) subgraphs[name].http.server.on('request', () => (counts[name] += 1));

  const routers: RunningRouter[] = [];
  const launch = async (extra: Record<string, string> = {}, urls: Partial<Record<SubgraphName, string>> = {}) => {
    const routerEnv = parseEnv(envSchema, {
      NODE_ENV: 'production',
      PORT: '0',
      LOG_LEVEL: 'debug',
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_SECRET: secret,
      TRUST_PROXY_HOPS: '1',
      CORS_ORIGINS: 'https://shop.example.com',
      // Counted per test client address; generous, so only the rate-limit tests hit it.
      RATE_LIMIT_MAX: '10000',
      // The response cache is off unless a test asks for it (env): many tests write, then read
      // at once, and a cached answer would rightly serve them the value from before the write.
      RESPONSE_CACHE: 'false',
      ...extra,
    });
    const router = await startRouter(routerEnv, loggers.router.log, Object.fromEntries(NAMES.map((name) => [name, urls[name] ?? subgraphs[name].url])));
    routers.push(router);
    return router;
  };
  const router = await launch();

  return {
    subgraphs,
    databases,
    logs: Object.fromEntries(Object.entries(loggers).map(([name, l]) => [name, l.lines])) as SecureGraph['logs'],
    keys,
    secret,
    router,
    startRouter: launch,
    token: (n, ttlSeconds) => keys.token({ userId: deterministicId('user', n), roles: n === 1 ? ['admin'] : [] }, ttlSeconds),
    requests: () => ({ ...counts }),
    async close() {
      await Promise.all(routers.map((r) => r.close()));
      await Promise.all(NAMES.map((name) => subgraphs[name].close()));
      await Promise.all(NAMES.map((name) => databases[name].drop()));
    },
  };
}

/** A fresh client address per test run, so counters kept in Redis by earlier runs never interfere. */
export function clientAddress(): string {
  const bytes = randomBytes(3);
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

/** Sends an operation as a client at `address` (the router trusts one proxy hop in these tests). */
export function asClient(url: string, address: string, query: string, variables: Record<string, unknown> = {}, token?: string, headers: Record<string, string> = {}) {
  return gql(url, query, variables, { token, headers: { 'x-forwarded-for': address, ...headers } });
}

/** A JWT built by hand: for tokens our own code would never produce (alg none, HS256, foreign keys). */
export function craftToken(header: Record<string, unknown>, payload: Record<string, unknown>, signWith?: { key: KeyObject } | { hmac: string }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  if (!signWith) return `${input}.`;
  const signature = 'key' in signWith ? sign(null, Buffer.from(input), signWith.key) : createHmac('sha256', signWith.hmac).update(input).digest();
  return `${input}.${signature.toString('base64url')}`;
}

/** The claims our tokens carry, for crafting look-alikes. */
export function claims(userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, roles: ['admin'], scope: '', iss: 'storefront-users', aud: 'storefront', iat: now, exp: now + 600, ...overrides };
}

/** Row count and checksum of every table of every subgraph database: equal snapshots mean nothing changed. */
export async function snapshot(graph: SecureGraph): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of NAMES) {
    const db = graph.subgraphs[name].database.dataSource;
    const tables = (await db.query('SHOW TABLES')) as Record<string, string>[];
    for (const row of tables) {
      const table = Object.values(row)[0]!;
      const [{ Checksum }] = (await db.query(`CHECKSUM TABLE \`${table}\``)) as { Checksum: string }[];
      const [{ n }] = (await db.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as { n: number }[];
      result[`${name}.${table}`] = `${n} rows, checksum ${Checksum}`;
    }
  }
  return result;
}

/** Records the next signed request the router sends to a subgraph: headers and exact body. */
export function captureNextRequest(subgraph: RunningSubgraph): Promise<{ headers: IncomingHttpHeaders; body: string; path: string }> {
  return new Promise((resolve) => {
    const onRequest = (req: IncomingMessage) => {
      if (req.method !== 'POST') return;
      subgraph.http.server.off('request', onRequest);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/graphql' }));
    };
    subgraph.http.server.on('request', onRequest);
  });
}

/** Texts that must never reach a client: SQL, driver errors, stack frames, file paths, internal addresses. */
export const LEAKS = /\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b|\bER_[A-Z_]+|SQLITE|sql syntax|at \S+ \(|\/work\/|node_modules|\.ts:\d+|127\.0\.0\.1:\d+|localhost:\d+|ECONNREFUSED/i;

/** The error codes of a response. */
export const codes = (response: GraphQLResponse<unknown>): unknown[] => (response.body.errors ?? []).map((e) => e.extensions?.code);

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
