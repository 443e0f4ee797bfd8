import { deterministicId, signRequest, startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, testKeys, testSubgraphEnv, type TestDatabase } from '@storefront/testing';
import { MAX_LOOKUP_IDS } from '../src/product-lookup.routes';
import { productsSubgraph } from '../src/server';

const SECRET = 'product-lookup-test-secret-0123456789abcdef';
const PATH = '/internal/products/exists';
const keys = testKeys();
let database: TestDatabase;
let products: RunningSubgraph;

// Production posture: the guard refuses every unsigned call, as deployed.
beforeAll(async () => {
  database = await createTestDatabase('product_lookup');
  products = await startSubgraph(
    productsSubgraph,
    testSubgraphEnv({ NODE_ENV: 'production', DATABASE_URL: database.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: SECRET }),
  );
});

afterAll(async () => {
  await products?.close();
  await database?.drop();
});

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into replies
  body: any;
  /** SQL statements products ran for the call. */
  statements: number;
}

/** POSTs to the lookup, signed as `service` for `target` unless `signed` is false. */
async function lookup(payload: unknown, options: { signed?: boolean; service?: string; target?: string; secret?: string } = {}): Promise<Reply> {
  const body = JSON.stringify(payload);
  const signature =
    options.signed === false
      ? {}
      : signRequest(options.secret ?? SECRET, options.service ?? 'reviews', { target: options.target ?? 'products', method: 'POST', path: PATH, body });
  const before = products.database.statements.count;
  const response = await fetch(`${products.http.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signature }, body });
  return { status: response.status, body: await response.json(), statements: products.database.statements.count - before };
}

describe('POST /internal/products/exists (the signed product lookup reviews calls)', () => {
  it('answers a signed call from reviews with the ids that are products, in one statement', async () => {
    const known = [deterministicId('product', 1), deterministicId('product', 50)];
    const reply = await lookup({ productIds: [known[0], 'no-such-product', known[1], known[0]] });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ existing: known });
    expect(reply.statements).toBe(1);
  });

  it.each([
    ['unsigned', { signed: false }],
    ['signed with another secret', { secret: 'not-the-shared-secret-0123456789abcdef' }],
    ['signed by a service the lookup does not serve (orders)', { service: 'orders' }],
    ['signed for another service (users)', { target: 'users' }],
  ])('refuses a call %s with 401 UNAUTHENTICATED and reads nothing', async (_, options) => {
    const reply = await lookup({ productIds: [deterministicId('product', 1)] }, options);
    expect(reply.status).toBe(401);
    expect(reply.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(reply.body).not.toHaveProperty('existing');
    expect(reply.statements).toBe(0);
  });

  it.each([
    ['no ids', { productIds: [] }],
    [`more than ${MAX_LOOKUP_IDS} ids`, { productIds: Array.from({ length: MAX_LOOKUP_IDS + 1 }, (_, i) => `p${i}`) }],
    ['an id over 64 characters', { productIds: ['p'.repeat(65)] }],
    ['no productIds', { ids: ['x'] }],
  ])('refuses %s with 400 BAD_USER_INPUT and reads nothing', async (_, payload) => {
    const reply = await lookup(payload);
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(reply.statements).toBe(0);
  });
});
