#!/usr/bin/env node
// Checkout throughput for ONE hot product: how many orders per second the saga confirms when every
// buyer wants the same row. Not a test: run it by hand after `npm run build`, with MariaDB/MySQL up.
//
//   node subgraphs/orders/bench/hot-product.mjs [seconds per level, default 5] [concurrency levels, default 1,10,50]
//
// It starts products and orders as processes (their built dist, as deployed) on fresh databases
// (MYSQL_URL, default mysql://root@127.0.0.1:3306), creates one product with ample stock, and sends
// placeOrder (1 unit, a different buyer each) straight to orders at each concurrency level.
// Every order is the full saga: PENDING row → reserve (products) → confirm (products) → CONFIRMED.
// A last row spreads the highest concurrency over 50 products: if it is no faster, the hot row's
// lock is not what limits throughput (the CPU of the services and the database is).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '@storefront/kit';
import { createConnection } from 'mysql2/promise';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const seconds = Number(process.argv[2] ?? 5);
const levels = (process.argv[3] ?? '1,10,50').split(',').map(Number);
const mysqlUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const STOCK = 10_000_000;

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const secret = randomBytes(32).toString('base64url');
const suffix = randomBytes(3).toString('hex');
const databases = { products: `bench_hot_products_${suffix}`, orders: `bench_hot_orders_${suffix}` };
const children = [];

async function onServer(run) {
  const connection = await createConnection({ uri: mysqlUrl });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

const databaseUrl = (name) => Object.assign(new URL(mysqlUrl), { pathname: `/${name}` }).toString();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startService(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'subgraphs', name, 'dist', 'index.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), `bench-${name}-`)),
      JWT_PUBLIC_KEY: publicKeyPem,
      SERVICE_SECRET: secret,
      DATABASE_URL: databaseUrl(databases[name]),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} was not ready`);
}

async function graphql(url, query, variables, token) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const token = (userId, roles = []) => signToken(privateKey, { userId, roles, scopes: [] }, 3600);

async function run() {
  await onServer((c) => Promise.all(Object.values(databases).map((db) => c.query(`CREATE DATABASE \`${db}\``))));
  const productsUrl = await startService('products', {});
  const ordersUrl = await startService('orders', { PRODUCTS_SERVICE_URL: productsUrl });
  const created = await graphql(
    productsUrl,
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
    { input: { sku: `HOT-${suffix}`, name: 'The hot product', priceCents: 4200, stock: STOCK, weightGrams: 300 } },
    await token(randomUUID(), ['admin']),
  );
  const productId = created.data.createProduct.id;
  const spread = [];
  for (let i = 0; i < 50; i++) {
    const more = await graphql(
      productsUrl,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku: `COLD-${suffix}-${i}`, name: `Cold product ${i}`, priceCents: 4200, stock: STOCK, weightGrams: 300 } },
      await token(randomUUID(), ['admin']),
    );
    spread.push(more.data.createProduct.id);
  }
  // Tokens are made up front so signing does not count against the services.
  const tokens = await Promise.all(Array.from({ length: 2000 }, () => token(randomUUID())));
  const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';

  console.log(`\nOne hot product, quantity 1 per order, ${seconds}s per level, orders → products over HTTP, MariaDB for both.`);
  console.log('concurrency | confirmed | orders/s | p50 ms | p95 ms | p99 ms | errors');
  let sold = 0;
  const runs = [...levels.map((level) => ({ level, label: String(level), pick: () => productId })), {
    level: Math.max(...levels),
    label: `${Math.max(...levels)} over 50`,
    pick: (n) => spread[n % spread.length],
  }];
  for (const { level, label, pick } of runs) {
    // Warm-up, so connection pools and JIT are settled before measuring.
    await Promise.all(
      Array.from({ length: level }, (_, i) =>
        graphql(ordersUrl, PLACE, { input: { items: [{ productId: pick(i), quantity: 1 }], idempotencyKey: randomUUID() } }, tokens[i % tokens.length]),
      ),
    );
    if (pick(0) === productId) sold += level;
    const latencies = [];
    let confirmed = 0;
    let errors = 0;
    let next = 0;
    const deadline = Date.now() + seconds * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: level }, async () => {
        while (Date.now() < deadline) {
          const at = performance.now();
          const n = next++;
          const body = await graphql(
            ordersUrl,
            PLACE,
            { input: { items: [{ productId: pick(n), quantity: 1 }], idempotencyKey: randomUUID() } },
            tokens[n % tokens.length],
          );
          latencies.push(performance.now() - at);
          if (body.data?.placeOrder?.status === 'CONFIRMED') confirmed += 1;
          else errors += 1;
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    if (pick(0) === productId) sold += confirmed;
    latencies.sort((a, b) => a - b);
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
    console.log(
      `${label.padStart(11)} | ${String(confirmed).padStart(9)} | ${(confirmed / elapsed).toFixed(0).padStart(8)} | ${pct(50).padStart(6)} | ${pct(95).padStart(6)} | ${pct(99).padStart(6)} | ${errors}`,
    );
  }
  const stock = await graphql(productsUrl, 'query($id: ID!) { product(id: $id) { stock } }', { id: productId }, await token(randomUUID()));
  const check = stock.data.product.stock === STOCK - sold ? 'ok' : `MISMATCH (expected ${STOCK - sold})`;
  console.log(`\nstock after the run: ${stock.data.product.stock} = ${STOCK} - ${sold} sold: ${check}`);
}

async function cleanUp() {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
  await onServer((c) => Promise.all(Object.values(databases).map((db) => c.query(`DROP DATABASE IF EXISTS \`${db}\``))));
}

run()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
