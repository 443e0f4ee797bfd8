#!/usr/bin/env node
// `npm start`: runs the four subgraphs and the router together with labelled logs, seeds the demo
// data once, restarts a service that dies (with backoff), and stops everything cleanly on Ctrl-C. Without MYSQL_URL every subgraph uses its
// embedded SQLite file under .data/; with it, each gets its own database on that server.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const env = process.env;
const SUBGRAPHS = [
  { name: 'users', port: 4001 },
  { name: 'products', port: 4002 },
  { name: 'reviews', port: 4003 },
  { name: 'orders', port: 4004 },
];
const COLORS = { users: 36, products: 33, reviews: 35, orders: 32, router: 34 };
const READY_TIMEOUT_MS = 120_000;

function databaseUrl(name) {
  if (!env.MYSQL_URL) return undefined;
  const url = new URL(env.MYSQL_URL);
  url.pathname = `/${env.MYSQL_DATABASE_PREFIX ?? ''}${name}`;
  return url.toString();
}

const children = new Map();
let stopping = false;

function label(name, stream, target) {
  let buffer = '';
  const prefix = process.stdout.isTTY ? `\x1b[${COLORS[name]}m${name.padEnd(8)}\x1b[0m| ` : `${name.padEnd(8)}| `;
  stream.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) target.write(prefix + line + '\n');
  });
}

/** A service that dies after it was ready is restarted after 1 s, 2 s, 4 s … at most 30 s. */
const RESTART_MAX_MS = 30_000;
/** A service that stayed up this long starts its backoff afresh when it dies. */
const STABLE_MS = 60_000;
const ready = new Set();
const restarts = new Map();

function start(name, script, extraEnv) {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startedAt = Date.now();
  label(name, child.stdout, process.stdout);
  label(name, child.stderr, process.stderr);
  console.log(`${name} started (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    const how = signal ?? `code ${code}`;
    // One that never became ready is misconfigured: waitReady reports it and npm start fails.
    if (!ready.has(name)) return console.error(`${name} exited (${how}) before it was ready.`);
    // One service down must not take the others down: they keep running while it restarts.
    const count = Date.now() - startedAt > STABLE_MS ? 0 : (restarts.get(name) ?? 0);
    const delay = Math.min(1000 * 2 ** count, RESTART_MAX_MS);
    restarts.set(name, count + 1);
    console.error(`${name} exited (${how}); restarting in ${delay / 1000}s (restart ${count + 1}); the other services keep running.`);
    setTimeout(() => {
      if (!stopping) start(name, script, extraEnv);
    }, delay);
  });
  children.set(name, child);
  return child;
}

async function waitReady(name, url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let delay = 50;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} stopped before it was ready (see its log above)`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) {
        ready.add(name);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`${name} was not ready within ${READY_TIMEOUT_MS / 1000}s`);
}

function stop(signal = 'SIGTERM') {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the supergraph…');
  if (children.size === 0) process.exit(0);
  for (const child of children.values()) child.kill(signal);
  setTimeout(() => process.exit(1), 15_000).unref();
}
process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));

async function main() {
  const seed = env.SEED ?? 'demo';
  for (const { name, port } of SUBGRAPHS) {
    const portVar = `${name.toUpperCase()}_PORT`;
    start(name, join(root, 'subgraphs', name, 'dist', 'index.js'), {
      PORT: env[portVar] ?? String(port),
      SEED: seed,
      ...(env.MYSQL_URL ? { DATABASE_URL: databaseUrl(name) } : {}),
    });
  }
  await Promise.all(
    SUBGRAPHS.map(({ name, port }) => waitReady(name, `http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`] ?? port}/ready`)),
  );
  const routerPort = env.PORT ?? '4000';
  const subgraphUrls = Object.fromEntries(
    SUBGRAPHS.map(({ name, port }) => [
      `${name.toUpperCase()}_URL`,
      env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`] ?? port}/graphql`,
    ]),
  );
  start('router', join(root, 'router', 'dist', 'index.js'), { PORT: routerPort, ...subgraphUrls });
  await waitReady('router', `http://127.0.0.1:${routerPort}/ready`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\nSupergraph ready in ${seconds}s at http://localhost:${routerPort}/graphql ` +
      `(${env.MYSQL_URL ? 'MySQL' : 'embedded SQLite in .data/'}). Press Ctrl-C to stop.\n`,
  );
}

main().catch((error) => {
  console.error(`npm start failed: ${error.message}`);
  stop();
});
