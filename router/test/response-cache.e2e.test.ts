import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger, deterministicId, parseEnv } from '@storefront/kit';
import { errorCodes, gql, startTcpProxy, waitFor, type GraphQLResponse, type TcpProxy } from '@storefront/testing';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';
import { startTestSupergraph, TEST_SERVICE_SECRET, type SubgraphName, type TestSupergraph } from './harness';

const NAMES: SubgraphName[] = ['users', 'products', 'reviews', 'orders'];

let graph: TestSupergraph;
const extraRouters: RunningRouter[] = [];
const proxies: TcpProxy[] = [];
let requests = 0;

beforeAll(async () => {
  graph = await startTestSupergraph('rcache', { routerEnv: { RESPONSE_CACHE: 'true' } });
  for (const name of NAMES) graph.subgraphs[name].http.server.on('request', () => (requests += 1));
});

afterAll(async () => {
  await Promise.all(extraRouters.map((router) => router.close()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await graph?.close();
});

/** Another router on the same subgraphs, with the response cache on and more environment. */
async function anotherRouter(env: Record<string, string>): Promise<RunningRouter> {
  const router = await startRouter(
    parseEnv(envSchema, {
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      JWT_PUBLIC_KEY: graph.keys.publicKeyPem,
      SERVICE_SECRET: TEST_SERVICE_SECRET,
      RESPONSE_CACHE: 'true',
      ...env,
    }),
    createLogger('router', 'silent'),
    Object.fromEntries(NAMES.map((name) => [name, graph.subgraphs[name].url])),
  );
  extraRouters.push(router);
  return router;
}

/** Runs `send` and reports how many subgraph requests and SQL statements it caused. */
async function measured(send: () => Promise<GraphQLResponse>) {
  const [requestsBefore, statementsBefore] = [requests, graph.statements()];
  const response = await send();
  return { response, requests: requests - requestsBefore, statements: graph.statements() - statementsBefore };
}

const xCache = (response: GraphQLResponse) => response.headers.get('x-cache');
const cacheControl = (response: GraphQLResponse) => response.headers.get('cache-control');

/** A query text no earlier run has cached (Redis outlives test runs): a random alias. */
const fresh = (query: string) => query.replace('{', `{ run${randomBytes(4).toString('hex')}: __typename `);

const token = (n: number) => graph.keys.token({ userId: deterministicId('user', n), roles: n === 1 ? ['admin'] : [] });

const LISTING = `query Listing($first: Int) {
  products(first: $first) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id sku name price { amountCents currency } shippingEstimate { amountCents currency } averageRating reviewCount
      reviews(first: 2) { edges { node { rating author { name } } } } } } }
}`;

describe('subgraph cache hints', () => {
  it('subgraphs send Cache-Control from their @cacheControl hints, for root fields and _entities fetches alike', async () => {
    const listing = await gql(graph.subgraphs.products.url, '{ products(first: 2) { edges { node { name price { amountCents } } } } }');
    expect(cacheControl(listing)).toBe('max-age=30, public');
    const entities = await gql(
      graph.subgraphs.reviews.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviewCount averageRating } } }',
      { r: [{ __typename: 'Product', id: deterministicId('product', 1) }] },
    );
    expect(entities.body.errors).toBeUndefined();
    expect(cacheControl(entities)).toBe('max-age=10, public');
    const stock = await gql(graph.subgraphs.products.url, '{ products(first: 2) { edges { node { name stock } } } }');
    expect(cacheControl(stock)).toBe('no-store');
    const email = await gql(graph.subgraphs.users.url, `{ user(id: "${deterministicId('user', 2)}") { name email } }`);
    expect(cacheControl(email)).toBe('max-age=60, private');
  });
});

