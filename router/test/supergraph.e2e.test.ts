import { deterministicId } from '@storefront/kit';
import { errorCodes, gql } from '@storefront/testing';
import { startTestSupergraph, type TestSupergraph } from './harness';

let graph: TestSupergraph;

beforeAll(async () => {
  graph = await startTestSupergraph('e2e');
});

afterAll(async () => {
  await graph?.close();
});

/** The query of the foundation issue: every link from products through reviews, users and orders. */
const STOREFRONT = `query Storefront($first: Int) {
  products(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { node {
    sku name price { amountCents currency } shippingEstimate { amountCents currency }
    reviewCount averageRating
    reviews(first: 3) { edges { node { rating body author { name reviews { product { name } } } } } } } } } }`;

describe('the supergraph through the router', () => {
  it('answers the storefront query across all four subgraphs', async () => {
    const response = await gql(graph.router.url, STOREFRONT, { first: 10 });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const products = response.body.data!.products;
    expect(products.totalCount).toBe(50);
    expect(products.pageInfo.hasNextPage).toBe(true);
    expect(products.edges).toHaveLength(10);
    const reviewed = products.edges.filter((e: { node: { reviewCount: number } }) => e.node.reviewCount > 0);
    expect(reviewed.length).toBeGreaterThan(0);
    for (const { node } of products.edges) {
      expect(node.price.currency).toBe('USD');
      expect(node.shippingEstimate.currency).toBe('USD');
      expect(node.reviews.edges.length).toBe(Math.min(3, node.reviewCount));
      for (const { node: review } of node.reviews.edges) {
        expect(review.author.name).toEqual(expect.any(String));
        expect(review.author.reviews.length).toBeGreaterThan(0);
        for (const r of review.author.reviews) expect(r.product.name).toEqual(expect.any(String));
      }
    }
  });

  it('costs the same number of SQL statements for 5 products as for 50', async () => {
    const count = async (first: number) => {
      const before = graph.statements();
      const response = await gql(graph.router.url, STOREFRONT, { first });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.products.edges).toHaveLength(first);
      return graph.statements() - before;
    };
    const five = await count(5);
    const fifty = await count(50);
    expect(fifty).toBe(five);
    console.info(`SQL statements of the storefront query: ${five} at first: 5, ${fifty} at first: 50`);
    // products page + count, reviews page + stats, authors, authors' reviews, their products.
    expect(five).toBeLessThanOrEqual(8);
  });

  it('computes shippingEstimate in orders from the price and weight that products owns (@requires)', async () => {
    const { body } = await gql(graph.router.url, `{ productBySku(sku: "SKU-00003") { price { amountCents } weightGrams shippingEstimate { amountCents currency } } }`);
    const product = body.data!.productBySku;
    expect(product.shippingEstimate.currency).toBe('USD');
    expect(product.shippingEstimate.amountCents).toBeGreaterThanOrEqual(0);
  });

  it('resolves an entity found by its sku key in other subgraphs', async () => {
    const { body } = await gql(graph.router.url, `{ productBySku(sku: "SKU-00001") { id sku reviewCount reviews(first: 2) { totalCount edges { node { product { sku } } } } } }`);
    const product = body.data!.productBySku;
    expect(product.id).toBe(deterministicId('product', 1));
    expect(product.reviews.totalCount).toBe(product.reviewCount);
    for (const edge of product.reviews.edges) expect(edge.node.product.sku).toBe('SKU-00001');
  });

  it('follows a signed-in user to their orders, items and products', async () => {
    const login = await gql(graph.router.url, `mutation { logIn(email: "admin@example.com", password: "admin-password") { token user { id email } } }`);
    expect(login.body.errors).toBeUndefined();
    const { token, user } = login.body.data!.logIn;
    expect(user.email).toBe('admin@example.com');
    const { body } = await gql(
      graph.router.url,
      `{ me { id name orders(first: 5) { totalCount edges { node { id status total { amountCents } buyer { id } items { quantity unitPrice { amountCents } product { name sku } } } } } } }`,
      {},
      { token },
    );
    expect(body.errors).toBeUndefined();
    const orders = body.data!.me.orders;
    expect(orders.totalCount).toBeGreaterThan(0);
    for (const { node } of orders.edges) {
      expect(node.buyer.id).toBe(user.id);
      const sum = node.items.reduce(
        (s: number, i: { quantity: number; unitPrice: { amountCents: number } }) => s + i.quantity * i.unitPrice.amountCents,
        0,
      );
      expect(node.total.amountCents).toBe(sum);
      for (const item of node.items) expect(item.product.name).toEqual(expect.any(String));
    }
  });

  it("keeps a user's email and orders from other users", async () => {
    const signUp = await gql(graph.router.url, `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id email } } }`, {
      i: { name: 'Eve', email: 'eve@example.com', password: 'correct horse battery' },
    });
    const { token } = signUp.body.data!.signUp;
    const admin = deterministicId('user', 1);
    const response = await gql(graph.router.url, `query($id: ID!) { user(id: $id) { name email orders { totalCount } } }`, { id: admin }, { token });
    // Only the forbidden field is nulled: the rest of the user is served.
    expect(response.body.data!.user).toEqual({ name: expect.any(String), email: null, orders: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    const emailOnly = await gql(graph.router.url, `query($id: ID!) { user(id: $id) { name email } }`, { id: admin }, { token });
    expect(emailOnly.body.data!.user).toEqual({ name: expect.any(String), email: null });
  });

  it('answers an operation without errors when another operation of its document selects a field the caller may not read', async () => {
    const response = await fetch(graph.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query Listing { products(first: 1) { totalCount } } query Mine { me { orders { totalCount } } }',
        operationName: 'Listing',
      }),
    });
    expect(await response.json()).toEqual({ data: { products: { totalCount: 50 } } });
  });

  it('answers bad input with contract codes, never a 500', async () => {
    const tooMany = await gql(graph.router.url, `{ products(first: 101) { totalCount } }`);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    const badCursor = await gql(graph.router.url, `{ products(first: 5, after: "%%%") { totalCount } }`);
    expect(errorCodes(badCursor)).toEqual(['BAD_USER_INPUT']);
    const unknown = await gql(graph.router.url, `{ product(id: "nope") { name } }`);
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    const wrongPassword = await gql(graph.router.url, `mutation { logIn(email: "admin@example.com", password: "nope-nope") { token } }`);
    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    const invalid = await gql(graph.router.url, `{ products { nope } }`);
    expect(invalid.status).toBe(400);
    expect(errorCodes(invalid)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    for (const r of [tooMany, badCursor, unknown, wrongPassword]) expect(r.status).toBe(200);
  });

  it('refuses an altered token with 401 UNAUTHENTICATED instead of treating it as anonymous', async () => {
    const token = await graph.keys.token({ userId: deterministicId('user', 2) });
    const altered = `${token.slice(0, -2)}xx`;
    const response = await gql(graph.router.url, `{ me { id } }`, {}, { token: altered });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the router over HTTP', () => {
  const base = () => graph.router.url.replace(/\/graphql$/, '');

  it('answers /health and /ready', async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('keeps a valid incoming request id and forwards it to the subgraphs', async () => {
    const seen: unknown[] = [];
    const spy = (req: { headers: Record<string, unknown> }) => seen.push(req.headers['x-request-id']);
    graph.subgraphs.products.http.server.on('request', spy);
    const response = await gql(graph.router.url, `{ products(first: 1) { totalCount } }`, {}, { headers: { 'x-request-id': 'trace-me-123' } });
    graph.subgraphs.products.http.server.off('request', spy);
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    expect(seen).toEqual(['trace-me-123']);
    const generated = await gql(graph.router.url, `{ products(first: 1) { totalCount } }`, {}, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the Sandbox landing page to browsers and blocks CSRF-able GET queries', async () => {
    const page = await fetch(graph.router.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csrf = await fetch(`${graph.router.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(csrf.status).toBe(400);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await fetch(graph.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
  });
});
