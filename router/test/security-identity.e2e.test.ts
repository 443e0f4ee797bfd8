/**
 * The security suite, part 1: who may call what. Every test tries an attack through the router or
 * straight at a subgraph (production posture, real MariaDB) and asserts the contract code that
 * comes back and that no data leaked or changed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { deterministicId } from '@storefront/kit';
import { gql } from '@storefront/testing';
import { asClient, captureNextRequest, claims, clientAddress, codes, craftToken, snapshot, startSecureGraph, type SecureGraph } from './security-harness';

let graph: SecureGraph;
let url: string;
/** A shopper with orders, another shopper, and one of the first one's orders. */
let owner: { n: number; id: string; token: string };
let other: { n: number; id: string; token: string };
let ownersOrderId: string;
let admin: string;

// Whole-graph start-up and scrypt-bound log-ins outlast jest's 5 s default on a loaded machine.
jest.setTimeout(60_000);

const ORDER = `query($id: ID!) { order(id: $id) { id status total { amountCents } buyer { id } } }`;

beforeAll(async () => {
  graph = await startSecureGraph('sec_identity', {
    loginThrottle: { failuresBeforeBackoff: 3, backoffBaseMs: 60_000, backoffMaxMs: 600_000, perAddress: 6, windowMs: 60_000 },
  });
  url = graph.router.url;
  admin = await graph.token(1);
  // Find, as the admin, two shoppers and an order of the first.
  const found: { n: number; orders: string[] }[] = [];
  for (let n = 2; n <= 10; n++) {
    const { body } = await gql(url, `query($id: ID!) { user(id: $id) { orders(first: 5) { edges { node { id status } } } } }`, { id: deterministicId('user', n) }, { token: admin });
    const edges = (body.data?.user?.orders?.edges ?? []) as { node: { id: string; status: string } }[];
    found.push({ n, orders: edges.filter((e) => e.node.status === 'CONFIRMED').map((e) => e.node.id) });
  }
  const withOrders = found.find((f) => f.orders.length > 0)!;
  const without = found.find((f) => f.n !== withOrders.n)!;
  owner = { n: withOrders.n, id: deterministicId('user', withOrders.n), token: await graph.token(withOrders.n) };
  other = { n: without.n, id: deterministicId('user', without.n), token: await graph.token(without.n) };
  ownersOrderId = withOrders.orders[0]!;
});

afterAll(async () => {
  await graph?.close();
});

