import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, errorCodes, testKeys, type TestDatabase } from '@storefront/testing';
import { createConnection, type Connection } from 'mysql2/promise';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { PLACE_ORDER_ON_ORDERS, TEST_SERVICE_SECRET, createProduct, placeOrder as placeOrderWith, productsTestEnv, stockOf, type OrderLine } from './checkout-harness';

/**
 * Orders really dies here: it runs as its own process (the built service, as deployed) with the
 * test-only crash switch, which exits right after products has reserved the stock.
 */
const ORDERS_ENTRY = join(__dirname, '..', '..', 'subgraphs', 'orders', 'dist', 'index.js');

// jest ignores a project's testTimeout (only the root config's counts): this test starts three processes.
jest.setTimeout(60_000);

const keys = testKeys();
let productsDb: TestDatabase;
let ordersDb: TestDatabase;
let products: RunningSubgraph;
let orders: Connection;
const children = new Set<ChildProcess>();

interface OrdersProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the orders service as a process and resolves once it logs that it listens. */
function startOrders(extra: Record<string, string>): Promise<OrdersProcess> {
  const child = spawn(process.execPath, [ORDERS_ENTRY], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'storefront-crash-')),
      DATABASE_URL: ordersDb.url,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_SECRET: TEST_SERVICE_SECRET,
      PRODUCTS_SERVICE_URL: products.http.url,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('orders did not start within 20 s')), 20_000);
    void exited.then(({ code }) => reject(new Error(`orders exited (${code}) before it was ready: ${stderr.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'subgraph ready' && entry.port) {
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${entry.port}/graphql`, child, exited });
        }
      } catch {
        // not a log line
      }
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const placeOrder = (url: string, token: string, items: OrderLine[], key: string) => placeOrderWith(url, token, items, key, PLACE_ORDER_ON_ORDERS);

const orderOf = async (buyerId: string) => {
  const [rows] = await orders.query('SELECT id, status, totalCents FROM orders WHERE buyerId = ?', [buyerId]);
  return (rows as { id: string; status: string; totalCents: number }[])[0];
};
const reservationOf = async (orderId: string): Promise<{ status: string } | undefined> =>
  (await products.database.dataSource.query('SELECT status FROM reservations WHERE orderId = ?', [orderId]))[0];

beforeAll(async () => {
  if (!existsSync(ORDERS_ENTRY)) throw new Error(`${ORDERS_ENTRY} is missing: build first (npm run build, or npx tsc -p tsconfig.build.json in subgraphs/orders)`);
  [productsDb, ordersDb] = await Promise.all([createTestDatabase('crash_products'), createTestDatabase('crash_orders')]);
  // A fast sweeper, so a reservation found expired returns its stock within the test.
  products = await startSubgraph(productsSubgraph, productsTestEnv(productsDb, keys.publicKeyPem, { RESERVATION_SWEEP_SECONDS: 0.2 }));
  orders = await createConnection({ uri: ordersDb.url });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await orders?.end();
  await products?.close();
  await Promise.all([productsDb?.drop(), ordersDb?.drop()]);
});

describe('orders killed between reserving and confirming', () => {
  it('after a restart, stock and orders agree: a held reservation is confirmed, an expired one fails its order', async () => {
    const product = await createProduct(products, keys, { stock: 10, priceCents: 1500 });
    const kept = { userId: randomUUID(), key: randomUUID(), quantity: 3 };
    const lapsed = { userId: randomUUID(), key: randomUUID(), quantity: 2 };
    // The crashing runs must not reconcile anything themselves.
    const crashing = { ORDERS_CRASH_AFTER_RESERVE: '1', RECONCILE_AFTER_SECONDS: '3600' };

    for (const purchase of [kept, lapsed]) {
      const doomed = await startOrders(crashing);
      const token = await keys.token({ userId: purchase.userId });
      await expect(placeOrder(doomed.url, token, [{ productId: product, quantity: purchase.quantity }], purchase.key)).rejects.toThrow();
      const { code, signal } = await doomed.exited;
      expect({ code, signal }).toEqual({ code: 70, signal: null });
      // Died mid-saga: the order is PENDING and products holds its stock.
      const order = await orderOf(purchase.userId);
      expect(order?.status).toBe('PENDING');
      expect(await reservationOf(order!.id)).toEqual({ status: 'HELD' });
    }
    expect((await stockOf(products, [product]))[product]).toBe(5);

    // While orders is down, the second hold passes its expiry: products' sweeper returns its stock.
    const lapsedOrder = (await orderOf(lapsed.userId))!;
    await products.database.dataSource.query(`UPDATE reservations SET expiresAt = '2000-01-01 00:00:00.000' WHERE orderId = ?`, [lapsedOrder.id]);
    await waitFor('the sweeper', async () => ((await reservationOf(lapsedOrder.id))?.status === 'EXPIRED' ? true : undefined));
    expect((await stockOf(products, [product]))[product]).toBe(7);

    // Restarted without the switch, orders reconciles its PENDING orders with products.
    const restarted = await startOrders({ RECONCILE_AFTER_SECONDS: '0', RECONCILE_INTERVAL_SECONDS: '0.5' });
    const keptOrder = await waitFor('the kept order', async () => {
      const order = await orderOf(kept.userId);
      return order?.status === 'PENDING' ? undefined : order;
    });
    const failedOrder = await waitFor('the lapsed order', async () => {
      const order = await orderOf(lapsed.userId);
      return order?.status === 'PENDING' ? undefined : order;
    });
    expect(keptOrder).toMatchObject({ status: 'CONFIRMED', totalCents: 4500 });
    expect(failedOrder.status).toBe('FAILED');
    expect(await reservationOf(keptOrder.id)).toEqual({ status: 'CONFIRMED' });
    // Stock and orders agree: 10 = 7 in stock + 3 sold.
    expect((await stockOf(products, [product]))[product]).toBe(7);

    // The buyers' retries (same keys) see the outcome, through the restarted service.
    const again = await placeOrder(restarted.url, await keys.token({ userId: kept.userId }), [{ productId: product, quantity: 3 }], kept.key);
    expect(again.body.data!.placeOrder).toMatchObject({ id: keptOrder.id, status: 'CONFIRMED', items: [{ quantity: 3 }] });
    const lost = await placeOrder(restarted.url, await keys.token({ userId: lapsed.userId }), [{ productId: product, quantity: 2 }], lapsed.key);
    expect(errorCodes(lost)).toEqual(['CONFLICT']);
    expect((await stockOf(products, [product]))[product]).toBe(7);

    restarted.child.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
  });
});
