import { startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, errorCodes, gql, testKeys, testSubgraphEnv, type GraphQLResponse, type TestDatabase } from '@storefront/testing';
import { productsSubgraph } from '../src/server';

const keys = testKeys();
let database: TestDatabase;
let subgraph: RunningSubgraph;

beforeAll(async () => {
  database = await createTestDatabase('products');
  subgraph = await startSubgraph(
    productsSubgraph,
    testSubgraphEnv({ DATABASE_URL: database.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem }),
  );
});

afterAll(async () => {
  await subgraph?.close();
  await database?.drop();
});

const LIST = `query($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id sku name price { amountCents currency } } }
  }
}`;

describe('products subgraph on MySQL', () => {
  it('pages through the whole seeded catalogue by name with opaque cursors, without gaps or repeats', async () => {
    const seen: { id: string; name: string }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response: GraphQLResponse = await gql(subgraph.url, LIST, { first: 20, after });
      const connection = response.body.data!.products;
      expect(connection.totalCount).toBe(50);
      for (const edge of connection.edges) seen.push(edge.node);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen.map((p) => p.id)).size).toBe(50);
    // The demo names are ASCII and unique: any collation sorts them as a code-point sort does.
    const names = seen.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('Classic Blender 10');
  });

  it('searches by name, treating LIKE wildcards literally', async () => {
    const { body } = await gql(subgraph.url, LIST, { first: 100, search: 'Backpack' });
    expect(body.data!.products.totalCount).toBeGreaterThan(0);
    for (const edge of body.data!.products.edges) expect(edge.node.name).toContain('Backpack');
    const wildcard = await gql(subgraph.url, LIST, { first: 100, search: '%' });
    expect(wildcard.body.data!.products.totalCount).toBe(0);
  });

  it.each([[-1], [101]])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const response = await gql(subgraph.url, LIST, { first });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it.each([['not-a-cursor!'], ['WyJ4Il0x'], [Buffer.from('{"a":1}').toString('base64url')]])(
    'refuses a malformed cursor %s with BAD_USER_INPUT',
    async (after) => {
      const response = await gql(subgraph.url, LIST, { first: 5, after });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    },
  );

  it('finds a product by id and by sku, and answers NOT_FOUND for unknown ones', async () => {
    const { body } = await gql(subgraph.url, `{ productBySku(sku: "SKU-00007") { id sku } }`);
    const id = body.data!.productBySku.id;
    const byId = await gql(subgraph.url, `query($id: ID!) { product(id: $id) { sku } }`, { id });
    expect(byId.body.data!.product.sku).toBe('SKU-00007');
    const missing = await gql(subgraph.url, `{ product(id: "nope") { id } productBySku(sku: "NOPE") { id } }`);
    expect(missing.body.data).toEqual({ product: null, productBySku: null });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('resolves _entities by id and by sku in one SQL statement per key kind, null for unknown', async () => {
    const before = subgraph.database.statements.count;
    const skus = Array.from({ length: 20 }, (_, i) => `SKU-${String(i + 1).padStart(5, '0')}`);
    const representations = [...skus.map((sku) => ({ __typename: 'Product', sku })), { __typename: 'Product', id: 'unknown-id' }];
    const { body } = await gql(
      subgraph.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { sku price { amountCents } } } }`,
      { r: representations },
    );
    const entities = body.data!._entities as ({ sku: string } | null)[];
    expect(entities.slice(0, 20).map((e) => e!.sku)).toEqual(skus);
    expect(entities[20]).toBeNull();
    expect(subgraph.database.statements.count - before).toBe(2);
  });

  describe('catalogue mutations', () => {
    const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku stock price { amountCents currency } } }`;
    const input = { sku: 'NEW-1', name: 'New thing', priceCents: 1234, stock: 5, weightGrams: 300 };

    it('refuses createProduct without a token or from a non-admin', async () => {
      expect(errorCodes(await gql(subgraph.url, CREATE, { input }))).toEqual(['UNAUTHENTICATED']);
      const token = await keys.token({ userId: 'someone' });
      expect(errorCodes(await gql(subgraph.url, CREATE, { input }, { token }))).toEqual(['FORBIDDEN']);
    });

    it('lets an admin create a product, then refuses the same SKU with CONFLICT', async () => {
      const token = await keys.token({ userId: 'admin', roles: ['admin'] });
      const created = await gql(subgraph.url, CREATE, { input }, { token });
      expect(created.body.data!.createProduct).toMatchObject({ sku: 'NEW-1', stock: 5, price: { amountCents: 1234, currency: 'USD' } });
      expect(errorCodes(await gql(subgraph.url, CREATE, { input }, { token }))).toEqual(['CONFLICT']);
    });

    it('validates every field of a new product', async () => {
      const token = await keys.token({ userId: 'admin', roles: ['admin'] });
      for (const bad of [{ sku: "x'; DROP TABLE products;--" }, { priceCents: -1 }, { name: '' }, { currency: 'usd' }, { name: 'x'.repeat(201) }]) {
        const response = await gql(subgraph.url, CREATE, { input: { ...input, sku: 'NEW-2', ...bad } }, { token });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      }
    });

    it('sets stock as an admin and answers NOT_FOUND for an unknown product', async () => {
      const token = await keys.token({ userId: 'admin', roles: ['admin'] });
      const { body } = await gql(subgraph.url, `{ productBySku(sku: "SKU-00001") { id } }`);
      const id = body.data!.productBySku.id;
      const SET = `mutation($id: ID!, $stock: Int!) { setStock(productId: $id, stock: $stock) { stock } }`;
      const updated = await gql(subgraph.url, SET, { id, stock: 42 }, { token });
      expect(updated.body.data!.setStock.stock).toBe(42);
      expect(errorCodes(await gql(subgraph.url, SET, { id: 'missing', stock: 1 }, { token }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await gql(subgraph.url, SET, { id, stock: -5 }, { token }))).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('orders products of the same name by id and pages through them one at a time, one SQL statement per page', async () => {
    const token = await keys.token({ userId: 'admin', roles: ['admin'] });
    const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
    const created: string[] = [];
    for (const sku of ['TIE-1', 'TIE-2', 'TIE-3']) {
      const { body } = await gql(subgraph.url, CREATE, { input: { sku, name: 'Tied name', priceCents: 100, stock: 1, weightGrams: 10 } }, { token });
      created.push(body.data!.createProduct.id);
    }
    const PAGE = `query($after: String) { products(first: 1, after: $after, search: "Tied name") { pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const before = subgraph.database.statements.count;
      const response: GraphQLResponse = await gql(subgraph.url, PAGE, { after });
      expect(subgraph.database.statements.count - before).toBe(1);
      const connection = response.body.data!.products;
      paged.push(...connection.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(paged).toEqual([...created].sort());
  });
});
