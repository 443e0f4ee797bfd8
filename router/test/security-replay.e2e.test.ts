/**
 * The security suite: signed service calls cannot be replayed elsewhere (issue 13, item 6). Real
 * services in production posture on real MariaDB and Redis: a call captured on the wire is replayed
 * to another service, to another replica of the same service, or altered, and the test counts what
 * the replay did (HTTP status, stock, reservation rows).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { closeRedis, connectRedis, deterministicId, startSubgraph, type BaseContext, type RunningSubgraph, type SubgraphDefinition } from '@storefront/kit';
import { gql, testSubgraphEnv } from '@storefront/testing';
import type { Redis } from 'ioredis';
import { ordersSubgraph } from '../../subgraphs/orders/src/server';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import type { RunningRouter } from '../src/server';
import { memoryLogger, startSecureGraph, type LogLine, type SecureGraph } from './security-harness';

jest.setTimeout(60_000);

const REDIS_URL = 'redis://127.0.0.1:6379';

let graph: SecureGraph;
let redis: Redis;
/** Two products replicas sharing Redis (and the graph's products database), and one without Redis. */
let sharedA: RunningSubgraph;
let sharedB: RunningSubgraph;
let lone: RunningSubgraph;
/** An orders replica with Redis whose products calls go to `sharedA`. */
let ordersR: RunningSubgraph;
/** A router whose products and orders are the replicas above. */
let router: RunningRouter;
const replicaLogs: Record<string, LogLine[]> = {};
const extra: RunningSubgraph[] = [];

async function replica(name: string, definition: unknown, database: string, env: Record<string, unknown>): Promise<RunningSubgraph> {
  const { log, lines } = memoryLogger(name);
  replicaLogs[name] = lines;
  const running = await startSubgraph(
    definition as SubgraphDefinition<BaseContext>,
    {
      ...testSubgraphEnv({ DATABASE_URL: database, JWT_PUBLIC_KEY: graph.keys.publicKeyPem, SERVICE_SECRET: graph.secret, NODE_ENV: 'production' }),
      ...env,
    } as ReturnType<typeof testSubgraphEnv>,
    log,
  );
  extra.push(running);
  return running;
}

beforeAll(async () => {
  graph = await startSecureGraph('sec_replay');
  redis = await connectRedis(REDIS_URL, memoryLogger('test').log);
  const products = graph.databases.products.url;
  sharedA = await replica('productsA', productsSubgraph, products, { REDIS_URL, RESERVATION_SWEEP_SECONDS: 3600 });
  sharedB = await replica('productsB', productsSubgraph, products, { REDIS_URL, RESERVATION_SWEEP_SECONDS: 3600 });
  lone = await replica('productsLone', productsSubgraph, products, { RESERVATION_SWEEP_SECONDS: 3600 });
  ordersR = await replica('ordersR', ordersSubgraph, graph.databases.orders.url, { REDIS_URL, PRODUCTS_SERVICE_URL: sharedA.http.url });
  router = await graph.startRouter({}, { products: sharedA.url, orders: ordersR.url });
});

afterAll(async () => {
  for (const running of extra.reverse()) await running.close();
  await closeRedis(redis);
  await graph?.close();
});

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

/** Records the next POST to `subgraph` on `path` whose body matches: headers and exact bytes. */
function captureNext(subgraph: RunningSubgraph, path: string, matches: (body: string) => boolean = () => true): Promise<Captured> {
  return new Promise((resolve) => {
    const onRequest = (req: IncomingMessage) => {
      if (req.method !== 'POST' || req.url !== path) return;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (!matches(body)) return;
        subgraph.http.server.off('request', onRequest);
        resolve({ headers: req.headers, body, path });
      });
    };
    subgraph.http.server.on('request', onRequest);
  });
}

/** Sends a captured call again, as it was (or with some headers changed), to `baseUrl` at `path`. */
async function replay(baseUrl: string, captured: Captured, options: { path?: string; headers?: Record<string, string | undefined> } = {}) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured.headers)) {
    if (name.startsWith('x-storefront-') || name === 'authorization' || name === 'content-type') headers[name] = String(value);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(`${baseUrl}${options.path ?? captured.path}`, { method: 'POST', headers, body: captured.body });
  const body = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions.code, data: body.data };
}

const refusals = (lines: LogLine[], reason: string) => lines.filter((line) => line.reason === reason).length;

async function stockOf(productId: string): Promise<number> {
  const [row] = (await graph.subgraphs.products.database.dataSource.query('SELECT stock FROM products WHERE id = ?', [productId])) as { stock: number }[];
  return Number(row!.stock);
}

