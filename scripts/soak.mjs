#!/usr/bin/env node
// `npm run soak`: the long soak. The four subgraphs and the router run as their own processes
// (dist, as deployed) on a fresh embedded database (or MySQL with SOAK_DB=mysql), 50 clients send
// a mix of queries through the router on loopback, and the reviews subgraph is stopped (SIGTERM)
// and started again twice. Prints requests, errors by kind, latency and RSS before and after; exits
// 1 if the router answered a 5xx, an error came outside an outage window or for another subgraph,
// other subgraphs' data went missing, or the router's memory grew past the bound below.
//
//   SOAK_SECONDS=180 SOAK_CONCURRENCY=50 SOAK_DOWN_SECONDS=10 SOAK_WARM_UP_SECONDS=15 \
//   SOAK_DB=embedded|mysql (MYSQL_URL) node scripts/soak.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clearInterval, clearTimeout, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
// Seeded ids are the kit's, so the soak asks for rows that exist.
import { deterministicId } from '@storefront/kit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const SECONDS = Number(env.SOAK_SECONDS ?? 180);
const CONCURRENCY = Number(env.SOAK_CONCURRENCY ?? 50);
const DOWN_SECONDS = Number(env.SOAK_DOWN_SECONDS ?? 10);
/** Load before the "before" figures, so caches, pools and the heap are warm. */
const WARM_UP_SECONDS = Number(env.SOAK_WARM_UP_SECONDS ?? 15);
const DB = env.SOAK_DB ?? 'embedded';
const MYSQL_URL = env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
/** The router's breaker default: an open breaker tries reviews again after this long. */
const HALF_OPEN_MS = 5_000;
/**
 * Memory is judged on the router's JS heap floor: the lowest `nodejs_heap_size_used_bytes` over
 * the last 10 s of the warm-up and of the soak, sampled every second under load (a major GC brings
 * the heap down to what is live; the lowest sample is the closest we get to it from outside). RSS
 * is printed but not judged: it is what the allocator holds, and V8 grows its heap lazily under
 * load, so it creeps long after the live data stopped growing. Bound: a quarter plus 16 MB; a leak
 * of 1 KB per request breaks it within the default three minutes (~60,000 requests).
 */
const heapBound = (before) => before * 1.25 + 16 * 1024 * 1024;

const pick = (kind, count) => deterministicId(kind, 1 + Math.floor(Math.random() * count));

const OPERATIONS = [
  {
    name: 'catalog',
    query: `{ products(first: 10) { totalCount edges { node { id name price { amountCents currency } reviewCount averageRating } } } }`,
    variables: () => ({}),
    othersServed: (d) => (d?.products?.edges ?? []).filter((e) => typeof e.node.name === 'string').length === 10,
  },
  {
    name: 'product page',
    query: `query($id: ID!) { product(id: $id) { name stock reviews(first: 3) { totalCount edges { node { rating body author { name } } } } } }`,
    variables: () => ({ id: pick('product', 50) }),
    othersServed: (d) => typeof d?.product?.name === 'string',
  },
  {
    name: 'shipping',
    query: `{ products(first: 5) { edges { node { sku shippingEstimate { amountCents } } } } }`,
    variables: () => ({}),
    othersServed: (d) => (d?.products?.edges ?? []).filter((e) => e.node.shippingEstimate !== null).length === 5,
  },
  {
    name: 'user reviews',
    query: `query($id: ID!) { user(id: $id) { name reviews { rating product { name } } } }`,
    variables: () => ({ id: pick('user', 10) }),
    othersServed: (d) => typeof d?.user?.name === 'string',
  },
  {
    name: 'review',
    query: `query($id: ID!) { review(id: $id) { rating body product { name } } }`,
    variables: () => ({ id: pick('review', 200) }),
    othersServed: () => true,
  },
];

// ---------------------------------------------------------------- processes

const processes = new Map();

function startService(name, workspace, extraEnv) {
  const child = spawn(process.execPath, [join(root, workspace, 'dist', 'index.js')], {
    cwd: root,
    env: { PATH: env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const line of chunk.toString().split('\n').filter(Boolean)) keep(line);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within 120 s:\n${tail.join('\n')}`)), 120_000);
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        keep(line);
        try {
          const entry = JSON.parse(line);
          if (typeof entry.msg === 'string' && entry.msg.endsWith(' ready') && typeof entry.port === 'number') {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${stderr.slice(-1000)}`));
    });
  });
  const service = {
    name,
    child,
    tail,
    async ready() {
      service.port = await ready;
      service.url = `http://127.0.0.1:${service.port}`;
      return service;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  processes.set(name, service);
  return service;
}

async function stopAll() {
  await Promise.all([...processes.values()].map((s) => s.stop()));
}

/** A gauge of a process's own /metrics (prom-client's process and Node collectors). */
async function gauge(service, name) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}
const rssOf = (service) => gauge(service, 'process_resident_memory_bytes');

