import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { startHttpServer, type RequestInfo, type RunningHttpServer } from '../http-server';
import { createLogger } from '../logger';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisNonceStore, type NonceStore } from '../nonce-store';
import { closeRedis, connectRedis } from '../redis';
import { signRequest } from '../service-auth';
import { requireCaller, serviceSignatureGuard, type BaseContext } from '../subgraph';
import type { SubgraphEnv } from '../env';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const QUERY = JSON.stringify({ query: '{ whoCalls }' });

function env(overrides: Partial<SubgraphEnv>): SubgraphEnv {
  return { NODE_ENV: 'test', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_SECONDS: 1, BODY_LIMIT_BYTES: 10_000, PORT: 0, SEED: 'none', EVENT_LOOP_STALL_MS: 1000, EVENT_LOOP_KILL_MS: 0, ...overrides };
}

/** A subgraph-like server whose one field says what the guard established about the caller. */
async function serve(subgraphEnv: SubgraphEnv, nonces?: NonceStore): Promise<{ http: RunningHttpServer; stop(): Promise<void> }> {
  const apollo = new ApolloServer<Pick<BaseContext, 'clientAddress'> & { service?: string }>({
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(`type Query { whoCalls: String! }`),
        resolvers: { Query: { whoCalls: (_: unknown, __: unknown, ctx: { clientAddress: string; service?: string }) => `${ctx.service ?? '-'} for ${ctx.clientAddress}` } },
      },
    ]),
  });
  await apollo.start();
  const http = await startHttpServer(
    {
      log: createLogger('test', 'silent'),
      graphql: { server: apollo, context: async (_req, info: RequestInfo) => ({ clientAddress: info.clientAddress, service: info.service }) },
      ready: () => true,
      guard: serviceSignatureGuard(subgraphEnv, SECRET, { service: 'users', nonces }),
      routes: {
        '/metrics': (_req, res) => void res.end('metrics'),
        // A service API for orders only, as products' reservations are.
        'POST /internal/thing': (_req, res, info) => void res.end(requireCaller(info, ['orders'])),
      },
    },
    0,
  );
  return { http, stop: async () => (await http.close(100), await apollo.stop()) };
}

async function post(url: string, headers: Record<string, string>, body = QUERY) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { data?: { whoCalls: string }; errors?: { extensions: { code: string } }[] } };
}

const signed = (extra: { client?: string; target?: string } = {}, body = QUERY) =>
  signRequest(SECRET, 'router', { target: 'users', method: 'POST', path: '/graphql', body, ...extra });

describe('the subgraph signature guard, signatures required', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(env({ REQUIRE_SERVICE_SIGNATURE: true }));
  });
  afterAll(() => server.stop());

  it('serves a call signed by the router, with the client address it vouches for', async () => {
    const response = await post(server.http.url, signed({ client: '203.0.113.9' }));
    expect(response.body.data?.whoCalls).toBe('router for 203.0.113.9');
  });

  it.each([
    ['no signature', () => ({})],
    ['a signature made with another secret', () => signRequest('another-secret-that-is-long-enough-0123456', 'router', { target: 'users', method: 'POST', path: '/graphql', body: QUERY })],
    ['a signature of another body', () => signed({}, JSON.stringify({ query: '{ __typename }' }))],
    ['a forged client address', () => ({ ...signed({ client: '203.0.113.9' }), 'x-storefront-client': '10.0.0.1' })],
    ['a stale timestamp', () => signRequest(SECRET, 'router', { target: 'users', method: 'POST', path: '/graphql', body: QUERY }, Date.now() - 5 * 60_000)],
    ['a call the router signed for products', () => signed({ target: 'products' })],
    ['a call signed for another path', () => signRequest(SECRET, 'router', { target: 'users', method: 'POST', path: '/internal/thing', body: QUERY })],
    ['a call to /graphql signed by a service other than the router', () => signRequest(SECRET, 'orders', { target: 'users', method: 'POST', path: '/graphql', body: QUERY })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_label, headers) => {
    const response = await post(server.http.url, headers());
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(response.body.data).toBeUndefined();
  });

  it('refuses a replayed signature', async () => {
    const headers = signed();
    expect((await post(server.http.url, headers)).status).toBe(200);
    expect((await post(server.http.url, headers)).status).toBe(401);
  });

  it('lets a route serve only the callers it names, whose signature the guard verified', async () => {
    const call = async (service: string) => {
      const headers = signRequest(SECRET, service, { target: 'users', method: 'POST', path: '/internal/thing', body: '{}' });
      const response = await fetch(`${server.http.url}/internal/thing`, { method: 'POST', headers, body: '{}' });
      return { status: response.status, text: await response.text() };
    };
    expect(await call('orders')).toEqual({ status: 200, text: 'orders' });
    const router = await call('router');
    expect(router.status).toBe(401);
    expect(JSON.parse(router.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('leaves the probes and /metrics open', async () => {
    for (const path of ['/health', '/ready', '/metrics']) expect((await fetch(`${server.http.url}${path}`)).status).toBe(200);
  });
});

describe('the subgraph signature guard outside production', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(env({}));
  });
  afterAll(() => server.stop());

  it('still refuses an unsigned call to a route that names its callers', async () => {
    const response = await fetch(`${server.http.url}/internal/thing`, { method: 'POST', headers: { 'x-storefront-service': 'orders' }, body: '{}' });
    expect(response.status).toBe(401);
  });

  it('serves an unsigned call but ignores the client address it claims', async () => {
    const response = await post(server.http.url, { 'x-storefront-client': '10.9.8.7', 'x-storefront-service': 'router' });
    expect(response.status).toBe(200);
    expect(response.body.data?.whoCalls).toMatch(/^- for (::ffff:)?127\.0\.0\.1$/);
  });

  it('is always on in production, whatever REQUIRE_SERVICE_SIGNATURE says', async () => {
    const production = await serve(env({ NODE_ENV: 'production', REQUIRE_SERVICE_SIGNATURE: false }));
    try {
      expect((await post(production.http.url, {})).status).toBe(401);
    } finally {
      await production.stop();
    }
  });
});

describe('replay protection across two replicas of a subgraph (signatures required)', () => {
  const required = env({ REQUIRE_SERVICE_SIGNATURE: true });
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectRedis('redis://127.0.0.1:6379', createLogger('test', 'silent'));
  });
  afterAll(() => closeRedis(redis));

  it('refuses a call replayed to the second replica when they share Redis', async () => {
    const prefix = `test:guard:${randomUUID()}:`;
    const log = createLogger('test', 'silent');
    const [a, b] = [await serve(required, new RedisNonceStore(redis, log, prefix)), await serve(required, new RedisNonceStore(redis, log, prefix))];
    try {
      const headers = signed();
      expect((await post(a.http.url, headers)).status).toBe(200);
      const replayed = await post(b.http.url, headers);
      expect(replayed.status).toBe(401);
      expect(replayed.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect((await post(a.http.url, headers)).status).toBe(401);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('without Redis the second replica accepts it once (the documented window) and the first refuses it', async () => {
    const [a, b] = [await serve(required), await serve(required)];
    try {
      const headers = signed();
      expect((await post(a.http.url, headers)).status).toBe(200);
      expect((await post(b.http.url, headers)).status).toBe(200);
      expect((await post(a.http.url, headers)).status).toBe(401);
      expect((await post(b.http.url, headers)).status).toBe(401);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
