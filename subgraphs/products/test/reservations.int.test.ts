import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, signRequest, startSubgraph, type RunningSubgraph, type SubgraphEnv } from '@storefront/kit';
import { createTestDatabase, gql, testKeys, testSubgraphEnv, type TestDatabase } from '@storefront/testing';
import { In } from 'typeorm';
import { Product } from '../src/entities/product.entity';
import { ReservationError, reserve } from '../src/reservation.service';
import { productsSubgraph } from '../src/server';

const SECRET = 'reservations-test-secret-0123456789abcdef';
// jest ignores a project's testTimeout (only the root config's counts): a slow CI box needs more than 5 s here.
jest.setTimeout(30_000);

const keys = testKeys();
let database: TestDatabase;
let subgraph: RunningSubgraph;
const started: RunningSubgraph[] = [];

type ProductsTestEnv = SubgraphEnv & { RESERVATION_TTL_SECONDS?: number; RESERVATION_SWEEP_SECONDS?: number };

async function startProducts(overrides: Partial<ProductsTestEnv>): Promise<RunningSubgraph> {
  const env: ProductsTestEnv = {
    ...testSubgraphEnv({ JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: SECRET }),
    // The sweeper is tested on its own instance; here expiry is on demand only.
    RESERVATION_SWEEP_SECONDS: 3600,
    ...overrides,
  };
  const running = await startSubgraph(productsSubgraph, env);
  started.push(running);
  return running;
}

beforeAll(async () => {
  database = await createTestDatabase('reservations');
  subgraph = await startProducts({ DATABASE_URL: database.url });
});

afterAll(async () => {
  for (const running of started.reverse()) await running.close();
  await database?.drop();
});

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into replies
  body: any;
}

/** Calls the service API as the orders service does: a signed POST. */
async function call(path: string, payload: unknown, options: { on?: RunningSubgraph; secret?: string; service?: string; target?: string } = {}): Promise<Reply> {
  const body = JSON.stringify(payload);
  const target = options.on ?? subgraph;
  const response = await fetch(`${target.http.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signRequest(options.secret ?? SECRET, options.service ?? 'orders', { target: options.target ?? 'products', method: 'POST', path, body }),
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

let skuCounter = 0;
async function newProduct(stock: number, priceCents = 1250, on: RunningSubgraph = subgraph): Promise<string> {
  skuCounter += 1;
  const { body } = await gql(
    on.url,
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    { input: { sku: `RES-${skuCounter}-${randomUUID().slice(0, 8)}`, name: `Reservable ${skuCounter}`, priceCents, stock, weightGrams: 100 } },
    { token: await keys.token({ userId: randomUUID(), roles: ['admin'] }) },
  );
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!.createProduct.id;
}

async function stockOf(id: string, on: RunningSubgraph = subgraph): Promise<number> {
  const { body } = await gql(on.url, `query($id: ID!) { product(id: $id) { stock } }`, { id });
  return body.data!.product.stock;
}

describe('the reservation API refuses calls that are not signed by the orders service', () => {
  const path = '/internal/reservations';
  const payload = () => ({ orderId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] });

  it('answers 401 to an unsigned call', async () => {
    const response = await fetch(`${subgraph.http.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload()),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as Reply['body']).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to a call signed with another secret, or by a service that may not call', async () => {
    expect((await call(path, payload(), { secret: 'not-the-secret-0123456789abcdefghijkl' })).status).toBe(401);
    expect((await call(path, payload(), { service: 'reviews' })).status).toBe(401);
  });

  it('answers 401 to a replayed or altered call', async () => {
    const body = JSON.stringify({ orderId: randomUUID(), items: [{ productId: await newProduct(5), quantity: 1 }] });
    const headers = { 'content-type': 'application/json', ...signRequest(SECRET, 'orders', { target: 'products', method: 'POST', path, body }) };
    const first = await fetch(`${subgraph.http.url}${path}`, { method: 'POST', headers, body });
    expect(first.status).toBe(201);
    const replay = await fetch(`${subgraph.http.url}${path}`, { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    const altered = await fetch(`${subgraph.http.url}${path}`, { method: 'POST', headers, body: body.replace('"quantity":1', '"quantity":2') });
    expect(altered.status).toBe(401);
  });
});

