/**
 * The security suite, part 2: the production posture of the router (NODE_ENV=production) and what
 * clients can send it. Every test tries an attack and asserts the code that comes back and that
 * nothing leaked, reached a subgraph when it should not, or changed in any database.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicId } from '@storefront/kit';
import { gql, type GraphQLResponse } from '@storefront/testing';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLNamedType,
} from 'graphql';
import type { RunningRouter } from '../src/server';
import { asClient, clientAddress, codes, LEAKS, sha256, snapshot, startSecureGraph, type SecureGraph } from './security-harness';

const ROOT = join(__dirname, '..', '..');

// Whole-graph start-up and the injection battery outlast jest's 5 s default on a loaded machine.
jest.setTimeout(60_000);

let graph: SecureGraph;
let url: string;
let admin: string;
let shopper: string;

beforeAll(async () => {
  graph = await startSecureGraph('sec_posture');
  url = graph.router.url;
  admin = await graph.token(1);
  shopper = await graph.token(3);
});

afterAll(async () => {
  await graph?.close();
});

/** Sends a body as is (for bodies `gql` would not produce). */
const raw = (target: string, init: RequestInit) => fetch(target, { method: 'POST', ...init });

describe('production posture', () => {
  it.each([
    ['__schema', `{ __schema { types { name fields { name } } } }`],
    ['__type', `{ __type(name: "Order") { fields { name } } }`],
  ])('refuses introspection (%s) with 400 GRAPHQL_VALIDATION_FAILED', async (_label, query) => {
    const response = await gql(url, query);
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.data).toBeUndefined();
  });

  it('serves no landing page to a browser', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await page.text()).not.toMatch(/<html|sandbox/i);
  });

  it('refuses a CORS preflight from an origin not on CORS_ORIGINS (403, no allow-origin), and allows a listed one', async () => {
    const preflight = (origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });
    const evil = await preflight('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const shop = await preflight('https://shop.example.com');
    expect(shop.status).toBe(204);
    expect(shop.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    // Even a request sent anyway gets no header that would let the browser hand the answer to the page.
    const sent = await gql(url, `{ products(first: 1) { totalCount } }`, {}, { headers: { origin: 'https://evil.example' } });
    expect(sent.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('blocks CSRF: a form-style text/plain mutation (with the admin cookie-like token) and a plain GET query are refused, nothing changes', async () => {
    const before = await snapshot(graph);
    const form = await raw(url, {
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: `mutation { setStock(productId: "${deterministicId('product', 2)}", stock: 0) { stock } }` }),
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${url}?query=${encodeURIComponent('{ me { email } }')}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(get.status).toBe(400);
    expect(await snapshot(graph)).toEqual(before);
  });

  it('refuses a body over 1 MB with 413 before reading it all', async () => {
    const response = await raw(url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ products { totalCount } }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('masks a failure inside a subgraph (here: its table is gone) and logs it in full with the request id', async () => {
    const db = graph.subgraphs.reviews.database.dataSource;
    await db.query('RENAME TABLE reviews TO reviews_hidden');
    let response: GraphQLResponse;
    try {
      response = await gql(url, `{ products(first: 2) { totalCount edges { node { name reviewCount } } } }`, {}, { headers: { 'x-request-id': 'sec-mask-1' } });
    } finally {
      await db.query('RENAME TABLE reviews_hidden TO reviews');
    }
    expect(response.body.data!.products.totalCount).toBe(50);
    expect(response.body.data!.products.edges[0].node.reviewCount).toBeNull();
    expect(new Set(codes(response))).toEqual(new Set(['INTERNAL_SERVER_ERROR']));
    for (const error of response.body.errors!) expect(error.message).toBe('Internal server error');
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(LEAKS);
    expect(text).not.toContain('reviews_hidden');
    expect(text).not.toContain(graph.databases.reviews.name);
    // The full error, SQL and all, is in the subgraph's log under the same request id.
    const logged = graph.logs.reviews.filter((line) => line.requestId === 'sec-mask-1' && line.level >= 50);
    expect(JSON.stringify(logged)).toMatch(/doesn't exist|ER_NO_SUCH_TABLE/);
    expect(graph.logs.router.some((line) => line.requestId === 'sec-mask-1' && line.level >= 50)).toBe(true);
  });

  it('names a subgraph that cannot be reached, never its address', async () => {
    const router = await graph.startRouter({}, { reviews: 'http://127.0.0.1:9/graphql' });
    const response = await gql(router.url, `{ products(first: 1) { edges { node { name reviewCount } } } }`);
    expect(response.body.data!.products.edges[0].node.name).toEqual(expect.any(String));
    expect(response.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' } })]);
    expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|:9\b|ECONNREFUSED/);
  });
});

describe('operation limits, refused before planning', () => {
  const deep = (levels: number) => {
    let selection = 'id';
    for (let i = 0; i < levels; i++) selection = i % 2 === 0 ? `author { reviews { ${selection} } }` : `product { reviews(first: 1) { edges { node { ${selection} } } } }`;
    return `{ review(id: "${deterministicId('review', 1)}") { ${selection} } }`;
  };
  const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: products(first: 1) { totalCount }`).join(' ');
  const directives = `{ products(first: 1) { ${Array.from({ length: 100 }, () => 'totalCount @include(if: true)').join(' ')} } }`;
  const rootFields = `{ ${Array.from({ length: 25 }, (_, i) => `p${i}: product(id: "${i}") { id }`).join(' ')} }`;
  const cost = `{ products(first: 100) { edges { node { reviews(first: 100) { edges { node { author { reviews { product { name } } } } } } } } } }`;
  // Each fragment spreads the next twice: 2^20 fields once expanded, from a few hundred bytes.
  const fragmentBomb = `{ products(first: 1) { edges { node { ...F0 } } } } ${Array.from({ length: 20 }, (_, i) => `fragment F${i} on Product { reviews(first: 1) { edges { node { product { ...F${i + 1} ...F${i + 1} } } } } }`).join(' ')} fragment F20 on Product { name }`;
  const tokens = `{ products(first: 1) { ${'totalCount '.repeat(6000)}} }`;

  it.each([
    ['a depth bomb', deep(12), 'depth'],
    ['an alias bomb', `{ ${aliases} }`, 'aliases'],
    ['a root-field flood', rootFields, 'rootFields'],
    ['a directive flood', directives, 'directives'],
    ['a cost bomb of nested lists', cost, 'cost'],
    ['a fragment bomb', fragmentBomb, 'depth'],
  ])('refuses %s with 400 GRAPHQL_VALIDATION_FAILED naming the limit, and asks no subgraph', async (_label, query, limit) => {
    const before = graph.requests();
    const response = await gql(url, query);
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors![0]!.extensions).toMatchObject({ limit });
    expect(response.body.errors![0]!.message).toMatch(/over this router's limit of \d+/);
    expect(response.body.data).toBeUndefined();
    expect(graph.requests()).toEqual(before);
  });

  it('refuses a token flood before parsing it, with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const before = graph.requests();
    const response = await gql(url, tokens);
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors![0]!.message).toMatch(/more than 5000 tokens/);
    expect(graph.requests()).toEqual(before);
  });

  it('still serves the storefront query at 50 products (limits leave real clients alone)', async () => {
    const response = await gql(url, `{ products(first: 50) { edges { node { sku reviews(first: 3) { edges { node { rating author { name reviews { product { name } } } } } } } } } }`);
    expect(response.body.errors).toBeUndefined();
  });

  it('takes each limit from the environment', async () => {
    const strict = await graph.startRouter({ MAX_DEPTH: '3', MAX_COST: '50' });
    const deepish = `{ me { reviews { product { name } } } }`;
    const costly = `{ products(first: 50) { edges { node { name } } } }`;
    expect(codes(await gql(strict.url, deepish))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await gql(strict.url, costly))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await gql(url, deepish)).body.errors).toBeUndefined();
    expect((await gql(url, costly)).body.errors).toBeUndefined();
  });
});

describe('persisted operations', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'persisted-operations.json'), 'utf8')) as { operations: { id: string; name: string; body: string }[] };
  const listing = manifest.operations.find((o) => o.name === 'ProductListing')!;
  const byHash = (target: string, id: string, variables: Record<string, unknown> = {}) =>
    raw(target, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }) });
  const OFF_LIST = `{ products(first: 3) { edges { node { name stock } } } }`;
  let enforcing: RunningRouter;

  beforeAll(async () => {
    enforcing = await graph.startRouter({ PERSISTED_OPERATIONS: 'enforce' });
  });

  it('runs automatic persisted queries by default: an unknown hash is PERSISTED_QUERY_NOT_FOUND until the client registers it', async () => {
    const query = `{ products(first: 2) { totalCount } }`;
    const miss = await byHash(url, sha256(query));
    expect(((await miss.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const wrongHash = await raw(url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } } }) });
    expect(wrongHash.status).toBe(400);
    const register = await raw(url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } }) });
    expect(((await register.json()) as { data: unknown }).data).toEqual({ products: { totalCount: 50 } });
    const hit = await byHash(url, sha256(query));
    expect(((await hit.json()) as { data: unknown }).data).toEqual({ products: { totalCount: 50 } });
  });

  it('in safelist mode runs a manifest operation by id, by its text, or by its whole file and name', async () => {
    const hit = await byHash(enforcing.url, listing.id, { first: 2 });
    expect(((await hit.json()) as { data: { products: { edges: unknown[] } } }).data.products.edges).toHaveLength(2);
    expect((await gql(enforcing.url, listing.body, { first: 1 })).body.data!.products.edges).toHaveLength(1);
    const file = readFileSync(join(ROOT, 'schema', 'operations', 'storefront', 'product-page.graphql'), 'utf8');
    const page = await raw(enforcing.url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: file, operationName: 'ProductPage', variables: { sku: 'SKU-00001' } }) });
    expect(((await page.json()) as { data: { productBySku: { sku: string } } }).data.productBySku.sku).toBe('SKU-00001');
  });

  it('in safelist mode refuses any other operation with PERSISTED_QUERY_NOT_FOUND, and cannot be taught one', async () => {
    const before = graph.requests();
    const text = await gql(enforcing.url, OFF_LIST);
    expect(text.status).toBe(400);
    expect(codes(text)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const register = await raw(enforcing.url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: OFF_LIST, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(OFF_LIST) } } }),
    });
    expect(register.status).toBe(400);
    const again = await byHash(enforcing.url, sha256(OFF_LIST));
    expect(((await again.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // A listed operation with one field more is another operation.
    const widened = await gql(enforcing.url, listing.body.replace('reviewCount', 'reviewCount stock'), { first: 1 });
    expect(codes(widened)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(graph.requests()).toEqual(before);
  });
});

describe('rate limiting per client, and state shared by replicas through Redis', () => {
  const QUERY = `{ products(first: 1) { totalCount } }`;
  let replicas: RunningRouter[];

  beforeAll(async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' };
    replicas = [await graph.startRouter(env), await graph.startRouter(env)];
  });

  it('shares one budget across router replicas through Redis: the 6th request of 5 allowed gets 429 RATE_LIMITED', async () => {
    const address = clientAddress();
    for (let i = 0; i < 5; i++) expect((await asClient(replicas[i % 2]!.url, address, QUERY)).body.errors).toBeUndefined();
    const before = graph.requests();
    const limited = await asClient(replicas[1]!.url, address, QUERY);
    expect(limited.status).toBe(429);
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.data).toBeUndefined();
    expect(graph.requests()).toEqual(before);
    // A signed-in client is counted by its user, not its (shared) address.
    const token = await graph.keys.token({ userId: randomUUID() });
    expect((await asClient(replicas[0]!.url, address, QUERY, {}, token)).status).toBe(200);
    // Other clients are not affected.
    expect((await asClient(replicas[0]!.url, clientAddress(), QUERY)).status).toBe(200);
  });

  it('shares automatic persisted queries: registered on one replica, served by id on the other', async () => {
    // A text no earlier run registered, so the first lookup really misses.
    const query = `{ products(first: 1) { r${randomUUID().slice(0, 8)}: totalCount } }`;
    const apq = async (target: string, withText: boolean) => {
      const response = await raw(target, {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress() },
        body: JSON.stringify({ ...(withText ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } }),
      });
      return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    };
    expect((await apq(replicas[1]!.url, false)).errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await apq(replicas[0]!.url, true)).data).toBeDefined();
    expect((await apq(replicas[1]!.url, false)).errors).toBeUndefined();
  });

  it('still limits, per replica, when Redis cannot be reached', async () => {
    const router = await graph.startRouter({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    const address = clientAddress();
    for (let i = 0; i < 3; i++) expect((await asClient(router.url, address, QUERY)).status).toBe(200);
    expect(codes(await asClient(router.url, address, QUERY))).toEqual(['RATE_LIMITED']);
  });
});

describe('SQL injection and oversized strings in every string argument', () => {
  const api = buildSchema(readFileSync(join(ROOT, 'schema', 'api.graphql'), 'utf8'));
  const INJECTIONS = [
    `' OR '1'='1`,
    `1'; DROP TABLE products; -- `,
    `" OR ""="`,
    `x' UNION SELECT email, passwordHash FROM users -- `,
    `'); SELECT SLEEP(10); -- `,
    `\\'; DELETE FROM orders WHERE '1'='1`,
  ];
  const OVERSIZED = 'A'.repeat(100_000);
  const P = deterministicId('product', 5);

  type Caller = 'admin' | 'shopper' | 'anonymous';
  interface Case {
    coordinate: string;
    caller: Caller;
    query: string;
    variables: (value: string, i: number) => Record<string, unknown>;
    /**
     * A mutation: the table a success adds a row to, every table it may change, whether any text is
     * valid there (so payloads must be stored), and how to read the stored value back.
     */
    writes?: { table: string; touches: string[]; freeText?: boolean; stored?: (data: Record<string, unknown>) => unknown; trims?: boolean };
  }

  const USERS = { table: 'users.users', touches: ['users.users'] };
  const PRODUCTS = { table: 'products.products', touches: ['products.products'] };
  const REVIEWS = { table: 'reviews.reviews', touches: ['reviews.reviews'] };
  const ORDERS = { table: 'orders.orders', touches: ['orders.orders', 'orders.order_items', 'products.products', 'products.reservations'] };
  const newSku = () => `INJ-${randomUUID().slice(0, 8)}`;
  const product = (extra: Record<string, unknown>) => ({ i: { sku: newSku(), name: 'N', priceCents: 1, stock: 1, weightGrams: 1, ...extra } });
  const signUp = (extra: Record<string, unknown>) => ({ i: { name: 'Eve', email: `${randomUUID()}@example.com`, password: 'long-enough-password', ...extra } });
  const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { user { name } } }`;
  const CREATE_PRODUCT = `mutation($i: CreateProductInput!) { createProduct(input: $i) { name description } }`;
  const ADD_REVIEW = `mutation($i: AddReviewInput!) { addReview(input: $i) { body } }`;
  const PLACE_ORDER = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }`;
  const data = <T>(d: Record<string, unknown>, field: string) => d[field] as T;

  const CASES: Case[] = [
    { coordinate: 'Query.order(id)', caller: 'shopper', query: `query($v: ID!) { order(id: $v) { id } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.product(id)', caller: 'anonymous', query: `query($v: ID!) { product(id: $v) { id } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.productBySku(sku)', caller: 'anonymous', query: `query($v: String!) { productBySku(sku: $v) { id } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.products(after)', caller: 'anonymous', query: `query($v: String) { products(first: 2, after: $v) { totalCount } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.products(search)', caller: 'anonymous', query: `query($v: String) { products(first: 2, search: $v) { edges { node { name } } } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.review(id)', caller: 'anonymous', query: `query($v: ID!) { review(id: $v) { id } }`, variables: (v) => ({ v }) },
    { coordinate: 'Query.user(id)', caller: 'shopper', query: `query($v: ID!) { user(id: $v) { id email } }`, variables: (v) => ({ v }) },
    { coordinate: 'User.orders(after)', caller: 'admin', query: `query($v: String) { me { orders(first: 2, after: $v) { totalCount } } }`, variables: (v) => ({ v }) },
    {
      coordinate: 'Product.reviews(after)',
      caller: 'anonymous',
      query: `query($v: String) { product(id: "${P}") { reviews(first: 2, after: $v) { totalCount } } }`,
      variables: (v) => ({ v }),
    },
    {
      coordinate: 'Mutation.logIn(email)',
      caller: 'anonymous',
      query: `mutation($v: String!) { logIn(email: $v, password: "whatever-password") { token } }`,
      variables: (v) => ({ v }),
    },
    {
      coordinate: 'Mutation.logIn(password)',
      caller: 'anonymous',
      query: `mutation($v: String!, $e: String!) { logIn(email: $e, password: $v) { token } }`,
      // A different account each time, so the per-account log-in limit stays out of the way.
      variables: (v, i) => ({ v, e: `user${2 + (i % 9)}@example.com` }),
    },
    { coordinate: 'Mutation.setStock(productId)', caller: 'admin', query: `mutation($v: ID!) { setStock(productId: $v, stock: 1) { id } }`, variables: (v) => ({ v }) },
    { coordinate: 'Mutation.cancelOrder(id)', caller: 'shopper', query: `mutation($v: ID!) { cancelOrder(id: $v) { id } }`, variables: (v) => ({ v }) },
    {
      coordinate: 'Mutation.signUp(input.name)',
      caller: 'anonymous',
      query: SIGN_UP,
      variables: (v) => signUp({ name: v }),
      writes: { ...USERS, freeText: true, stored: (d) => data<{ user: { name: string } }>(d, 'signUp').user.name, trims: true },
    },
    { coordinate: 'Mutation.signUp(input.email)', caller: 'anonymous', query: SIGN_UP, variables: (v) => signUp({ email: v }), writes: USERS },
    { coordinate: 'Mutation.signUp(input.password)', caller: 'anonymous', query: SIGN_UP, variables: (v) => signUp({ password: v }), writes: { ...USERS, freeText: true } },
    { coordinate: 'Mutation.createProduct(input.sku)', caller: 'admin', query: CREATE_PRODUCT, variables: (v) => product({ sku: v }), writes: PRODUCTS },
    {
      coordinate: 'Mutation.createProduct(input.name)',
      caller: 'admin',
      query: CREATE_PRODUCT,
      variables: (v) => product({ name: v }),
      writes: { ...PRODUCTS, freeText: true, stored: (d) => data<{ name: string }>(d, 'createProduct').name, trims: true },
    },
    {
      coordinate: 'Mutation.createProduct(input.description)',
      caller: 'admin',
      query: CREATE_PRODUCT,
      variables: (v) => product({ description: v }),
      writes: { ...PRODUCTS, freeText: true, stored: (d) => data<{ description: string }>(d, 'createProduct').description },
    },
    { coordinate: 'Mutation.createProduct(input.currency)', caller: 'admin', query: CREATE_PRODUCT, variables: (v) => product({ currency: v }), writes: PRODUCTS },
    {
      coordinate: 'Mutation.addReview(input.productId)',
      caller: 'shopper',
      query: ADD_REVIEW,
      // reviews asks products whether the product exists (signed lookup): none of these ids is one,
      // so each is refused with BAD_USER_INPUT and nothing is stored.
      variables: (v) => ({ i: { productId: v, rating: 3, body: 'ok' } }),
      writes: REVIEWS,
    },
    {
      coordinate: 'Mutation.addReview(input.body)',
      caller: 'shopper',
      query: ADD_REVIEW,
      variables: (v, i) => ({ i: { productId: deterministicId('product', 20 + i), rating: 3, body: v } }),
      writes: { ...REVIEWS, freeText: true, stored: (d) => data<{ body: string }>(d, 'addReview').body, trims: true },
    },
    {
      coordinate: 'Mutation.placeOrder(input.items.productId)',
      caller: 'shopper',
      query: PLACE_ORDER,
      variables: (v) => ({ i: { items: [{ productId: v, quantity: 1 }], idempotencyKey: randomUUID() } }),
      writes: ORDERS,
    },
    {
      coordinate: 'Mutation.placeOrder(input.idempotencyKey)',
      caller: 'shopper',
      query: PLACE_ORDER,
      variables: (v) => ({ i: { items: [{ productId: deterministicId('product', 7), quantity: 1 }], idempotencyKey: v } }),
      writes: { ...ORDERS, freeText: true },
    },
  ];

  /** Every String/ID argument of the API, through input objects and lists: `Type.field(arg.path)`. */
  function stringArguments(): string[] {
    const found: string[] = [];
    const walk = (prefix: string, type: GraphQLInputType, seen: Set<string>) => {
      const named: GraphQLNamedType = getNamedType(type);
      if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) found.push(`${prefix})`);
      if (isInputObjectType(named) && !seen.has(named.name)) {
        for (const field of Object.values(named.getFields())) walk(`${prefix}.${field.name}`, field.type, new Set([...seen, named.name]));
      }
    };
    for (const type of Object.values(api.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) for (const arg of field.args) walk(`${type.name}.${field.name}(${arg.name}`, arg.type, new Set());
    }
    return found.sort();
  }

  const tokenOf = (caller: Caller) => (caller === 'admin' ? admin : caller === 'shopper' ? shopper : undefined);
  const ALLOWED = /^(BAD_USER_INPUT|NOT_FOUND|UNAUTHENTICATED|CONFLICT|RATE_LIMITED)$/;

  async function attempt(testCase: Case, value: string, i: number) {
    const started = performance.now();
    const response = await asClient(url, clientAddress(), testCase.query, testCase.variables(value, i), tokenOf(testCase.caller));
    const elapsed = performance.now() - started;
    const label = `${testCase.coordinate} with ${value.length > 60 ? `${value.length} characters` : JSON.stringify(value)}`;
    expect({ label, status: response.status }).toEqual({ label, status: 200 });
    for (const error of response.body.errors ?? []) {
      expect({ label, code: error.extensions?.code }).toEqual({ label, code: expect.stringMatching(ALLOWED) });
      // The value may be echoed back ("Product \"…\" was not found"); anything else SQL-like is a leak.
      expect({ label, message: error.message.split(value).join('') }).toEqual({ label, message: expect.not.stringMatching(LEAKS) });
    }
    // SLEEP(10) never ran (the margin absorbs a loaded machine).
    expect({ label, slow: elapsed > 8000 }).toEqual({ label, slow: false });
    return response;
  }

  it('covers every String and ID argument of the API, nested input fields included', () => {
    expect(CASES.map((c) => c.coordinate).sort()).toEqual(stringArguments());
  });

  const readCases = CASES.filter((c) => !c.writes).map((c) => [c.coordinate, c] as const);
  const writeCases = CASES.filter((c) => c.writes).map((c) => [c.coordinate, c] as const);

  it.each(readCases)('answers injection payloads and a 100,000-character string in %s with contract codes, and changes nothing', async (_coordinate, testCase) => {
    const before = await snapshot(graph);
    for (const [i, value] of [...INJECTIONS, OVERSIZED].entries()) {
      const response = await attempt(testCase, value, i);
      if (value === OVERSIZED) expect(codes(response)).toHaveLength(1);
    }
    expect(await snapshot(graph)).toEqual(before);
  });

  it.each(writeCases)('stores injection payloads in %s as plain text or refuses them, refuses 100,000 characters, and alters nothing else', async (_coordinate, testCase) => {
    const writes = testCase.writes!;
    const [name, table] = writes.table.split('.') as [keyof SecureGraph['subgraphs'], string];
    // A refused checkout still records its order as FAILED; only the others are the answers' doing.
    const where = writes.table === 'orders.orders' ? ` WHERE status <> 'FAILED'` : '';
    const rows = async () => Number(((await graph.subgraphs[name].database.dataSource.query(`SELECT COUNT(*) AS n FROM \`${table}\`${where}`)) as { n: number }[])[0]!.n);
    const before = await snapshot(graph);
    const initial = await rows();
    let stored = 0;
    for (const [i, value] of [...INJECTIONS, OVERSIZED].entries()) {
      const response = await attempt(testCase, value, i);
      if (value === OVERSIZED) {
        expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      } else if (!response.body.errors) {
        stored += 1;
        if (writes.stored) expect(writes.stored(response.body.data as Record<string, unknown>)).toBe(writes.trims ? value.trim() : value);
      }
    }
    expect(await rows()).toBe(initial + stored);
    // Every table the write does not own is exactly as it was; none was dropped.
    const after = await snapshot(graph);
    const untouched = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([key]) => !writes.touches.includes(key)));
    expect(untouched(after)).toEqual(untouched(before));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    // Not vacuous where the value is free text: the payloads reached the database.
    if (writes.freeText) expect(stored).toBeGreaterThan(0);
  });
});