describe('tokens at the router', () => {
  const me = `{ me { id email } }`;

  it('serves an anonymous caller public data only: me is null and private fields are refused with UNAUTHENTICATED', async () => {
    const anonymous = await gql(url, me);
    expect(anonymous.body).toEqual({ data: { me: null } });
    const order = await gql(url, ORDER, { id: ownersOrderId });
    expect(order.body.data).toEqual({ order: null });
    expect(codes(order)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['an expired token', () => craftToken({ alg: 'EdDSA', typ: 'JWT' }, claims(deterministicId('user', 1), { exp: Math.floor(Date.now() / 1000) - 60 }), { key: graph.keys.privateKey })],
    ['an altered token (roles edited, signature kept)', async () => {
      const [header, , signature] = (await graph.token(owner.n)).split('.');
      const payload = Buffer.from(JSON.stringify(claims(owner.id, { roles: ['admin'] }))).toString('base64url');
      return `${header}.${payload}.${signature}`;
    }],
    ['an `alg: none` token', () => craftToken({ alg: 'none', typ: 'JWT' }, claims(deterministicId('user', 1)))],
    ['an HS256 token keyed with the public key', () => craftToken({ alg: 'HS256', typ: 'JWT' }, claims(deterministicId('user', 1)), { hmac: graph.keys.publicKeyPem })],
    ['a token signed by another key pair', () => craftToken({ alg: 'EdDSA', typ: 'JWT' }, claims(deterministicId('user', 1)), { key: generateKeyPairSync('ed25519').privateKey })],
    ['a token for another audience', () => craftToken({ alg: 'EdDSA', typ: 'JWT' }, claims(deterministicId('user', 1), { aud: 'elsewhere' }), { key: graph.keys.privateKey })],
    ['a token of another issuer', () => craftToken({ alg: 'EdDSA', typ: 'JWT' }, claims(deterministicId('user', 1), { iss: 'someone' }), { key: graph.keys.privateKey })],
    ['a malformed Authorization header', () => 'not-a-jwt'],
  ])('refuses %s with 401 UNAUTHENTICATED before any subgraph is asked', async (_label, make) => {
    const before = graph.requests();
    const response = await gql(url, me, {}, { token: await make() });
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data).toBeUndefined();
    expect(graph.requests()).toEqual(before);
  });

  it('ignores identity headers a client makes up: x-user-id, x-storefront-* and the like change nothing', async () => {
    const forged = {
      'x-user-id': deterministicId('user', 1),
      'x-user-roles': 'admin',
      'x-caller': JSON.stringify({ userId: deterministicId('user', 1), roles: ['admin'] }),
      'x-storefront-service': 'router',
      'x-storefront-client': '127.0.0.1',
      'x-storefront-signature': 'v1=forged',
      'x-storefront-timestamp': String(Date.now()),
      'x-storefront-nonce': 'n',
    };
    const response = await gql(url, `query($id: ID!) { me { id } order(id: $id) { id } }`, { id: ownersOrderId }, { headers: forged });
    expect(response.body.data).toEqual({ me: null, order: null });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('only the router may call a subgraph (production)', () => {
  const post = (base: string, headers: Record<string, string>, body: string) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const query = (id: string) => JSON.stringify({ query: `query($id: ID!) { order(id: $id) { id total { amountCents } } }`, variables: { id } });

  it.each(['users', 'products', 'reviews', 'orders'] as const)('refuses a direct call to %s, even with a valid token, with 401 UNAUTHENTICATED', async (name) => {
    const response = await post(graph.subgraphs[name].http.url, { authorization: `Bearer ${admin}` }, JSON.stringify({ query: '{ __typename }' }));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  });

  it('refuses made-up signature headers and GET queries', async () => {
    const orders = graph.subgraphs.orders.http.url;
    const forged = await post(orders, { authorization: `Bearer ${admin}`, 'x-storefront-service': 'router', 'x-storefront-signature': 'v1=AAAA', 'x-storefront-timestamp': String(Date.now()), 'x-storefront-nonce': 'abc' }, query(ownersOrderId));
    expect(forged.status).toBe(401);
    const viaGet = await fetch(`${orders}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(viaGet.status).toBe(401);
  });

  it('refuses a captured router request replayed as is, altered, with another token or another client address', async () => {
    const captured = captureNextRequest(graph.subgraphs.orders);
    const original = await gql(url, ORDER, { id: ownersOrderId }, { token: owner.token });
    expect(original.body.data?.order?.id).toBe(ownersOrderId);
    const { headers, body } = await captured;
    const signedHeaders = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-storefront-') || k === 'authorization' || k === 'content-type')) as Record<string, string>;
    const orders = graph.subgraphs.orders.http.url;
    const replayed = await post(orders, signedHeaders, body);
    const altered = await post(orders, signedHeaders, body.replace('amountCents', 'currency'));
    const asAdmin = await post(orders, { ...signedHeaders, authorization: `Bearer ${admin}` }, body);
    const elsewhere = await post(orders, { ...signedHeaders, 'x-storefront-client': '192.0.2.1' }, body);
    for (const response of [replayed, altered, asAdmin, elsewhere]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it("refuses an unsigned call to products' internal reservation API, which moves stock", async () => {
    const before = await snapshot(graph);
    const response = await fetch(`${graph.subgraphs.products.http.url}/internal/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'x', items: [{ productId: deterministicId('product', 1), quantity: 5 }] }),
    });
    expect(response.status).toBe(401);
    expect(await snapshot(graph)).toEqual(before);
  });

  it('still answers the probes without a signature', async () => {
    for (const name of ['users', 'orders'] as const) {
      expect((await fetch(`${graph.subgraphs[name].http.url}/health`)).status).toBe(200);
      expect((await fetch(`${graph.subgraphs[name].http.url}/ready`)).status).toBe(200);
    }
  });
});

describe('ownership rules, tried by another signed-in user', () => {
  it("refuses another user's order with FORBIDDEN and shows nothing of it", async () => {
    const response = await gql(url, ORDER, { id: ownersOrderId }, { token: other.token });
    expect(response.body.data).toEqual({ order: null });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    const asOwner = await gql(url, ORDER, { id: ownersOrderId }, { token: owner.token });
    expect(asOwner.body.data!.order.buyer.id).toBe(owner.id);
  });

  it("hides another user's email (null) and refuses their orders list with FORBIDDEN, serving the rest", async () => {
    const response = await gql(url, `query($id: ID!) { user(id: $id) { id name email orders { totalCount edges { node { id } } } } }`, { id: owner.id }, { token: other.token });
    expect(response.body.data!.user).toEqual({ id: owner.id, name: expect.any(String), email: null, orders: null });
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(response.body)).not.toContain(ownersOrderId);
    const self = await gql(url, `query($id: ID!) { user(id: $id) { email orders { totalCount } } }`, { id: owner.id }, { token: owner.token });
    expect(self.body.data!.user.email).toBe(`user${owner.n}@example.com`);
    expect(self.body.data!.user.orders.totalCount).toBeGreaterThan(0);
  });

  it('refuses the orders list to an anonymous caller in the router, before orders is asked', async () => {
    const before = graph.requests();
    const response = await gql(url, `query($id: ID!) { user(id: $id) { name orders { totalCount } } }`, { id: owner.id });
    expect(response.body.data!.user).toEqual({ name: expect.any(String), orders: null });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(graph.requests().orders).toBe(before.orders);
  });

  it("refuses to cancel another user's order with FORBIDDEN and leaves it as it was", async () => {
    const response = await gql(url, `mutation($id: ID!) { cancelOrder(id: $id) { id status } }`, { id: ownersOrderId }, { token: other.token });
    expect(response.body.data).toBeNull();
    expect(codes(response)).toEqual(['FORBIDDEN']);
    const after = await gql(url, ORDER, { id: ownersOrderId }, { token: admin });
    expect(after.body.data!.order.status).toBe('CONFIRMED');
  });

  it.each([
    ['createProduct', `mutation { createProduct(input: { sku: "HACK-1", name: "Hack", priceCents: 1, stock: 1, weightGrams: 1 }) { id } }`],
    ['setStock', `mutation { setStock(productId: "${deterministicId('product', 1)}", stock: 0) { id stock } }`],
  ])('refuses %s to a shopper with FORBIDDEN in the router: products is never asked, nothing changes', async (_name, mutation) => {
    const before = await snapshot(graph);
    const requests = graph.requests();
    const response = await gql(url, mutation, {}, { token: other.token });
    expect(response.body.data).toBeNull();
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(graph.requests().products).toBe(requests.products);
    expect(await snapshot(graph)).toEqual(before);
    const anonymous = await gql(url, mutation);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses addReview to an anonymous caller, and writes a review only as the signed-in user, once per product', async () => {
    const input = { productId: deterministicId('product', 49), rating: 4, body: 'Written by me' };
    const add = `mutation($input: AddReviewInput!) { addReview(input: $input) { id author { id } } }`;
    const before = await snapshot(graph);
    const anonymous = await gql(url, add, { input });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    // There is no author to pass: an extra input field is refused as a bad variable value.
    const impersonating = await gql(url, add, { input: { ...input, authorId: owner.id } }, { token: other.token });
    expect(codes(impersonating)).toEqual(['BAD_USER_INPUT']);
    expect(await snapshot(graph)).toEqual(before);
    const first = await gql(url, add, { input }, { token: other.token });
    expect(first.body.data!.addReview.author.id).toBe(other.id);
    const second = await gql(url, add, { input: { ...input, body: 'Again' } }, { token: other.token });
    expect(codes(second)).toEqual(['CONFLICT']);
    const count = await graph.subgraphs.reviews.database.dataSource.query('SELECT COUNT(*) AS n FROM reviews WHERE productId = ? AND authorId = ?', [input.productId, other.id]);
    expect(Number(count[0].n)).toBe(1);
  });
});

