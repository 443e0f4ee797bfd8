import { deterministicId, startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, errorCodes, gql, testKeys, testSubgraphEnv, type GraphQLResponse, type TestDatabase } from '@storefront/testing';
import { Order } from '../src/entities/order.entity';
import { ordersSubgraph } from '../src/server';

const keys = testKeys();
let database: TestDatabase;
let subgraph: RunningSubgraph;

// The demo plan: 30 orders over 10 users, order i bought by user ((i - 1) mod 10) + 1.
const userId = (n: number) => deterministicId('user', n);
const orderId = (i: number) => deterministicId('order', i);
const tokenOf = (n: number) => keys.token({ userId: userId(n) });
const adminToken = () => keys.token({ userId: userId(1), roles: ['admin'] });

beforeAll(async () => {
  database = await createTestDatabase('orders');
  subgraph = await startSubgraph(
    ordersSubgraph,
    testSubgraphEnv({ DATABASE_URL: database.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem }),
  );
});

afterAll(async () => {
  await subgraph?.close();
  await database?.drop();
});

/** Runs an operation and returns how many SQL statements it cost. */
async function measured<T>(run: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = subgraph.database.statements.count;
  const result = await run();
  return { result, statements: subgraph.database.statements.count - before };
}

const ORDER = `query($id: ID!) { order(id: $id) { id status buyer { id } total { amountCents currency } createdAt } }`;

