/**
 * The security suite, part 4: small requests that asked the router for too much, and client
 * mistakes it answered as its own failures (issue 13, items 1, 2, 7, 8 and 9). Each test sends the
 * attack again through a production-posture router on the real subgraphs and asserts what comes
 * back, that the router still serves, and what reached the subgraphs.
 */
import { gql } from '@storefront/testing';
import type { RunningRouter } from '../src/server';
import { asClient, clientAddress, codes, sha256, startSecureGraph, type SecureGraph } from './security-harness';

jest.setTimeout(60_000);

let graph: SecureGraph;
let url: string;

beforeAll(async () => {
  graph = await startSecureGraph('sec_abuse');
  url = graph.router.url;
});

afterAll(async () => {
  await graph?.close();
});

/** Posts a body; one given as text is sent as is (JSON.stringify itself cannot write 5,000 levels). */
const post = (target: string, body: unknown) =>
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** `query { ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fn on Query { <leaf> }`: 2^levels if expanded. */
function doubling(levels: number, leaf: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { ${leaf} }`;
}

describe('a document whose fragments double at every level', () => {
  it('at 22 levels over a field is refused at once by its cost as written (2^22 spreads), and the router keeps serving', async () => {
    const before = graph.requests();
    const response = await gql(url, doubling(22, 'me { id }'));
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', actual: 2 ** 22 }) })]);
    expect(graph.requests()).toEqual(before);
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
  });

  it.each([
    [40, '__typename', { __typename: 'Query' }],
    [60, '__typename', { __typename: 'Query' }],
  ])('at %i levels over __typename is answered like its expansion, and the router keeps serving', async (levels, leaf, data) => {
    const text = doubling(levels, leaf);
    expect(text.length).toBeLessThan(2500);
    const response = await gql(url, text);
    expect(response.body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(data);
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
  });
});

describe('the bytes one request may pull', () => {
  let small: RunningRouter;
  const listing = `{ products(first: 100) { edges { node { id name description } } } }`;

  beforeAll(async () => {
    small = await graph.startRouter({ MAX_RESPONSE_BYTES: '5000' });
  });

  it('ends a request whose answer would pass MAX_RESPONSE_BYTES with one clear error and no data', async () => {
    const response = await gql(small.url, listing);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'responseBytes', max: 5000 } }),
    ]);
    expect(response.body.errors![0]!.message).toMatch(/larger than 5000 bytes.*fewer items/);
  });

  it('serves a request within the limit, and the default limit lets the whole catalogue page through', async () => {
    const page = await gql(small.url, `{ products(first: 5) { edges { node { id name } } } }`);
    expect(page.status).toBe(200);
    expect(page.body.data?.products.edges).toHaveLength(5);
    const full = await gql(url, listing);
    expect(full.status).toBe(200);
    expect(full.body.data?.products.edges).toHaveLength(50);
  });

  it("prices User.reviews by its page: the nested reviews of reviews' authors cost what they can return", async () => {
    const token = await graph.token(3);
    const nested = await gql(url, `{ me { reviews(first: 100) { id author { reviews(first: 100) { id body } } } } }`, {}, { token });
    expect(codes(nested)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(nested.body.errors![0]!.extensions).toMatchObject({ limit: 'cost' });
    const paged = await gql(url, `{ me { reviews { id author { reviews { id } } } } }`, {}, { token });
    expect(paged.status).toBe(200);
    expect(paged.body.data?.me.reviews.length).toBeLessThanOrEqual(20);
  });
});

describe('client mistakes are answered as client errors', () => {
  it.each([
    ['two operations and no operationName', { query: `query A { me { id } } query B { me { name } }` }, 'BAD_USER_INPUT', /name the one to run/],
    ['an unknown operationName', { query: `query A { me { id } }`, operationName: 'Nope' }, 'BAD_USER_INPUT', /no operation named "Nope"/],
    ['a subscription, which this API does not have', { query: `subscription { me { id } }` }, 'GRAPHQL_VALIDATION_FAILED', /no subscription operations/],
    [
      'an unused variable nested 5,000 deep',
      `{"query":"{ products(first: 1) { totalCount } }","variables":{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      'BAD_USER_INPUT',
      /nests deeper than 64 levels/,
    ],
    [
      'a persisted query of an unsupported version',
      { query: `{ me { id } }`, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(`{ me { id } }`) } } },
      'BAD_USER_INPUT',
      /version/i,
    ],
    [
      'a persisted query whose hash does not match its text',
      { query: `{ me { id } }`, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('another text') } } },
      'BAD_USER_INPUT',
      /hash|sha/i,
    ],
    ['a document that does not parse', { query: `{ me { id }` }, 'GRAPHQL_VALIDATION_FAILED', /Syntax Error/],
  ])('%s: 400 with a contract code and a message that says what is wrong', async (_label, body, code, message) => {
    const before = graph.requests();
    const response = await post(url, body);
    const parsed = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(response.status).toBe(400);
    expect(parsed.errors.map((e) => e.extensions.code)).toEqual([code]);
    expect(parsed.errors[0]!.message).toMatch(message);
    expect(parsed.errors[0]!.message).not.toMatch(/internal server error/i);
    expect(graph.requests()).toEqual(before);
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
  });

  it('names no field, type or argument it did not receive: no "Did you mean" in production', async () => {
    const admin = await graph.token(1);
    const response = await gql(url, `mutation { setStok(productId: "1", stock: 1) { id nme } }`, {}, { token: admin });
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const messages = (response.body.errors ?? []).map((e) => e.message).join(' ');
    expect(messages).not.toMatch(/did you mean|setStock/i);
  });
});

describe('the rate limit per address', () => {
  let limited: RunningRouter;

  beforeAll(async () => {
    limited = await graph.startRouter({ RATE_LIMIT_MAX: '3', RATE_LIMIT_ADDRESS_MAX: '5' });
  });

  it('counts every request of an address, whatever token it carries: new accounts buy no more requests', async () => {
    const address = clientAddress();
    const tokens = await Promise.all([2, 3, 4].map((n) => graph.token(n)));
    const statuses: number[] = [];
    for (const token of [tokens[0], tokens[1], tokens[2], tokens[0], tokens[1], tokens[2]]) {
      statuses.push((await asClient(limited.url, address, `{ me { id } }`, {}, token)).status);
    }
    // Each user is within its own 3, but the address has had its 5.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const signUp = await asClient(
      limited.url,
      address,
      `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`,
      { input: { name: 'Mallory', email: `m-${Date.now()}@example.com`, password: 'correct horse battery' } },
      tokens[2],
    );
    expect(signUp.status).toBe(429);
    expect(codes(signUp)).toEqual(['RATE_LIMITED']);
    // Another address is not affected.
    expect((await asClient(limited.url, clientAddress(), `{ me { id } }`, {}, tokens[0])).status).toBe(200);
  });
});