describe('log-in throttling (backoff after 3 failures per account and address, 6 per address, per minute here)', () => {
  const LOG_IN = `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }`;
  const logIn = (address: string, email: string, password: string, headers: Record<string, string> = {}) =>
    asClient(url, address, LOG_IN, { email, password }, undefined, headers);

  it("backs off the guessing address after 3 failures, even with the right password, while the owner's own address logs in", async () => {
    const guesser = clientAddress();
    for (let i = 0; i < 3; i++) expect(codes(await logIn(guesser, 'user4@example.com', 'wrong-password'))).toEqual(['UNAUTHENTICATED']);
    const waiting = await logIn(guesser, 'user4@example.com', 'password4');
    expect(codes(waiting)).toEqual(['RATE_LIMITED']);
    expect(waiting.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(50);
    expect(waiting.body.data).toBeNull();
    // A forged forwarded-address header does not get the guesser out of its wait.
    expect(codes(await logIn(guesser, 'user4@example.com', 'password4', { 'x-storefront-client': clientAddress() }))).toEqual(['RATE_LIMITED']);
    const owner = await logIn(clientAddress(), 'user4@example.com', 'password4');
    expect(owner.body.data!.logIn.token).toEqual(expect.any(String));
  });

  it('locks a client address after 6 failures on any emails; the router sets the address, a client cannot', async () => {
    const address = clientAddress();
    for (let i = 0; i < 6; i++) expect(codes(await logIn(address, `nobody-${i}@example.com`, 'guess'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await logIn(address, 'user5@example.com', 'password5'))).toEqual(['RATE_LIMITED']);
    // A forged forwarded-address header does not get the client out of its limit.
    expect(codes(await logIn(address, 'user5@example.com', 'password5', { 'x-storefront-client': clientAddress() }))).toEqual(['RATE_LIMITED']);
    const elsewhere = await logIn(clientAddress(), 'user5@example.com', 'password5');
    expect(elsewhere.body.data!.logIn.token).toEqual(expect.any(String));
  });

  it('answers an unknown email and a wrong password with the same error, in comparable time', async () => {
    const timed = async (email: string) => {
      let best = Infinity;
      let body: unknown;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        body = (await logIn(clientAddress(), email, 'not-the-password')).body;
        best = Math.min(best, performance.now() - start);
      }
      return { best, body };
    };
    const wrong = await timed('user6@example.com');
    const unknown = await timed('nobody-at-all@example.com');
    expect(unknown.body).toEqual(wrong.body);
    expect(codes({ status: 200, headers: new Headers(), body: unknown.body as never })).toEqual(['UNAUTHENTICATED']);
    // Without the dummy hash an unknown email would answer in ~1 ms against ~70 ms of scrypt.
    expect(unknown.best).toBeGreaterThan(wrong.best * 0.5);
  });
});