const USER_ORDERS = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on User {
      id
      orders(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id createdAt buyer { id } total { amountCents } items { quantity unitPrice { amountCents } } } }
      }
    }
  }
}`;
const users = (...ns: number[]) => ns.map((n) => ({ __typename: 'User', id: userId(n) }));

type Edge = { cursor: string; node: { id: string; createdAt: string; buyer: { id: string } } };

describe('order(id)', () => {
  it('lets the buyer read their own order', async () => {
    const { body } = await gql(subgraph.url, ORDER, { id: orderId(2) }, { token: await tokenOf(2) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.order).toMatchObject({ id: orderId(2), buyer: { id: userId(2) }, total: { currency: 'USD' } });
  });

  it("lets an admin read anyone's order", async () => {
    const { body } = await gql(subgraph.url, ORDER, { id: orderId(2) }, { token: await adminToken() });
    expect(body.data!.order.buyer.id).toBe(userId(2));
  });

  it("refuses another user's order with FORBIDDEN and no data", async () => {
    const response = await gql(subgraph.url, ORDER, { id: orderId(2) }, { token: await tokenOf(3) });
    expect(response.body.data).toEqual({ order: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('refuses an anonymous caller with UNAUTHENTICATED, for known and unknown ids alike', async () => {
    for (const id of [orderId(2), 'no-such-order']) {
      const response = await gql(subgraph.url, ORDER, { id });
      expect(response.body.data).toEqual({ order: null });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    const response = await gql(subgraph.url, ORDER, { id: deterministicId('order', 999_999) }, { token: await adminToken() });
    expect(response.body.data).toEqual({ order: null });
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('seeds a few cancelled orders among confirmed ones', async () => {
    const token = await adminToken();
    const statuses = await Promise.all(
      [6, 7, 8, 14].map(async (i) => (await gql(subgraph.url, ORDER, { id: orderId(i) }, { token })).body.data!.order.status),
    );
    expect(statuses).toEqual(['CONFIRMED', 'CANCELLED', 'CONFIRMED', 'CANCELLED']);
  });
});

describe('Order entities', () => {
  const ORDER_ENTITIES = `query($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Order { id total { amountCents currency } items { quantity unitPrice { amountCents currency } product { id } } }
    }
  }`;
  const orders = (...is: number[]) => is.map((i) => ({ __typename: 'Order', id: orderId(i) }));

  it('resolves 30 orders and all their items in two statements, each total the sum of its items', async () => {
    const token = await adminToken();
    const all = Array.from({ length: 30 }, (_, i) => i + 1);
    const { result, statements } = await measured(() => gql(subgraph.url, ORDER_ENTITIES, { r: orders(...all) }, { token }));
    expect(result.body.errors).toBeUndefined();
    const entities = result.body.data!._entities as {
      id: string;
      total: { amountCents: number; currency: string };
      items: { quantity: number; unitPrice: { amountCents: number; currency: string }; product: { id: string } }[];
    }[];
    expect(entities.map((e) => e.id)).toEqual(all.map(orderId));
    for (const order of entities) {
      expect(order.items.length).toBeGreaterThanOrEqual(1);
      expect(order.items.length).toBeLessThanOrEqual(3);
      expect(new Set(order.items.map((item) => item.product.id)).size).toBe(order.items.length);
      const sum = order.items.reduce((total, item) => total + item.quantity * item.unitPrice.amountCents, 0);
      expect(order.total).toEqual({ amountCents: sum, currency: 'USD' });
    }
    expect(statements).toBe(2);
  });

  it("answers a reference to someone else's order with null and FORBIDDEN, and an unknown one with null", async () => {
    const token = await tokenOf(2);
    const response = await gql(
      subgraph.url,
      ORDER_ENTITIES,
      { r: [...orders(2, 3), { __typename: 'Order', id: 'unknown' }] },
      { token },
    );
    const entities = response.body.data!._entities as ({ id: string } | null)[];
    expect(entities[0]!.id).toBe(orderId(2));
    expect(entities.slice(1)).toEqual([null, null]);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('refuses order references from an anonymous caller with UNAUTHENTICATED', async () => {
    const response = await gql(subgraph.url, ORDER_ENTITIES, { r: orders(2) });
    expect(response.body.data!._entities).toEqual([null]);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('User.orders', () => {
  it("lets a user read their own orders, newest first, with the total count", async () => {
    const { body } = await gql(subgraph.url, USER_ORDERS, { r: users(4) }, { token: await tokenOf(4) });
    expect(body.errors).toBeUndefined();
    const connection = body.data!._entities[0].orders;
    expect(connection.totalCount).toBe(3);
    expect(connection.pageInfo.hasNextPage).toBe(false);
    expect(connection.edges.map((e: Edge) => e.node.id)).toEqual([orderId(24), orderId(14), orderId(4)]);
    for (const edge of connection.edges) expect(edge.node.buyer.id).toBe(userId(4));
  });

  it("lets an admin read another user's orders", async () => {
    const { body } = await gql(subgraph.url, USER_ORDERS, { r: users(5) }, { token: await adminToken() });
    expect(body.data!._entities[0].orders.totalCount).toBe(3);
  });

  // User.orders is nullable (a field of another service's entity): a refusal nulls just that field.
  it("refuses another user's orders with FORBIDDEN and an anonymous caller with UNAUTHENTICATED", async () => {
    const other = await gql(subgraph.url, USER_ORDERS, { r: users(5) }, { token: await tokenOf(4) });
    expect(other.body.data!._entities).toEqual([{ id: userId(5), orders: null }]);
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    const anonymous = await gql(subgraph.url, USER_ORDERS, { r: users(5) });
    expect(anonymous.body.data!._entities).toEqual([{ id: userId(5), orders: null }]);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('fails only the orders the caller may not read when several users are asked at once', async () => {
    const response = await gql(subgraph.url, USER_ORDERS, { r: users(4, 5, 6) }, { token: await tokenOf(5) });
    const entities = response.body.data!._entities as { orders: { totalCount: number } | null }[];
    expect(entities[0]!.orders).toBeNull();
    expect(entities[1]!.orders!.totalCount).toBe(3);
    expect(entities[2]!.orders).toBeNull();
    expect(errorCodes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });

  it('costs the same number of SQL statements for 10 users as for 2 (page, count, items)', async () => {
    const token = await adminToken();
    const two = await measured(() => gql(subgraph.url, USER_ORDERS, { r: users(1, 2), first: 2 }, { token }));
    const ten = await measured(() =>
      gql(subgraph.url, USER_ORDERS, { r: users(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), first: 2 }, { token }),
    );
    expect(two.result.body.errors).toBeUndefined();
    expect(ten.result.body.errors).toBeUndefined();
    const entities = ten.result.body.data!._entities as { id: string; orders: { totalCount: number; edges: Edge[] } }[];
    entities.forEach((user, index) => {
      expect(user.id).toBe(userId(index + 1));
      expect(user.orders.totalCount).toBe(3);
      expect(user.orders.edges.map((e) => e.node.id)).toEqual([orderId(index + 21), orderId(index + 11)]);
    });
    expect(ten.statements).toBe(two.statements);
    expect(ten.statements).toBe(3);
  });

  it('costs one page statement per distinct (first, after) in a request, not per user', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { a: orders(first: 1) { edges { node { id } } } b: orders(first: 2) { edges { node { id } } } } } }`;
    const { result, statements } = await measured(async () =>
      gql(subgraph.url, query, { r: users(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }, { token: await adminToken() }),
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!._entities[9].a.edges).toHaveLength(1);
    expect(result.body.data!._entities[9].b.edges).toHaveLength(2);
    expect(statements).toBe(2);
  });

  it('pages with cursors through all of a user’s orders without gaps or repeats', async () => {
    const token = await tokenOf(7);
    const everything = await gql(subgraph.url, USER_ORDERS, { r: users(7), first: 10 }, { token });
    const expected = everything.body.data!._entities[0].orders.edges.map((e: Edge) => e.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const response: GraphQLResponse = await gql(subgraph.url, USER_ORDERS, { r: users(7), first: 1, after }, { token });
      const connection = response.body.data!._entities[0].orders;
      expect(connection.totalCount).toBe(3);
      seen.push(...connection.edges.map((e: Edge) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(seen).toEqual([orderId(27), orderId(17), orderId(7)]);
  });

  it('breaks ties on createdAt by id, so orders placed in the same millisecond page exactly once', async () => {
    const buyerId = '00000000-0000-4000-8000-00000000e1e1';
    const at = new Date('2026-01-01T10:00:00.123Z');
    const ids = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-8000-0000000000a${i}`);
    await subgraph.database.dataSource.getRepository(Order).insert(
      ids.map((id, i) => ({
        id,
        buyerId,
        status: 'CONFIRMED' as const,
        totalCents: 100,
        currency: 'USD',
        idempotencyKey: `tie-${i}`,
        reservationId: null,
        failureReason: null,
        // The last one is older, so the keyset must also cross from equal to earlier timestamps.
        createdAt: i === 4 ? new Date(at.getTime() - 1) : at,
        updatedAt: at,
      })),
    );
    const token = await keys.token({ userId: buyerId });
    const seen: Edge[] = [];
    let after: string | null = null;
    do {
      const response: GraphQLResponse = await gql(subgraph.url, USER_ORDERS, { r: [{ __typename: 'User', id: buyerId }], first: 2, after }, { token });
      const connection = response.body.data!._entities[0].orders;
      seen.push(...connection.edges);
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    expect(seen.map((e) => e.node.id)).toEqual([ids[3], ids[2], ids[1], ids[0], ids[4]]);
    expect(seen.map((e) => e.node.createdAt).slice(0, 4)).toEqual(Array(4).fill(at.toISOString()));
  });

  it('answers an empty connection for a user without orders', async () => {
    const stranger = '00000000-0000-4000-8000-0000000000ff';
    const { body } = await gql(
      subgraph.url,
      USER_ORDERS,
      { r: [{ __typename: 'User', id: stranger }] },
      { token: await keys.token({ userId: stranger }) },
    );
    expect(body.data!._entities[0].orders).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it.each([[-1], [101]])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const response = await gql(subgraph.url, USER_ORDERS, { r: users(4), first }, { token: await tokenOf(4) });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it.each([
    ['not base64url', 'not-a-cursor!'],
    ['one element', Buffer.from('["x"]').toString('base64url')],
    ['a string timestamp', Buffer.from('["2025-01-01","x"]').toString('base64url')],
    ['a numeric id', Buffer.from('[1,2]').toString('base64url')],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
  ])('refuses a malformed cursor (%s) with BAD_USER_INPUT', async (_label, after) => {
    const response = await gql(subgraph.url, USER_ORDERS, { r: users(4), first: 2, after }, { token: await tokenOf(4) });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('Product.shippingEstimate', () => {
  const SHIPPING = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id shippingEstimate { amountCents currency } } } }`;

  it('computes the estimate from the price and weight in the representation, without SQL', async () => {
    const r = [
      { __typename: 'Product', id: 'p1', price: { amountCents: 5_000, currency: 'USD' }, weightGrams: 1_234 },
      { __typename: 'Product', id: 'p2', price: { amountCents: 10_000, currency: 'EUR' }, weightGrams: 5_000 },
      { __typename: 'Product', id: 'p3', price: { amountCents: 9_999, currency: 'GBP' }, weightGrams: 0 },
    ];
    const { result, statements } = await measured(() => gql(subgraph.url, SHIPPING, { r }));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!._entities).toEqual([
      { id: 'p1', shippingEstimate: { amountCents: 623, currency: 'USD' } },
      { id: 'p2', shippingEstimate: { amountCents: 0, currency: 'EUR' } },
      { id: 'p3', shippingEstimate: { amountCents: 499, currency: 'GBP' } },
    ]);
    expect(statements).toBe(0);
  });

  it('fails as an internal error, not a made-up price, when the required fields are missing', async () => {
    const response = await gql(subgraph.url, SHIPPING, { r: [{ __typename: 'Product', id: 'p1' }] });
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});