describe('the response cache', () => {
  it('answers a repeated public catalog query from the cache, without asking any subgraph', async () => {
    const first = await measured(() => gql(graph.router.url, LISTING, { first: 5 }));
    expect(first.response.body.errors).toBeUndefined();
    expect(xCache(first.response)).toBe('MISS');
    expect(first.requests).toBeGreaterThan(0);
    // The shortest hint wins: reviews and ratings (10 s) under the catalogue (30 s).
    expect(cacheControl(first.response)).toBe('max-age=10, public');

    const second = await measured(() => gql(graph.router.url, LISTING, { first: 5 }));
    expect(xCache(second.response)).toBe('HIT');
    expect(second.response.body).toEqual(first.response.body);
    expect({ requests: second.requests, statements: second.statements }).toEqual({ requests: 0, statements: 0 });
    expect(cacheControl(second.response)).toBe('max-age=10, public');
    expect(Number(second.response.headers.get('age'))).toBeGreaterThanOrEqual(0);

    // Other variables are another answer.
    expect(xCache(await gql(graph.router.url, LISTING, { first: 6 }))).toBe('MISS');
  });

  it('shares a public answer between anonymous and signed-in callers, and tells HTTP caches a signed-in answer is private', async () => {
    const query = fresh(LISTING);
    expect(xCache(await gql(graph.router.url, query, { first: 3 }))).toBe('MISS');
    const signedIn = await measured(async () => gql(graph.router.url, query, { first: 3 }, { token: await token(4) }));
    expect(xCache(signedIn.response)).toBe('HIT');
    expect(signedIn.requests).toBe(0);
    expect(cacheControl(signedIn.response)).toBe('max-age=10, private');
  });

  it('keeps an answer no longer than its max-age: after it, the subgraphs are asked again and a change shows', async () => {
    // The hints say 10 s; the cap makes this router keep answers 2 s.
    const router = await anotherRouter({ RESPONSE_CACHE_MAX_AGE_SECONDS: '2' });
    const productId = deterministicId('product', 7);
    const query = `query Count($id: ID!) { product(id: $id) { id reviewCount } }`;
    const before = await gql(router.url, query, { id: productId });
    expect(xCache(before)).toBe('MISS');
    const count = before.body.data!.product.reviewCount as number;

    const review = await gql(
      router.url,
      `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`,
      { input: { productId, rating: 4, body: 'Cached, then fresh' } },
      { token: await graph.keys.token({ userId: randomUUID() }) },
    );
    expect(review.body.errors).toBeUndefined();
    // Within its max-age the cached answer is served as it was: the cache is real.
    const cached = await gql(router.url, query, { id: productId });
    expect(xCache(cached)).toBe('HIT');
    expect(cached.body.data!.product.reviewCount).toBe(count);

    let after: GraphQLResponse | undefined;
    await waitFor(async () => {
      after = await gql(router.url, query, { id: productId });
      return xCache(after) === 'MISS';
    }, 'the cached answer to expire');
    expect(after!.body.data!.product.reviewCount).toBe(count + 1);
  });

  it("never serves one user's private data to another user or to an anonymous caller", async () => {
    const me = `query Me { me { id name email } }`;
    const a = await gql(graph.router.url, me, {}, { token: await token(2) });
    expect(a.body.data!.me).toMatchObject({ id: deterministicId('user', 2), email: expect.stringContaining('@') });
    expect(xCache(a)).toBe('MISS');
    expect(cacheControl(a)).toBe('max-age=60, private');
    // The same user again: their own entry.
    const again = await measured(async () => gql(graph.router.url, me, {}, { token: await token(2) }));
    expect(xCache(again.response)).toBe('HIT');
    expect(again.response.body).toEqual(a.body);
    expect(again.requests).toBe(0);

    // Another user gets their own data, from the subgraphs.
    const b = await measured(async () => gql(graph.router.url, me, {}, { token: await token(3) }));
    expect(xCache(b.response)).toBe('MISS');
    expect(b.requests).toBeGreaterThan(0);
    expect(b.response.body.data!.me).toMatchObject({ id: deterministicId('user', 3) });
    expect(b.response.body.data!.me.email).not.toBe(a.body.data!.me.email);

    // Anonymous: never A's entry, and a private answer to an anonymous caller is not kept at all.
    for (let i = 0; i < 2; i++) {
      const anonymous = await gql(graph.router.url, me);
      expect(anonymous.body).toEqual({ data: { me: null } });
      expect(xCache(anonymous)).toBe('MISS');
    }

    // Someone else's email, read by a user: private to the reader, so keyed by them.
    const email = `query Email($id: ID!) { user(id: $id) { name email } }`;
    const own = await gql(graph.router.url, email, { id: deterministicId('user', 2) }, { token: await token(2) });
    expect(own.body.data!.user.email).toBe(a.body.data!.me.email);
    const other = await gql(graph.router.url, email, { id: deterministicId('user', 2) }, { token: await token(3) });
    expect(xCache(other)).toBe('MISS');
    expect(other.body.data!.user.email).toBeNull();
    const anonymous = await gql(graph.router.url, email, { id: deterministicId('user', 2) });
    expect(xCache(anonymous)).toBe('MISS');
    expect(anonymous.body.data!.user.email).toBeNull();
  });

  it("never caches an order: its buyer is asked every time, and another user never gets it", async () => {
    // Order 2 of the demo set is user 2's.
    const query = `query Order($id: ID!) { order(id: $id) { id status buyer { id } total { amountCents } } }`;
    const variables = { id: deterministicId('order', 2) };
    const buyer = await gql(graph.router.url, query, variables, { token: await token(2) });
    expect(buyer.body.data!.order).toMatchObject({ id: variables.id, buyer: { id: deterministicId('user', 2) } });
    expect(cacheControl(buyer)).toBe('no-store');
    const again = await measured(async () => gql(graph.router.url, query, variables, { token: await token(2) }));
    expect(xCache(again.response)).toBe('MISS');
    expect(again.requests).toBeGreaterThan(0);

    const other = await gql(graph.router.url, query, variables, { token: await token(3) });
    expect(xCache(other)).toBe('MISS');
    expect(other.body.data?.order ?? null).toBeNull();
    const anonymous = await gql(graph.router.url, query, variables);
    expect(xCache(anonymous)).toBe('MISS');
    expect(anonymous.body.data?.order ?? null).toBeNull();
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('never shares an entry between callers whose authorization outcomes differ', async () => {
    // Anonymous callers may not read User.orders, so the guard takes it out of this document (the
    // other operation's): their answer to Listing has no error and is cached, under their outcome.
    const body = (first: number) =>
      JSON.stringify({
        query: fresh(`query Listing($first: Int) { products(first: $first) { totalCount } } query Mine { me { orders { totalCount } } }`),
        operationName: 'Listing',
        variables: { first },
      });
    const post = async (payload: string, authorization?: string) => {
      const response = await fetch(graph.router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization: `Bearer ${authorization}` } : {}) },
        body: payload,
      });
      return { cache: response.headers.get('x-cache'), body: (await response.json()) as unknown };
    };
    const payload = body(2);
    const anonymous = await post(payload);
    expect(anonymous).toEqual({ cache: 'MISS', body: { data: expect.objectContaining({ products: { totalCount: 50 } }) } });
    expect((await post(payload)).cache).toBe('HIT');
    // Signed in, nothing is taken out: another outcome, another entry, shared by the signed-in.
    expect((await post(payload, await token(5))).cache).toBe('MISS');
    expect((await post(payload, await token(6))).cache).toBe('HIT');
  });

  it.each([
    // A subgraph's error: that subgraph also says no-store.
    ['a subgraph error', `query Partial($id: ID!) { products(first: 1) { totalCount } user(id: $id) { name } }`, 'nobody', 'NOT_FOUND'],
    // The router's own: what the subgraphs answered is cacheable, the denied field's error is not.
    [
      'an authorization error',
      `query Denied($id: ID!) { products(first: 1) { totalCount } user(id: $id) { name orders { totalCount } } }`,
      deterministicId('user', 2),
      'UNAUTHENTICATED',
    ],
  ])('never caches an answer with errors, even one with data: %s', async (_label, query, id, code) => {
    for (let i = 0; i < 2; i++) {
      const attempt = await measured(() => gql(graph.router.url, query, { id }));
      expect(attempt.response.body.data!.products.totalCount).toBe(50);
      expect(errorCodes(attempt.response)).toEqual([code]);
      expect(xCache(attempt.response)).toBe('MISS');
      expect(cacheControl(attempt.response)).toBe('no-store');
      expect(attempt.requests).toBeGreaterThan(0);
    }
  });

  it('never caches a mutation, and says no-store for it', async () => {
    const admin = await token(1);
    const setStock = `mutation Restock($id: ID!) { setStock(productId: $id, stock: 40) { id name price { amountCents } } }`;
    for (let i = 0; i < 2; i++) {
      const attempt = await measured(() => gql(graph.router.url, setStock, { id: deterministicId('product', 9) }, { token: admin }));
      expect(attempt.response.body.errors).toBeUndefined();
      expect(attempt.requests).toBeGreaterThan(0);
      expect(xCache(attempt.response)).toBeNull();
      expect(cacheControl(attempt.response)).toBe('no-store');
    }
  });

  it('counts hits and misses in /metrics', async () => {
    const metrics = await (await fetch(`${graph.router.url.replace(/\/graphql$/, '')}/metrics`)).text();
    expect(metrics).toMatch(/^response_cache_hits_total\{[^}]*scope="public"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^response_cache_hits_total\{[^}]*scope="private"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^response_cache_misses_total\{[^}]*\} [1-9]/m);
  });
});