/** Samples the router's heap and RSS every second. */
function sampleMemory(service) {
  const samples = [];
  const timer = setInterval(async () => {
    const [heap, rss] = await Promise.all([gauge(service, 'nodejs_heap_size_used_bytes'), rssOf(service)]).catch(() => [NaN, NaN]);
    samples.push({ at: Date.now(), heap, rss });
  }, 1_000);
  return {
    samples,
    stop: () => clearInterval(timer),
    /** The lowest heap seen in the last `ms`. */
    heapFloor: (ms) => Math.min(...samples.filter((s) => s.at >= Date.now() - ms && Number.isFinite(s.heap)).map((s) => s.heap)),
  };
}

// ---------------------------------------------------------------- databases

async function mysqlDatabases(names) {
  const { createConnection } = await import('mysql2/promise');
  const prefix = `soak_${randomBytes(3).toString('hex')}_`;
  const connection = await createConnection({ uri: MYSQL_URL });
  for (const name of names) await connection.query(`CREATE DATABASE \`${prefix}${name}\``);
  await connection.end();
  const urls = Object.fromEntries(
    names.map((name) => {
      const url = new URL(MYSQL_URL);
      url.pathname = `/${prefix}${name}`;
      return [name, url.toString()];
    }),
  );
  return {
    urls,
    async drop() {
      const c = await createConnection({ uri: MYSQL_URL });
      for (const name of names) await c.query(`DROP DATABASE IF EXISTS \`${prefix}${name}\``);
      await c.end();
    },
  };
}

// ---------------------------------------------------------------- load

