import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SEED_PLANS, deterministicId, startSubgraph, type RunningSubgraph, type SubgraphEnv } from '@storefront/kit';
import {
  createTestDatabase,
  errorCodes,
  gql,
  startTcpProxy,
  testKeys,
  testSubgraphEnv,
  type GraphQLResponse,
  type TcpProxy,
  type TestDatabase,
} from '@storefront/testing';
// The real products service, for addReview's signed product lookup (as the router's e2e tests start it).
import { productsSubgraph } from '../../products/src/server';
import { Review } from '../src/entities/review.entity';
import { demoReviews } from '../src/seed';
import { reviewsSubgraph } from '../src/server';

const keys = testKeys();
/** Shared by reviews and products, as a deployment shares SERVICE_SECRET. */
const SECRET = 'reviews-test-service-secret-0123456789abcdef';
const plan = SEED_PLANS.demo;
const seeded = demoReviews(plan);
const productId = (n: number) => deterministicId('product', n);
const userId = (n: number) => deterministicId('user', n);
/** The order the API promises: createdAt DESC, then id DESC. */
const newestFirst = (a: Review, b: Review) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const seededOf = (product: string) => seeded.filter((r) => r.productId === product).sort(newestFirst);

const PRODUCTS = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on Product {
      id reviewCount averageRating
      reviews(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id rating body createdAt author { id } product { id } } }
      }
    }
  }
}`;
const products = (ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));

interface ProductResult {
  id: string;
  reviewCount: number;
  averageRating: number | null;
  reviews: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; rating: number; author: { id: string }; product: { id: string } } }[];
  };
}

/**
 * Products (on MariaDB, with the demo catalogue) behind a TCP proxy: reviews reaches it through the
 * proxy, so a test can cut it to play an outage.
 */
let productsDatabase: TestDatabase;
let productsService: RunningSubgraph;
let productsLink: TcpProxy;

beforeAll(async () => {
  productsDatabase = await createTestDatabase('reviews_products');
  productsService = await startSubgraph(
    productsSubgraph,
    testSubgraphEnv({ DATABASE_URL: productsDatabase.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: SECRET }),
  );
  productsLink = await startTcpProxy('127.0.0.1', productsService.port);
});

afterAll(async () => {
  await productsLink?.close();
  await productsService?.close();
  await productsDatabase?.drop();
});

/** The same behaviour on both databases a subgraph runs on: the raw SQL and date handling differ. */
const backends: [string, () => Promise<{ env: Partial<SubgraphEnv>; drop(): Promise<void> }>][] = [
  ['MySQL', async () => {
    const database: TestDatabase = await createTestDatabase('reviews');
    return { env: { DATABASE_URL: database.url }, drop: () => database.drop() };
  }],
  ['the embedded SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reviews-sqlite-'));
    return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
  }],
];

describe.each(backends)('reviews subgraph on %s', (_, openDatabase) => {
  let subgraph: RunningSubgraph;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = await openDatabase();
    drop = database.drop;
    subgraph = await startSubgraph(
      reviewsSubgraph,
      {
        ...testSubgraphEnv({ ...database.env, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: SECRET }),
        PRODUCTS_SERVICE_URL: `http://127.0.0.1:${productsLink.port}`,
        PRODUCTS_TIMEOUT_MS: 2000,
      } as SubgraphEnv,
    );
  });

  afterAll(async () => {
    await subgraph?.close();
    await drop?.();
  });

  /** Runs an operation and returns the response with the number of SQL statements it cost. */
  async function measured(query: string, variables: Record<string, unknown> = {}, token?: string) {
    const before = subgraph.database.statements.count;
    const response = await gql(subgraph.url, query, variables, { token });
    return { ...response, statements: subgraph.database.statements.count - before };
  }

  /** Follows endCursor until hasNextPage is false; returns the review ids in the order served. */
  async function readAllPages(product: string, first: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const response: GraphQLResponse = await gql(subgraph.url, PRODUCTS, { r: products([product]), first, after });
      const connection = (response.body.data!._entities as ProductResult[])[0]!.reviews;
      expect(connection.edges.length).toBeLessThanOrEqual(first);
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) return seen;
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)!.cursor);
      after = connection.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  it('batches Product.reviews, totalCount, reviewCount and averageRating: 5 and 50 products cost the same 2 statements', async () => {
    const five = await measured(PRODUCTS, { r: products([1, 2, 3, 4, 5].map(productId)), first: 3 });
    const fifty = await measured(PRODUCTS, { r: products(Array.from({ length: 50 }, (_, i) => productId(i + 1))), first: 3 });
    expect(five.body.errors).toBeUndefined();
    expect(fifty.body.errors).toBeUndefined();
    // One window-function statement for every product's page, one aggregate for the three count fields.
    expect(five.statements).toBe(2);
    expect(fifty.statements).toBe(five.statements);

    const results = fifty.body.data!._entities as ProductResult[];
    for (const [i, result] of results.entries()) {
      const expected = seededOf(productId(i + 1));
      expect(result.reviews.totalCount).toBe(expected.length);
      expect(result.reviews.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 3).map((r) => r.id));
      expect(result.reviews.pageInfo.hasNextPage).toBe(expected.length > 3);
      for (const edge of result.reviews.edges) expect(edge.node.product.id).toBe(productId(i + 1));
    }
  });

  it('gives each distinct (first, after) pair of one request its own single statement', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
      a: reviews(first: 1) { edges { node { id } } } b: reviews(first: 2) { edges { node { id } } } c: reviews(first: 1) { edges { node { id } } }
    } } }`;
    const response = await measured(query, { r: products(Array.from({ length: 50 }, (_, i) => productId(i + 1))) });
    expect(response.body.errors).toBeUndefined();
    expect(response.statements).toBe(2);
  });

  it('pages through one product with after cursors: every review once, newest first', async () => {
    const counts = new Map<string, number>();
    for (const r of seeded) counts.set(r.productId, (counts.get(r.productId) ?? 0) + 1);
    const [busiest] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const seen = await readAllPages(busiest, 2);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual(seededOf(busiest).map((r) => r.id));
  });

  it('keeps pagination exact when reviews share a timestamp (id breaks the tie)', async () => {
    const product = 'tie-product';
    const createdAt = new Date('2025-06-01T12:00:00.123Z');
    const ties = ['1', '2', '3', '4', '5'].map((n) =>
      Object.assign(new Review(), { id: `00000000-0000-4000-8000-00000000000${n}`, productId: product, authorId: userId(9000 + Number(n)), rating: 4, body: 'tie', createdAt }),
    );
    await subgraph.database.dataSource.getRepository(Review).insert(ties);
    const seen = await readAllPages(product, 2);
    expect(seen).toEqual(ties.map((r) => r.id).reverse());
  });

  it.each([[-1], [101]])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const response = await gql(subgraph.url, PRODUCTS, { r: products([productId(1)]), first });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it.each([
    ['not-a-cursor!'],
    ['WyJ4Il0x'],
    [Buffer.from('{"a":1}').toString('base64url')],
    [Buffer.from('["not a date","x"]').toString('base64url')],
    [Buffer.from('["2025-01-01T00:00:00.000Z",7]').toString('base64url')],
  ])('refuses a malformed cursor %s with BAD_USER_INPUT', async (after) => {
    const response = await gql(subgraph.url, PRODUCTS, { r: products([productId(1)]), first: 5, after });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers first: 0 with no edges but says whether reviews exist', async () => {
    const { body } = await gql(subgraph.url, PRODUCTS, { r: products([productId(1)]), first: 0 });
    const connection = (body.data!._entities as ProductResult[])[0]!.reviews;
    expect(connection.edges).toEqual([]);
    expect(connection.pageInfo).toEqual({ hasNextPage: seededOf(productId(1)).length > 0, endCursor: null });
  });

  it('computes reviewCount and averageRating per product exactly as a manual computation over the seed', async () => {
    const ids = Array.from({ length: plan.products }, (_, i) => productId(i + 1));
    const { body } = await gql(subgraph.url, PRODUCTS, { r: products(ids), first: 0 });
    for (const result of body.data!._entities as ProductResult[]) {
      const ratings = seeded.filter((r) => r.productId === result.id).map((r) => r.rating);
      expect(result.reviewCount).toBe(ratings.length);
      expect(result.reviews.totalCount).toBe(ratings.length);
      if (ratings.length === 0) expect(result.averageRating).toBeNull();
      else expect(result.averageRating).toBeCloseTo(ratings.reduce((a, b) => a + b, 0) / ratings.length, 10);
    }
  });

  it('gives a product without reviews an empty connection, count 0 and a null average', async () => {
    const { body } = await gql(subgraph.url, PRODUCTS, { r: products([productId(9999)]), first: 10 });
    expect((body.data!._entities as ProductResult[])[0]).toEqual({
      id: productId(9999),
      reviewCount: 0,
      averageRating: null,
      reviews: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] },
    });
  });

  it("batches User.reviews for all users of a request in one statement, each its newest 20 by default", async () => {
    const users = Array.from({ length: plan.users }, (_, i) => userId(i + 1));
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id reviews { id createdAt author { id } } } } }`;
    const response = await measured(query, { r: [...users, 'nobody'].map((id) => ({ __typename: 'User', id })) });
    expect(response.statements).toBe(1);
    const results = response.body.data!._entities as { id: string; reviews: { id: string; author: { id: string } }[] }[];
    for (const [i, user] of users.entries()) {
      const expected = seeded.filter((r) => r.authorId === user).sort(newestFirst);
      expect(expected.length).toBeGreaterThan(0);
      expect(results[i]!.reviews.map((r) => r.id)).toEqual(expected.slice(0, 20).map((r) => r.id));
      for (const review of results[i]!.reviews) expect(review.author.id).toBe(user);
    }
    expect(results[users.length]!.reviews).toEqual([]);
  });

  describe('User.reviews(first) is bounded', () => {
    /** A prolific author: 120 reviews of 4,000 characters, one per product, each a second apart. */
    const prolific = userId(8000);
    const body = 'x'.repeat(4000);
    const written: Review[] = Array.from({ length: 120 }, (_, i) =>
      Object.assign(new Review(), {
        id: randomUUID(),
        productId: productId(8000 + i),
        authorId: prolific,
        rating: 1 + (i % 5),
        body,
        createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
      }),
    );
    const newest = [...written].sort(newestFirst).map((r) => r.id);
    const USER_REVIEWS = `query($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on User { reviews(first: $first) { id } } } }`;
    const reviewsOf = (response: GraphQLResponse) => (response.body.data!._entities as { reviews: { id: string }[] }[])[0]!.reviews.map((r) => r.id);

    beforeAll(async () => {
      await subgraph.database.dataSource.getRepository(Review).insert(written);
    });

    it('gives the newest 20 without first, all 100 with first: 100', async () => {
      const r = [{ __typename: 'User', id: prolific }];
      expect(reviewsOf(await gql(subgraph.url, USER_REVIEWS, { r }))).toEqual(newest.slice(0, 20));
      expect(reviewsOf(await gql(subgraph.url, USER_REVIEWS, { r, first: 100 }))).toEqual(newest.slice(0, 100));
      expect(reviewsOf(await gql(subgraph.url, USER_REVIEWS, { r, first: 0 }))).toEqual([]);
    });

    it.each([[101], [-1], [1_000_000]])('refuses first: %i with BAD_USER_INPUT naming the bounds 0 to 100', async (first) => {
      const response = await gql(subgraph.url, USER_REVIEWS, { r: [{ __typename: 'User', id: prolific }], first });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors![0]!.message).toContain('from 0 to 100');
    });

    it('costs one statement whether 1 or 11 users are asked, however many reviews they wrote', async () => {
      const refs = (ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'User', id })), first: 100 });
      const one = await measured(USER_REVIEWS, refs([prolific]));
      const eleven = await measured(USER_REVIEWS, refs([prolific, ...Array.from({ length: plan.users }, (_, i) => userId(i + 1))]));
      expect(one.body.errors).toBeUndefined();
      expect(eleven.body.errors).toBeUndefined();
      expect(one.statements).toBe(1);
      expect(eleven.statements).toBe(1);
    });

    it('bounds the nested amplification of issue 13: reviews → author → reviews is 20 × 20 bodies, not 120 × 120', async () => {
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { reviews { id author { reviews { id body } } } } } }`;
      const text = JSON.stringify((await measured(query, { r: [{ __typename: 'User', id: prolific }] })).body);
      const outer = (JSON.parse(text).data._entities as { reviews: { author: { reviews: { body: string }[] } }[] }[])[0]!.reviews;
      expect(outer).toHaveLength(20);
      expect(outer.reduce((n, r) => n + r.author.reviews.length, 0)).toBe(400);
      // 400 bodies of 4,000 characters and their ids: about 1.6 MB, where 120 × 120 was 57.6 MB.
      expect(Buffer.byteLength(text)).toBeLessThan(1_700_000);
    });
  });

  it('resolves Review references in one statement, null for an unknown id', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Review { id rating body author { id } product { id } } } }`;
    const refs = [...seeded.slice(0, 30).map((r) => r.id), 'unknown'].map((id) => ({ __typename: 'Review', id }));
    const response = await measured(query, { r: refs });
    expect(response.statements).toBe(1);
    const entities = response.body.data!._entities as ({ id: string; author: { id: string }; product: { id: string } } | null)[];
    expect(entities.slice(0, 30).map((e) => e!.id)).toEqual(seeded.slice(0, 30).map((r) => r.id));
    expect(entities[0]).toMatchObject({ author: { id: seeded[0]!.authorId }, product: { id: seeded[0]!.productId } });
    expect(entities[30]).toBeNull();
  });

  it('finds a review by id, and answers NOT_FOUND with null data for an unknown one', async () => {
    const review = seeded[7]!;
    const found = await gql(subgraph.url, `query($id: ID!) { review(id: $id) { id rating body createdAt } }`, { id: review.id });
    expect(found.body.data!.review).toEqual({ id: review.id, rating: review.rating, body: review.body, createdAt: review.createdAt.toISOString() });
    const missing = await gql(subgraph.url, `{ review(id: "nope") { id } }`);
    expect(missing.body.data).toEqual({ review: null });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
  });

  describe('addReview', () => {
    const ADD = `mutation($input: AddReviewInput!) { addReview(input: $input) { id rating body createdAt author { id } product { id } } }`;
    const caller = deterministicId('user', 4242);
    // A product of the demo catalogue (products knows it); the 424x users are not in the seed.
    const product = productId(42);
    const input = { productId: product, rating: 5, body: '  Lovely thing.  ' };
    const seededOfProduct = seededOf(product).length;
    /** Reviews of the product written in these tests (the table's rows minus the seed's). */
    const reviewCount = async () => (await subgraph.database.dataSource.getRepository(Review).countBy({ productId: product })) - seededOfProduct;
    const tableRows = () => subgraph.database.dataSource.getRepository(Review).count();

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      expect(errorCodes(await gql(subgraph.url, ADD, { input }))).toEqual(['UNAUTHENTICATED']);
      expect(await reviewCount()).toBe(0);
    });

    it('refuses a bad rating, body or product id with BAD_USER_INPUT and writes nothing', async () => {
      const token = await keys.token({ userId: caller });
      for (const bad of [
        { rating: 0 },
        { rating: 6 },
        { rating: 2.5 },
        { body: '' },
        { body: '   ' },
        { body: 'x'.repeat(5001) },
        { productId: '' },
        { productId: 'p'.repeat(65) },
      ]) {
        const response = await gql(subgraph.url, ADD, { input: { ...input, ...bad } }, { token });
        expect({ bad, codes: errorCodes(response) }).toEqual({ bad, codes: ['BAD_USER_INPUT'] });
      }
      expect(await reviewCount()).toBe(0);
    });

    it('writes the review as the caller, then refuses a second one for the same product with CONFLICT', async () => {
      const token = await keys.token({ userId: caller });
      const created = await gql(subgraph.url, ADD, { input }, { token });
      expect(created.body.errors).toBeUndefined();
      const review = created.body.data!.addReview;
      expect(review).toMatchObject({ rating: 5, body: 'Lovely thing.', author: { id: caller }, product: { id: product } });
      const again = await gql(subgraph.url, `query($id: ID!) { review(id: $id) { id author { id } } }`, { id: review.id });
      expect(again.body.data!.review).toEqual({ id: review.id, author: { id: caller } });

      const duplicate = await gql(subgraph.url, ADD, { input: { ...input, rating: 1, body: 'Changed my mind' } }, { token });
      expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
      expect(await reviewCount()).toBe(1);

      const other = await keys.token({ userId: deterministicId('user', 4243) });
      const second = await gql(subgraph.url, ADD, { input }, { token: other });
      expect(second.body.data!.addReview.author.id).toBe(deterministicId('user', 4243));
      expect(await reviewCount()).toBe(2);
    });

    it('refuses a product that does not exist with BAD_USER_INPUT and stores nothing', async () => {
      const token = await keys.token({ userId: deterministicId('user', 4245) });
      const before = await tableRows();
      for (const missing of ['no-such-product', productId(9999), `' OR '1'='1`]) {
        const response = await gql(subgraph.url, ADD, { input: { ...input, productId: missing } }, { token });
        expect(response.body.data).toBeNull();
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.body.errors![0]!.message).toBe(`Product ${JSON.stringify(missing)} does not exist`);
        expect(response.body.errors![0]!.extensions).toMatchObject({ field: 'productId' });
      }
      expect(await tableRows()).toBe(before);
    });

    it('fails with DOWNSTREAM_SERVICE_ERROR (serviceName products) and stores nothing while products is down; reads still work', async () => {
      const token = await keys.token({ userId: deterministicId('user', 4246) });
      const before = await tableRows();
      productsLink.cut();
      try {
        const response = await gql(subgraph.url, ADD, { input: { ...input, productId: productId(43) } }, { token });
        expect(response.body.data).toBeNull();
        expect(response.body.errors!.map((e) => e.extensions)).toEqual([{ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' }]);
        expect(await tableRows()).toBe(before);
        // Reads never ask products: one service down does not take reviews down.
        const read = await gql(subgraph.url, PRODUCTS, { r: products([productId(1)]), first: 2 });
        expect(read.body.errors).toBeUndefined();
        expect((read.body.data!._entities as ProductResult[])[0]!.reviewCount).toBe(seededOf(productId(1)).length);
        const mine = await gql(subgraph.url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { reviews { id } } } }`, {
          r: [{ __typename: 'User', id: userId(1) }],
        });
        expect(mine.body.errors).toBeUndefined();
      } finally {
        productsLink.restore();
      }
      // Back up: the same review is stored.
      const retried = await gql(subgraph.url, ADD, { input: { ...input, productId: productId(43) } }, { token });
      expect(retried.body.errors).toBeUndefined();
      expect(await tableRows()).toBe(before + 1);
    });

    it('takes the author only from the token: an authorId in the input is a GraphQL validation error', async () => {
      const token = await keys.token({ userId: deterministicId('user', 4244) });
      const inline = await gql(
        subgraph.url,
        `mutation { addReview(input: { productId: "${product}", rating: 3, body: "Hi", authorId: "${userId(1)}" }) { id } }`,
        {},
        { token },
      );
      expect(errorCodes(inline)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const viaVariables = await gql(subgraph.url, ADD, { input: { ...input, authorId: userId(1) } }, { token });
      expect(viaVariables.body.data).toBeUndefined();
      expect(errorCodes(viaVariables)).toEqual(['BAD_USER_INPUT']);
      expect(await reviewCount()).toBe(2);
    });
  });
});