describe('the response cache in Redis', () => {
  it('is shared by router replicas: a second router answers from the first one’s entry', async () => {
    const [one, two] = [await anotherRouter({ REDIS_URL: 'redis://127.0.0.1:6379' }), await anotherRouter({ REDIS_URL: 'redis://127.0.0.1:6379' })];
    const query = fresh(LISTING);
    const first = await gql(one.url, query, { first: 4 });
    expect(xCache(first)).toBe('MISS');
    const second = await measured(() => gql(two.url, query, { first: 4 }));
    expect(xCache(second.response)).toBe('HIT');
    expect(second.requests).toBe(0);
    expect(second.response.body).toEqual(first.body);
  });

  it('turns hits into misses while Redis is down, and never fails a request for it', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    proxies.push(proxy);
    const router = await anotherRouter({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    const query = fresh(LISTING);
    expect(xCache(await gql(router.url, query, { first: 2 }))).toBe('MISS');
    expect(xCache(await gql(router.url, query, { first: 2 }))).toBe('HIT');

    proxy.cut();
    for (let i = 0; i < 3; i++) {
      const during = await measured(() => gql(router.url, query, { first: 2 }));
      expect(during.response.status).toBe(200);
      expect(during.response.body.errors).toBeUndefined();
      expect(during.response.body.data!.products.edges).toHaveLength(2);
      expect(xCache(during.response)).toBe('MISS');
      expect(during.requests).toBeGreaterThan(0);
    }
    const metrics = await (await fetch(`${router.url.replace(/\/graphql$/, '')}/metrics`)).text();
    expect(metrics).toMatch(/^response_cache_errors_total\{[^}]*operation="get"[^}]*\} [1-9]/m);

    // Back: answers are stored and served again once the connection is.
    proxy.restore();
    await waitFor(async () => xCache(await gql(router.url, query, { first: 2 })) === 'HIT', 'hits after redis is back');
  });
});