describe('reserving', () => {
  it('takes every item at once and answers the id, expiry and unit prices; a repeat returns the same reservation', async () => {
    const a = await newProduct(5, 1000);
    const b = await newProduct(3, 250);
    const orderId = randomUUID();
    const request = { orderId, items: [{ productId: a, quantity: 2 }, { productId: b, quantity: 3 }] };
    const before = Date.now();
    const { status, body } = await call('/internal/reservations', request);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      orderId,
      status: 'HELD',
      items: [
        { productId: a, quantity: 2, unitPriceCents: 1000, currency: 'USD' },
        { productId: b, quantity: 3, unitPriceCents: 250, currency: 'USD' },
      ],
    });
    // The default hold is 60 seconds.
    expect(Date.parse(body.expiresAt)).toBeGreaterThanOrEqual(before + 59_000);
    expect([await stockOf(a), await stockOf(b)]).toEqual([3, 0]);

    const again = await call('/internal/reservations', request);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(body.id);
    expect([await stockOf(a), await stockOf(b)]).toEqual([3, 0]);
  });

  it('takes nothing when one item is short, and names that product with CONFLICT', async () => {
    const plenty = await newProduct(10);
    const scarce = await newProduct(1);
    const orderId = randomUUID();
    const { status, body } = await call('/internal/reservations', {
      orderId,
      items: [{ productId: plenty, quantity: 4 }, { productId: scarce, quantity: 2 }],
    });
    expect(status).toBe(409);
    expect(body.errors[0].extensions).toEqual({ code: 'CONFLICT', productId: scarce });
    expect(body.errors[0].message).toContain(scarce);
    expect([await stockOf(plenty), await stockOf(scarce)]).toEqual([10, 1]);
    const rows = await subgraph.database.dataSource.query('SELECT id FROM reservations WHERE orderId = ?', [orderId]);
    expect(rows).toHaveLength(0);
  });

  it('refuses an unknown product with BAD_USER_INPUT naming it, and a malformed request', async () => {
    const unknown = randomUUID();
    const { status, body } = await call('/internal/reservations', {
      orderId: randomUUID(),
      items: [{ productId: await newProduct(3), quantity: 1 }, { productId: unknown, quantity: 1 }],
    });
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', productId: unknown });
    expect(body.errors[0].message).toContain(unknown);
    const empty = await call('/internal/reservations', { orderId: randomUUID(), items: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('never sells more than the stock when 30 reservations race for 10 units', async () => {
    const hot = await newProduct(10);
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => call('/internal/reservations', { orderId: randomUUID(), items: [{ productId: hot, quantity: 1 }] })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(10);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(20);
    expect(await stockOf(hot)).toBe(0);
  });
});

describe('confirming, releasing and returning', () => {
  async function held(productId: string, quantity: number): Promise<string> {
    const orderId = randomUUID();
    const { status } = await call('/internal/reservations', { orderId, items: [{ productId, quantity }] });
    expect(status).toBe(201);
    return orderId;
  }

  it('confirms idempotently, keeps a confirmed reservation on release, and returns its stock once', async () => {
    const product = await newProduct(5);
    const orderId = await held(product, 2);
    for (let i = 0; i < 2; i++) {
      const confirmed = await call('/internal/reservations/confirm', { orderId });
      expect([confirmed.status, confirmed.body.status]).toEqual([200, 'CONFIRMED']);
    }
    expect((await call('/internal/reservations/release', { orderId })).body.status).toBe('CONFIRMED');
    expect(await stockOf(product)).toBe(3);
    for (let i = 0; i < 2; i++) {
      expect((await call('/internal/reservations/return', { orderId })).body.status).toBe('RETURNED');
    }
    expect(await stockOf(product)).toBe(5);
  });

  it('releases a held reservation once, however many releases arrive together', async () => {
    const product = await newProduct(4);
    const orderId = await held(product, 3);
    const replies = await Promise.all(Array.from({ length: 5 }, () => call('/internal/reservations/release', { orderId })));
    for (const reply of replies) expect(reply.body.status).toBe('RELEASED');
    expect(await stockOf(product)).toBe(4);
    expect((await call('/internal/reservations/confirm', { orderId })).body.status).toBe('RELEASED');
  });

  it('records a release that arrives before its reserve, so the late reserve takes nothing', async () => {
    const product = await newProduct(2);
    const orderId = randomUUID();
    expect((await call('/internal/reservations/release', { orderId })).body).toMatchObject({ status: 'RELEASED', items: [] });
    const late = await call('/internal/reservations', { orderId, items: [{ productId: product, quantity: 1 }] });
    expect([late.status, late.body.status]).toEqual([200, 'RELEASED']);
    expect(await stockOf(product)).toBe(2);
  });

  it('answers NOT_FOUND when confirming an unknown order', async () => {
    const { status, body } = await call('/internal/reservations/confirm', { orderId: randomUUID() });
    expect(status).toBe(404);
    expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('returns the stock of an order placed before reservations existed once, from the items given', async () => {
    const product = await newProduct(1);
    const orderId = randomUUID();
    for (let i = 0; i < 2; i++) {
      const { body } = await call('/internal/reservations/return', { orderId, items: [{ productId: product, quantity: 2 }] });
      expect(body.status).toBe('RETURNED');
    }
    expect(await stockOf(product)).toBe(3);
  });
});

describe('expiry', () => {
  const expireNow = (on: RunningSubgraph, orderId: string) =>
    on.database.dataSource.query(`UPDATE reservations SET expiresAt = '2000-01-01 00:00:00.000' WHERE orderId = ?`, [orderId]);

  it('does not confirm a reservation past its expiry: it expires it and returns the stock', async () => {
    const product = await newProduct(3);
    const orderId = randomUUID();
    await call('/internal/reservations', { orderId, items: [{ productId: product, quantity: 3 }] });
    await expireNow(subgraph, orderId);
    expect((await call('/internal/reservations/confirm', { orderId })).body.status).toBe('EXPIRED');
    expect(await stockOf(product)).toBe(3);
  });

  it('frees expired holds on demand when a reservation finds the stock short', async () => {
    const product = await newProduct(2);
    const stale = randomUUID();
    await call('/internal/reservations', { orderId: stale, items: [{ productId: product, quantity: 2 }] });
    await expireNow(subgraph, stale);
    const fresh = await call('/internal/reservations', { orderId: randomUUID(), items: [{ productId: product, quantity: 2 }] });
    expect(fresh.status).toBe(201);
    expect(await stockOf(product)).toBe(0);
    expect((await call('/internal/reservations/confirm', { orderId: stale })).body.status).toBe('EXPIRED');
  });

  it('sweeps expired holds on a timer and returns their stock', async () => {
    // A second instance on the same database with a fast sweeper, as a replica would run.
    const sweeping = await startProducts({ DATABASE_URL: database.url, RESERVATION_SWEEP_SECONDS: 0.1 });
    const product = await newProduct(4, 100, sweeping);
    const orderId = randomUUID();
    await call('/internal/reservations', { orderId, items: [{ productId: product, quantity: 4 }] }, { on: sweeping });
    expect(await stockOf(product)).toBe(0);
    await expireNow(sweeping, orderId);
    const deadline = Date.now() + 5000;
    while ((await stockOf(product)) !== 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await stockOf(product)).toBe(4);
    expect((await call('/internal/reservations/confirm', { orderId })).body.status).toBe('EXPIRED');
  });
});

describe('on the embedded database (sql.js)', () => {
  it('keeps racing reservations apart on its single connection: 20 callers, 5 units, exactly 5 sold, the rest rolled back', async () => {
    // In-process calls, so the transactions really interleave: sql.js has one connection, and
    // without serialising them TypeORM would nest one request's transaction inside another's.
    const embedded = await openDatabase({
      name: 'products',
      dataDir: mkdtempSync(join(tmpdir(), 'storefront-res-')),
      entities: productsSubgraph.entities,
      migrations: productsSubgraph.migrations,
    });
    try {
      const db = embedded.dataSource;
      const product = async (stock: number) => {
        const id = randomUUID();
        await db.getRepository(Product).insert({
          id, sku: id.slice(0, 12), name: 'Embedded', description: null, priceCents: 100, currency: 'USD', stock, weightGrams: 1, createdAt: new Date(),
        });
        return id;
      };
      const hot = await product(5);
      const plenty = await product(100);
      // Each call also takes a plentiful product, so a call that fails on the hot one must give it back.
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => reserve(db, randomUUID(), [{ productId: plenty, quantity: 1 }, { productId: hot, quantity: 1 }], 60)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refusals.map((r) => (r.reason as ReservationError).code)).toEqual(Array(15).fill('CONFLICT'));
      const stock = await db.getRepository(Product).findBy({ id: In([hot, plenty]) });
      expect(Object.fromEntries(stock.map((p) => [p.id, p.stock]))).toEqual({ [hot]: 0, [plenty]: 95 });
    } finally {
      await embedded.close();
    }
  });
});
