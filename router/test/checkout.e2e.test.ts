import { randomUUID } from 'node:crypto';
import { seededRandom } from '@storefront/kit';
import { errorCodes, gql, type GraphQLResponse } from '@storefront/testing';
import { CANCEL_ORDER, createProduct, placeOrder, startCheckoutGraph, stockOf, type CheckoutGraph, type OrderLine } from './checkout-harness';

// jest ignores a project's testTimeout (only the root config's counts): these tests start services and race 50 calls.
jest.setTimeout(60_000);

let graph: CheckoutGraph;

beforeAll(async () => {
  graph = await startCheckoutGraph('checkout');
});

afterAll(async () => {
  await graph?.close();
});

const buyer = async (userId: string = randomUUID()) => ({ userId, token: await graph.keys.token({ userId }) });
const newProduct = (stock: number, priceCents?: number, name?: string) => createProduct(graph.products, graph.keys, { stock, priceCents, name });

/** Orders of these buyers by status, from orders' own database. */
async function statusesOf(buyerIds: readonly string[]): Promise<Record<string, number>> {
  const rows: { status: string; n: string | number }[] = await graph.orders.database.dataSource.query(
    `SELECT status, COUNT(*) AS n FROM orders WHERE buyerId IN (${buyerIds.map(() => '?').join(', ')}) GROUP BY status`,
    [...buyerIds],
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/** Units sold per product: the lines of CONFIRMED orders, from orders' database. */
async function confirmedUnits(productIds: readonly string[]): Promise<Record<string, number>> {
  const rows: { productId: string; units: string | number }[] = await graph.orders.database.dataSource.query(
    `SELECT i.productId, SUM(i.quantity) AS units FROM order_items i JOIN orders o ON o.id = i.orderId
     WHERE o.status = 'CONFIRMED' AND i.productId IN (${productIds.map(() => '?').join(', ')}) GROUP BY i.productId`,
    [...productIds],
  );
  const units = Object.fromEntries(productIds.map((id) => [id, 0]));
  for (const row of rows) units[row.productId] = Number(row.units);
  return units;
}

const heldReservations = async (): Promise<number> =>
  Number((await graph.products.database.dataSource.query(`SELECT COUNT(*) AS n FROM reservations WHERE status = 'HELD'`))[0].n);

describe('placeOrder through the router', () => {
  it('sells a product with stock 10 to exactly 10 of 50 concurrent buyers: 40 get CONFLICT, stock ends at 0, never below', async () => {
    const product = await newProduct(10, 2500, 'Hot sneaker');
    const buyers = await Promise.all(Array.from({ length: 50 }, () => buyer()));
    // Watch the stock while the buyers race: it must never be seen below zero.
    let racing = true;
    const seen: number[] = [];
    const watcher = (async () => {
      while (racing) seen.push((await stockOf(graph.products, [product]))[product]!);
    })();
    const responses = await Promise.all(buyers.map((b) => placeOrder(graph.router.url, b.token, [{ productId: product, quantity: 1 }])));
    racing = false;
    await watcher;

    const confirmed = responses.filter((r) => r.body.data?.placeOrder?.status === 'CONFIRMED');
    const conflicts = responses.filter((r) => errorCodes(r).includes('CONFLICT'));
    expect(confirmed).toHaveLength(10);
    expect(conflicts).toHaveLength(40);
    for (const response of conflicts) {
      // The router passes only public extensions (not productId); the message and field name the product.
      expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', field: 'items.0.productId' });
      expect(response.body.errors![0]!.message).toContain('Hot sneaker');
      expect(response.body.errors![0]!.message).toContain(product);
    }
    for (const response of confirmed) {
      expect(response.body.data!.placeOrder).toMatchObject({
        total: { amountCents: 2500, currency: 'USD' },
        items: [{ quantity: 1, unitPrice: { amountCents: 2500, currency: 'USD' }, product: { id: product } }],
      });
    }
    expect((await stockOf(graph.products, [product]))[product]).toBe(0);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);
    expect(await statusesOf(buyers.map((b) => b.userId))).toEqual({ CONFIRMED: 10, FAILED: 40 });
    expect(await heldReservations()).toBe(0);
  });

  it('creates one order for 20 concurrent calls with one idempotencyKey, and answers it to every call', async () => {
    const product = await newProduct(100);
    const { userId, token } = await buyer();
    const key = `checkout-${randomUUID()}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => placeOrder(graph.router.url, token, [{ productId: product, quantity: 3 }], key)));
    for (const response of responses) expect(response.body.errors).toBeUndefined();
    const ids = new Set(responses.map((r) => r.body.data!.placeOrder.id));
    expect(ids.size).toBe(1);
    for (const response of responses) expect(response.body.data!.placeOrder.status).toBe('CONFIRMED');
    expect(await statusesOf([userId])).toEqual({ CONFIRMED: 1 });
    expect((await stockOf(graph.products, [product]))[product]).toBe(97);

    // A retry later still answers the same order and takes nothing more.
    const retry = await placeOrder(graph.router.url, token, [{ productId: product, quantity: 3 }], key);
    expect(retry.body.data!.placeOrder.id).toBe([...ids][0]);
    expect((await stockOf(graph.products, [product]))[product]).toBe(97);
  });

  it('reserves nothing for a two-item order whose second item is out of stock, and fails it with CONFLICT naming that product', async () => {
    const inStock = await newProduct(5);
    const soldOut = await newProduct(0, 999, 'Sold-out scarf');
    const { userId, token } = await buyer();
    const key = randomUUID();
    const response = await placeOrder(graph.router.url, token, [{ productId: inStock, quantity: 2 }, { productId: soldOut, quantity: 1 }], key);
    expect(response.body.data).toBeNull();
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', field: 'items.1.productId', productId: soldOut });
    expect(response.body.errors![0]!.message).toContain('Sold-out scarf');
    expect(response.body.errors![0]!.message).toContain(soldOut);
    expect(await stockOf(graph.products, [inStock, soldOut])).toEqual({ [inStock]: 5, [soldOut]: 0 });
    expect(await statusesOf([userId])).toEqual({ FAILED: 1 });
    expect(await heldReservations()).toBe(0);
    // The same key replays the same failure rather than trying again.
    const retry = await placeOrder(graph.router.url, token, [{ productId: inStock, quantity: 2 }, { productId: soldOut, quantity: 1 }], key);
    expect(retry.body.errors).toEqual(response.body.errors);
    expect(await statusesOf([userId])).toEqual({ FAILED: 1 });
  });

  it('refuses bad input with BAD_USER_INPUT before anything is reserved, and an anonymous caller with UNAUTHENTICATED', async () => {
    const product = await newProduct(500);
    const { userId, token } = await buyer();
    const many = async (n: number) => Promise.all(Array.from({ length: n }, () => newProduct(1)));
    const cases: [string, OrderLine[], string?][] = [
      ['no items', []],
      ['51 items', (await many(51)).map((productId) => ({ productId, quantity: 1 }))],
      ['quantity 0', [{ productId: product, quantity: 0 }]],
      ['quantity 101', [{ productId: product, quantity: 101 }]],
      ['a product twice', [{ productId: product, quantity: 1 }, { productId: product, quantity: 2 }]],
      ['an empty key', [{ productId: product, quantity: 1 }], ''],
      ['a key of 129 characters', [{ productId: product, quantity: 1 }], 'k'.repeat(129)],
      ['a product id that is not one', [{ productId: 'not-a-product', quantity: 1 }]],
    ];
    for (const [label, items, key] of cases) {
      const response = await placeOrder(graph.router.url, token, items, key ?? randomUUID());
      expect([label, errorCodes(response)]).toEqual([label, ['BAD_USER_INPUT']]);
    }
    expect(await statusesOf([userId])).toEqual({});
    expect((await stockOf(graph.products, [product]))[product]).toBe(500);

    const anonymous = await gql(graph.router.url, `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, {
      input: { items: [{ productId: product, quantity: 1 }], idempotencyKey: randomUUID() },
    });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('fails an order for an unknown product with BAD_USER_INPUT naming it, taking nothing', async () => {
    const product = await newProduct(3);
    const unknown = randomUUID();
    const { userId, token } = await buyer();
    const response = await placeOrder(graph.router.url, token, [{ productId: product, quantity: 1 }, { productId: unknown, quantity: 1 }]);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items.1.productId' });
    expect(response.body.errors![0]!.message).toContain(unknown);
    expect((await stockOf(graph.products, [product]))[product]).toBe(3);
    expect(await statusesOf([userId])).toEqual({ FAILED: 1 });
  });
});

describe('cancelOrder through the router', () => {
  async function confirmedOrder(token: string, items: OrderLine[]): Promise<string> {
    const response = await placeOrder(graph.router.url, token, items);
    expect(response.body.data?.placeOrder?.status).toBe('CONFIRMED');
    return response.body.data!.placeOrder.id;
  }

  it('lets the buyer cancel a confirmed order, returns its stock once, and answers repeats with the cancelled order', async () => {
    const a = await newProduct(10);
    const b = await newProduct(10);
    const { token } = await buyer();
    const orderId = await confirmedOrder(token, [{ productId: a, quantity: 4 }, { productId: b, quantity: 1 }]);
    expect(await stockOf(graph.products, [a, b])).toEqual({ [a]: 6, [b]: 9 });
    // Concurrent and repeated cancellations return the stock exactly once.
    const responses = await Promise.all(Array.from({ length: 5 }, () => gql(graph.router.url, CANCEL_ORDER, { id: orderId }, { token })));
    for (const response of responses) expect(response.body.data!.cancelOrder).toEqual({ id: orderId, status: 'CANCELLED' });
    const again = await gql(graph.router.url, CANCEL_ORDER, { id: orderId }, { token });
    expect(again.body.data!.cancelOrder.status).toBe('CANCELLED');
    expect(await stockOf(graph.products, [a, b])).toEqual({ [a]: 10, [b]: 10 });
  });

  it("refuses another user's cancellation with FORBIDDEN but lets an admin cancel", async () => {
    const product = await newProduct(5);
    const owner = await buyer();
    const orderId = await confirmedOrder(owner.token, [{ productId: product, quantity: 2 }]);
    const stranger = await buyer();
    const refused = await gql(graph.router.url, CANCEL_ORDER, { id: orderId }, { token: stranger.token });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect((await stockOf(graph.products, [product]))[product]).toBe(3);
    const admin = await graph.keys.token({ userId: randomUUID(), roles: ['admin'] });
    const cancelled = await gql(graph.router.url, CANCEL_ORDER, { id: orderId }, { token: admin });
    expect(cancelled.body.data!.cancelOrder.status).toBe('CANCELLED');
    expect((await stockOf(graph.products, [product]))[product]).toBe(5);
  });

  it('answers NOT_FOUND for an unknown order and CONFLICT for a failed one', async () => {
    const { token } = await buyer();
    expect(errorCodes(await gql(graph.router.url, CANCEL_ORDER, { id: randomUUID() }, { token }))).toEqual(['NOT_FOUND']);
    const soldOut = await newProduct(0);
    const key = randomUUID();
    await placeOrder(graph.router.url, token, [{ productId: soldOut, quantity: 1 }], key);
    const [failed] = await graph.orders.database.dataSource.query(`SELECT id FROM orders WHERE idempotencyKey = ?`, [key]);
    expect(errorCodes(await gql(graph.router.url, CANCEL_ORDER, { id: failed.id }, { token }))).toEqual(['CONFLICT']);
  });
});

describe('a randomized run of concurrent checkouts and cancellations', () => {
  it('keeps, for every product, initial stock = current stock + units of confirmed orders', async () => {
    const random = seededRandom(20_260_122);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const initial = [12, 8, 20, 5, 15];
    const products = await Promise.all(initial.map((stock) => newProduct(stock)));
    const buyers = await Promise.all(Array.from({ length: 12 }, () => buyer()));
    const placed: { id: string; token: string }[] = [];
    const outcomes: Record<string, number> = {};
    const count = (response: GraphQLResponse) => {
      const code = response.body.errors ? String(errorCodes(response)[0]) : 'OK';
      outcomes[code] = (outcomes[code] ?? 0) + 1;
    };

    for (let round = 0; round < 5; round++) {
      const operations: Promise<void>[] = [];
      for (let i = 0; i < 24; i++) {
        if (placed.length > 0 && random() < 0.35) {
          // Cancel an earlier order, sometimes one that is being cancelled at the same moment.
          const order = pick(placed);
          operations.push(gql(graph.router.url, CANCEL_ORDER, { id: order.id }, { token: order.token }).then(count));
        } else {
          const lines = new Map<string, number>();
          const n = 1 + Math.floor(random() * 3);
          for (let line = 0; line < n; line++) lines.set(pick(products), 1 + Math.floor(random() * 4));
          const who = pick(buyers);
          const items = [...lines].map(([productId, quantity]) => ({ productId, quantity }));
          operations.push(
            placeOrder(graph.router.url, who.token, items).then((response) => {
              count(response);
              const order = response.body.data?.placeOrder;
              if (order) placed.push({ id: order.id, token: who.token });
            }),
          );
        }
      }
      await Promise.all(operations);
    }

    // Only outcomes the contract allows: success, or out of stock.
    expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['OK']));
    for (const code of Object.keys(outcomes)) expect(['OK', 'CONFLICT']).toContain(code);
    const stock = await stockOf(graph.products, products);
    const sold = await confirmedUnits(products);
    for (const [i, id] of products.entries()) {
      expect({ id, total: stock[id]! + sold[id]! }).toEqual({ id, total: initial[i] });
      expect(stock[id]).toBeGreaterThanOrEqual(0);
    }
    const statuses = await statusesOf(buyers.map((b) => b.userId));
    expect(statuses.PENDING).toBeUndefined();
    expect(statuses.CANCELLING).toBeUndefined();
    expect(statuses.CANCELLED).toBeGreaterThan(0);
    expect(await heldReservations()).toBe(0);
    console.info(`randomized checkout run: ${JSON.stringify(outcomes)}; orders ${JSON.stringify(statuses)}`);
  });
});

// Last: it stops products for a while.
describe('when products is down', () => {
  it('fails the order with DOWNSTREAM_SERVICE_ERROR, moves no stock, and checkout works again once products is back', async () => {
    const product = await newProduct(7);
    const { userId, token } = await buyer();
    await graph.stopProducts();
    const response = await gql(
      graph.router.url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
      { input: { items: [{ productId: product, quantity: 2 }], idempotencyKey: randomUUID() } },
      { token },
    );
    expect(response.body.data).toBeNull();
    // The gateway names the subgraph that answered the error (orders); the message names products.
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'DOWNSTREAM_SERVICE_ERROR' });
    expect(response.body.errors![0]!.message).toMatch(/products service is unavailable/);
    expect(await statusesOf([userId])).toEqual({ FAILED: 1 });

    await graph.restartProducts();
    expect((await stockOf(graph.products, [product]))[product]).toBe(7);
    expect(await heldReservations()).toBe(0);
    const later = await placeOrder(graph.router.url, token, [{ productId: product, quantity: 2 }]);
    expect(later.body.data!.placeOrder.status).toBe('CONFIRMED');
    expect((await stockOf(graph.products, [product]))[product]).toBe(5);
  });
});