describe('a signature names the service it was made for', () => {
  let captured: Captured;
  beforeAll(async () => {
    const next = captureNext(graph.subgraphs.users, '/graphql');
    const me = await gql(graph.router.url, '{ me { id name } }', {}, { token: await graph.token(2) });
    expect(me.body.data?.me?.id).toBe(deterministicId('user', 2));
    captured = await next;
    expect(captured.headers['x-storefront-target']).toBe('users');
  });

  it.each(['products', 'reviews', 'orders'] as const)('a router call signed for users is refused by %s with 401 UNAUTHENTICATED', async (name) => {
    const before = refusals(graph.logs[name], 'signed for another service');
    const response = await replay(graph.subgraphs[name].http.url, captured);
    expect(response).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: undefined });
    expect(refusals(graph.logs[name], 'signed for another service')).toBe(before + 1);
  });

  it('a call whose target header was changed to the receiver, or removed, fails the signature', async () => {
    const products = graph.subgraphs.products.http.url;
    expect((await replay(products, captured, { headers: { 'x-storefront-target': 'products' } })).status).toBe(401);
    expect((await replay(products, captured, { headers: { 'x-storefront-target': undefined } })).status).toBe(401);
    expect(refusals(graph.logs.products, 'bad signature')).toBeGreaterThanOrEqual(2);
  });

  it('a call sent to another path than the one signed fails the signature', async () => {
    const before = refusals(graph.logs.users, 'bad signature');
    expect((await replay(graph.subgraphs.users.http.url, captured, { path: '/' })).status).toBe(401);
    expect(refusals(graph.logs.users, 'bad signature')).toBe(before + 1);
  });

  it('and the same instance refuses it as a replay', async () => {
    expect((await replay(graph.subgraphs.users.http.url, captured)).status).toBe(401);
    expect(refusals(graph.logs.users, 'replayed signature')).toBeGreaterThanOrEqual(1);
  });
});

describe("an admin's setStock replayed to a second products replica", () => {
  const productId = deterministicId('product', 1);
  const SET_STOCK = `mutation($id: ID!, $stock: Int!) { setStock(productId: $id, stock: $stock) { id stock } }`;
  let captured: Captured;
  beforeAll(async () => {
    const admin = await graph.token(1);
    const next = captureNext(sharedA, '/graphql', (body) => body.includes('setStock'));
    expect((await gql(router.url, SET_STOCK, { id: productId, stock: 777 }, { token: admin })).body.data?.setStock?.stock).toBe(777);
    captured = await next;
    // The admin changes it again: a replay that runs would put 777 back.
    expect((await gql(router.url, SET_STOCK, { id: productId, stock: 3 }, { token: admin })).body.data?.setStock?.stock).toBe(3);
  });

  it('is refused by a replica sharing Redis, and the stock stays as the admin last set it', async () => {
    expect(await replay(sharedB.http.url, captured)).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: undefined });
    expect(await replay(sharedA.http.url, captured)).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: undefined });
    expect(refusals(replicaLogs.productsB!, 'replayed signature')).toBe(1);
    expect(await stockOf(productId)).toBe(3);
  });

  it('runs once on a replica without Redis (the documented window), which then refuses it', async () => {
    const first = await replay(lone.http.url, captured);
    expect(first.status).toBe(200);
    expect(await stockOf(productId)).toBe(777);
    expect((await replay(lone.http.url, captured)).status).toBe(401);
  });
});

describe("orders' reservation call replayed to a second products replica", () => {
  let captured: Captured;
  let orderId: string;
  const rows = async () =>
    Number(((await graph.subgraphs.products.database.dataSource.query('SELECT COUNT(*) AS n FROM reservations')) as { n: number | string }[])[0]!.n);

  beforeAll(async () => {
    const next = captureNext(sharedA, '/internal/reservations');
    const placed = await gql(
      router.url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
      { input: { items: [{ productId: deterministicId('product', 2), quantity: 1 }], idempotencyKey: randomUUID() } },
      { token: await graph.token(3) },
    );
    expect(placed.body.data?.placeOrder?.status).toBe('CONFIRMED');
    orderId = placed.body.data!.placeOrder.id;
    captured = await next;
    expect(captured.headers['x-storefront-service']).toBe('orders');
    expect(captured.headers['x-storefront-target']).toBe('products');
  });

  it('is refused by a replica sharing Redis: no reservation is created or answered', async () => {
    const before = await rows();
    const response = await replay(sharedB.http.url, captured);
    expect(response).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: undefined });
    expect(await rows()).toBe(before);
    expect(JSON.parse(captured.body).orderId).toBe(orderId);
  });

  it('is refused by another service, and by products when signed by a caller the route does not serve', async () => {
    expect((await replay(graph.subgraphs.reviews.http.url, captured)).status).toBe(401);
    // The router's own signature for products, replayed at the reservation path: wrong path and caller.
    const next = captureNext(sharedA, '/graphql');
    await gql(router.url, `{ product(id: "${deterministicId('product', 3)}") { id } }`);
    const routerCall = await next;
    expect((await replay(sharedB.http.url, routerCall, { path: '/internal/reservations' })).status).toBe(401);
  });
});

describe('the start-up log says what the replay window is', () => {
  it('a production subgraph without REDIS_URL warns that nonces are per replica; one with Redis does not', () => {
    const warned = (lines: LogLine[]) => lines.some((line) => typeof line.msg === 'string' && line.msg.startsWith('REDIS_URL is unset'));
    expect(warned(graph.logs.products)).toBe(true);
    expect(warned(replicaLogs.productsLone!)).toBe(true);
    expect(warned(replicaLogs.productsA!)).toBe(false);
  });
});
