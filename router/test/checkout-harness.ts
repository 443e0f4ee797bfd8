import { randomUUID } from 'node:crypto';
import { createLogger, parseEnv, startSubgraph, type RunningSubgraph, type SubgraphEnv } from '@storefront/kit';
import { createTestDatabase, gql, testKeys, testSubgraphEnv, type GraphQLResponse, type TestDatabase } from '@storefront/testing';
import { ordersSubgraph } from '../../subgraphs/orders/src/server';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';

/** One secret for every service of a test graph, as a deployment shares SERVICE_SECRET. */
export const TEST_SERVICE_SECRET = 'checkout-e2e-service-secret-0123456789abcdef';

/** Extra variables of the products and orders environments (their env.ts), all optional here. */
export type ProductsTestEnv = SubgraphEnv & Partial<Record<'RESERVATION_TTL_SECONDS' | 'RESERVATION_SWEEP_SECONDS', number>>;
export type OrdersTestEnv = SubgraphEnv &
  Partial<Record<'PRODUCTS_TIMEOUT_MS' | 'RECONCILE_INTERVAL_SECONDS' | 'RECONCILE_AFTER_SECONDS', number>> &
  Partial<Record<'PRODUCTS_SERVICE_URL' | 'ORDERS_CRASH_AFTER_RESERVE', string>>;

/** A URL nothing listens on: users and reviews are not needed for checkout. */
const NOWHERE = 'http://127.0.0.1:9/graphql';

export interface CheckoutGraph {
  router: RunningRouter;
  products: RunningSubgraph;
  orders: RunningSubgraph;
  keys: ReturnType<typeof testKeys>;
  databases: { products: TestDatabase; orders: TestDatabase };
  /** Stops products (it is "down") and starts it again on the same port and database. */
  stopProducts(): Promise<void>;
  restartProducts(): Promise<void>;
  close(): Promise<void>;
}

export function productsTestEnv(database: TestDatabase, publicKeyPem: string, overrides: Partial<ProductsTestEnv> = {}): ProductsTestEnv {
  return {
    ...testSubgraphEnv({ DATABASE_URL: database.url, JWT_PUBLIC_KEY: publicKeyPem, SERVICE_SECRET: TEST_SERVICE_SECRET }),
    ...overrides,
  };
}

/**
 * The checkout path as in production, in this process on port 0: products and orders on fresh
 * MariaDB databases (orders calling products' signed reservation API over HTTP), behind the router.
 */
export async function startCheckoutGraph(
  label: string,
  options: { products?: Partial<ProductsTestEnv>; orders?: Partial<OrdersTestEnv> } = {},
): Promise<CheckoutGraph> {
  const keys = testKeys();
  const [productsDb, ordersDb] = await Promise.all([createTestDatabase(`${label}_products`), createTestDatabase(`${label}_orders`)]);
  const productsEnv = productsTestEnv(productsDb, keys.publicKeyPem, options.products);
  let products: RunningSubgraph | undefined = await startSubgraph(productsSubgraph, productsEnv);
  const productsPort = products.port;
  const ordersEnv: OrdersTestEnv = {
    ...testSubgraphEnv({ DATABASE_URL: ordersDb.url, JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: TEST_SERVICE_SECRET }),
    PRODUCTS_SERVICE_URL: products.http.url,
    // Generous for a loaded CI box; the 50-way race must not turn into timeouts.
    PRODUCTS_TIMEOUT_MS: 5000,
    ...options.orders,
  };
  const orders = await startSubgraph(ordersSubgraph, ordersEnv);
  const routerEnv = parseEnv(envSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    SERVICE_SECRET: TEST_SERVICE_SECRET,
    // The response cache is off: these tests place orders, then read stock and orders at once, and a
    // cached answer would rightly serve them the value from before.
    RESPONSE_CACHE: 'false',
  });
  const router = await startRouter(routerEnv, createLogger('router', 'silent'), {
    users: NOWHERE,
    reviews: NOWHERE,
    products: products.url,
    orders: orders.url,
  });
  const graph: CheckoutGraph = {
    router,
    get products() {
      if (!products) throw new Error('products is stopped');
      return products;
    },
    orders,
    keys,
    databases: { products: productsDb, orders: ordersDb },
    async stopProducts() {
      await products?.close();
      products = undefined;
    },
    async restartProducts() {
      products = await startSubgraph(productsSubgraph, { ...productsEnv, PORT: productsPort });
    },
    async close() {
      await router.close();
      await orders.close();
      await products?.close();
      await Promise.all([productsDb.drop(), ordersDb.drop()]);
    },
  };
  return graph;
}

let skus = 0;

/** Adds a product to the catalogue (as an admin, on products directly: setup, not the subject). */
export async function createProduct(
  products: RunningSubgraph,
  keys: ReturnType<typeof testKeys>,
  fields: { stock: number; priceCents?: number; name?: string },
): Promise<string> {
  skus += 1;
  const { body } = await gql(
    products.url,
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    {
      input: {
        sku: `CHK-${skus}-${randomUUID().slice(0, 8)}`,
        name: fields.name ?? `Checkout product ${skus}`,
        priceCents: fields.priceCents ?? 1999,
        stock: fields.stock,
        weightGrams: 500,
      },
    },
    { token: await keys.token({ userId: randomUUID(), roles: ['admin'] }) },
  );
  if (body.errors) throw new Error(`createProduct failed: ${JSON.stringify(body.errors)}`);
  return body.data!.createProduct.id;
}

/** Current stock by product id, read from products' database in one statement. */
export async function stockOf(products: RunningSubgraph, ids: readonly string[]): Promise<Record<string, number>> {
  const rows: { id: string; stock: number }[] = await products.database.dataSource.query(
    `SELECT id, stock FROM products WHERE id IN (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
  return Object.fromEntries(rows.map((row) => [row.id, Number(row.stock)]));
}

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id status createdAt total { amountCents currency }
    items { quantity unitPrice { amountCents currency } product { id stock } }
  }
}`;

export const CANCEL_ORDER = `mutation CancelOrder($id: ID!) { cancelOrder(id: $id) { id status } }`;

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** placeOrder as the orders subgraph alone can answer it (no fields of products). */
export const PLACE_ORDER_ON_ORDERS = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id status total { amountCents currency } items { quantity unitPrice { amountCents } product { id } } }
}`;

export function placeOrder(
  url: string,
  token: string,
  items: OrderLine[],
  idempotencyKey: string = randomUUID(),
  query: string = PLACE_ORDER,
): Promise<GraphQLResponse> {
  return gql(url, query, { input: { items, idempotencyKey } }, { token });
}