function startLoad(url, concurrency) {
  const outcomes = [];
  let running = true;
  let next = 0;
  const client = async () => {
    while (running) {
      const operation = OPERATIONS[next++ % OPERATIONS.length];
      const start = Date.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: operation.query, variables: operation.variables() }),
        });
        const body = await response.json();
        outcomes.push({ start, end: Date.now(), status: response.status, errors: body.errors ?? [], othersServed: operation.othersServed(body.data) });
      } catch (error) {
        outcomes.push({ start, end: Date.now(), status: 0, errors: [], othersServed: false, failure: String(error) });
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

const overlaps = (o, w) => o.start <= w.to && o.end >= w.from;

function violation(o, windows) {
  if (o.failure) return `no answer: ${o.failure}`;
  if (o.status !== 200) return `HTTP ${o.status}`;
  if (o.errors.length === 0) return o.othersServed ? undefined : 'incomplete data without an error';
  if (!windows.some((w) => overlaps(o, w))) return `error outside the outage windows: ${o.errors[0].message}`;
  for (const e of o.errors) {
    if (e.extensions?.code !== 'DOWNSTREAM_SERVICE_ERROR' || e.extensions.serviceName !== 'reviews') return `unexpected error: ${JSON.stringify(e)}`;
  }
  return o.othersServed ? undefined : 'the other subgraphs’ data is missing';
}

function errorKind(e) {
  const code = e.extensions?.code ?? 'NO_CODE';
  const service = e.extensions?.serviceName ? ` ${e.extensions.serviceName}` : '';
  const why = /circuit open/.test(e.message)
    ? 'circuit open'
    : /timed out/.test(e.message)
      ? 'timed out'
      : /is unavailable/.test(e.message)
        ? 'unavailable'
        : /could not answer/.test(e.message)
          ? 'http error'
          : 'other';
  return `${code}${service} (${why})`;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

// ---------------------------------------------------------------- main

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'storefront-soak-'));
  const names = ['users', 'products', 'reviews', 'orders'];
  const mysql = DB === 'mysql' ? await mysqlDatabases(names) : undefined;
  const shared = { DATA_DIR: dataDir };
  const dbEnv = (name) => (mysql ? { DATABASE_URL: mysql.urls[name] } : {});
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, ${mysql ? `MySQL at ${new URL(MYSQL_URL).host}` : 'embedded SQLite'}; reviews restarted twice, down ${DOWN_SECONDS} s each`);
  const t0 = Date.now();
  try {
    // Sequential: the first start makes the development keys and secret in DATA_DIR.
    const products = await startService('products', 'subgraphs/products', { ...shared, ...dbEnv('products'), SEED: 'demo' }).ready();
    const others = await Promise.all(
      ['users', 'reviews', 'orders'].map((name) =>
        startService(name, `subgraphs/${name}`, { ...shared, ...dbEnv(name), SEED: 'demo', ...(name === 'orders' ? { PRODUCTS_SERVICE_URL: products.url } : {}) }).ready(),
      ),
    );
    const subgraphs = Object.fromEntries([products, ...others].map((s) => [s.name, s]));
    const router = await startService('router', 'router', {
      ...shared,
      ...Object.fromEntries(names.map((name) => [`${name.toUpperCase()}_URL`, `${subgraphs[name].url}/graphql`])),
    }).ready();
    console.log(`started in ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up ${WARM_UP_SECONDS} s`);

    const memory = sampleMemory(router);
    const warmUp = startLoad(`${router.url}/graphql`, CONCURRENCY);
    await sleep(WARM_UP_SECONDS * 1000);
    const heapBefore = memory.heapFloor(10_000);
    await warmUp.stop();
    const services = () => ['router', ...names].map((name) => processes.get(name));
    const rssBefore = Object.fromEntries(await Promise.all(services().map(async (s) => [s.name, await rssOf(s)])));

    const load = startLoad(`${router.url}/graphql`, CONCURRENCY);
    const began = Date.now();
    const windows = [];
    const mainSeconds = SECONDS - WARM_UP_SECONDS;
    for (let restart = 1; restart <= 2; restart++) {
      const at = began + (mainSeconds * 1000 * restart) / 3 - (DOWN_SECONDS * 1000) / 2;
      await sleep(Math.max(0, at - Date.now()));
      const from = Date.now();
      const port = subgraphs.reviews.port;
      await subgraphs.reviews.stop();
      await sleep(DOWN_SECONDS * 1000);
      subgraphs.reviews = await startService('reviews', 'subgraphs/reviews', { ...shared, ...dbEnv('reviews'), PORT: String(port), SEED: 'none' }).ready();
      const back = Date.now();
      windows.push({ from, back, to: back + HALF_OPEN_MS + 2_000 });
      console.log(`restart ${restart}: reviews down at ${((from - began) / 1000).toFixed(1)} s, back at ${((Date.now() - began) / 1000).toFixed(1)} s`);
    }
    await sleep(Math.max(0, began + mainSeconds * 1000 - Date.now()));
    const heapAfter = memory.heapFloor(10_000);
    await load.stop();
    memory.stop();
    const elapsed = (Date.now() - began) / 1000;
    await sleep(2_000);
    const rssAfter = Object.fromEntries(await Promise.all(services().map(async (s) => [s.name, await rssOf(s)])));

    // ------------------------------------------------------------ report
    const { outcomes } = load;
    const statuses = {};
    const errors = {};
    for (const o of outcomes) {
      const status = o.failure ? 'no answer' : String(o.status);
      statuses[status] = (statuses[status] ?? 0) + 1;
      for (const e of o.errors) errors[errorKind(e)] = (errors[errorKind(e)] ?? 0) + 1;
    }
    const violations = outcomes.map((o) => violation(o, windows)).filter(Boolean);
    const latencies = outcomes.filter((o) => !o.failure).map((o) => o.end - o.start).sort((a, b) => a - b);
    const settled = outcomes.filter((o) => o.start > windows.at(-1).to);
    const memoryOk = heapAfter <= heapBound(heapBefore);
    const trend = memory.samples.filter((_, i) => i % 15 === 0);

    console.log('');
    console.log(`requests          ${outcomes.length} in ${elapsed.toFixed(0)} s (${(outcomes.length / elapsed).toFixed(0)}/s), plus ${warmUp.outcomes.length} in the warm-up`);
    console.log(`HTTP statuses     ${Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    console.log(`responses w/ errors ${outcomes.filter((o) => o.errors.length > 0).length}`);
    console.log(`errors by kind    ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}`);
    console.log(`latency           p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`);
    windows.forEach((w, i) => {
      const inWindow = outcomes.filter((o) => overlaps(o, w));
      const failed = inWindow.filter((o) => o.errors.length > 0);
      const lastError = Math.max(...failed.map((o) => o.end));
      console.log(
        `outage ${i + 1}          reviews down ${((w.from - began) / 1000).toFixed(1)}–${((w.back - began) / 1000).toFixed(1)} s: ` +
          `${inWindow.length} requests in the window, ${failed.length} with reviews errors; ` +
          `full answers again ${failed.length ? ((lastError - w.back) / 1000).toFixed(1) : '0'} s after reviews was back`,
      );
    });
    console.log(`after outages     ${settled.length} requests, ${settled.filter((o) => o.errors.length > 0).length} with errors`);
    console.log(`violations        ${violations.length}${violations.length ? ` (first: ${violations[0]})` : ''}`);
    console.log('RSS (MB)          before  after');
    for (const s of services()) {
      const note = s.name === 'reviews' ? '  (a new process after the restarts)' : '';
      console.log(`  ${s.name.padEnd(15)} ${mb(rssBefore[s.name]).padStart(6)} ${mb(rssAfter[s.name]).padStart(6)}${note}`);
    }
    console.log(`router RSS every 15 s (MB): ${trend.map((s) => mb(s.rss)).join(' → ')}`);
    console.log(`router heap floor ${mb(heapBefore)} MB after the warm-up, ${mb(heapAfter)} MB at the end: ${memoryOk ? 'flat' : 'GREW'} (bound ${mb(heapBound(heapBefore))} MB)`);
    const passed = violations.length === 0 && !statuses['no answer'] && memoryOk && settled.every((o) => o.errors.length === 0);
    console.log(`\nsoak ${passed ? 'PASSED' : 'FAILED'}`);
    process.exitCode = passed ? 0 : 1;
  } finally {
    await stopAll();
    await mysql?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
main().catch(async (error) => {
  console.error(`soak failed: ${error.message}`);
  await stopAll();
  process.exit(1);
});
