// The benchmark's data sets on MariaDB/MySQL, one database per subgraph (`<prefix><name>`),
// seeded by the subgraphs themselves (their dist started with SEED=<plan>: the large set, or the
// scale part's scale1k and scale100k) and kept between runs: a database is reused when its tables
// hold exactly the plan's row counts.
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { SEED_PLANS } from '@storefront/kit';
import { freePort, startNode, stop, waitHttpReady } from './proc.mjs';
import { SUBGRAPHS } from './paths.mjs';

/** @typedef {'large' | 'scale1k' | 'scale100k'} PlanName */

/** What each subgraph's database holds once a plan's seed ran. @param {PlanName} name */
export function seededRows(name) {
  const plan = SEED_PLANS[name];
  return {
    users: { table: 'users', rows: plan.users },
    products: { table: 'products', rows: plan.products },
    reviews: { table: 'reviews', rows: Math.min(plan.reviews, plan.users * plan.products) },
    orders: { table: 'orders', rows: plan.orders },
  };
}

/** A plan's databases' prefix: the large set's is BENCH_DB_PREFIX, the scale sets' derive from it. @param {string} prefix @param {PlanName} plan */
export function planPrefix(prefix, plan) {
  if (plan === 'large') return prefix;
  return `${prefix.replace(/_$/, '')}${plan === 'scale1k' ? '1k' : '100k'}_`;
}

/** @param {string} serverUrl @param {string} database */
export function databaseUrl(serverUrl, database) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Row counts of the plan's tables, or null where the database or table is missing.
 * @param {string} serverUrl @param {string} prefix @param {ReturnType<typeof seededRows>} expected
 */
async function currentCounts(serverUrl, prefix, expected) {
  const connection = await createConnection({ uri: serverUrl, connectTimeout: 10_000 });
  try {
    /** @type {Record<string, number | null>} */
    const counts = {};
    for (const name of SUBGRAPHS) {
      const { table } = expected[name];
      try {
        const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${prefix}${name}\`.\`${table}\``);
        counts[name] = Number(/** @type {{ n: number }[]} */ (rows)[0]?.n);
      } catch {
        counts[name] = null;
      }
    }
    const [version] = await connection.query('SELECT VERSION() AS v');
    return { counts, server: String(/** @type {{ v: string }[]} */ (version)[0]?.v) };
  } finally {
    await connection.end();
  }
}

/** @param {string} serverUrl @param {string} database */
async function dropDatabase(serverUrl, database) {
  const connection = await createConnection({ uri: serverUrl, connectTimeout: 10_000 });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

/**
 * The environment a subgraph of the benchmark runs with (ports, keys, its database, the
 * products service URL the orders saga calls).
 * @param {{ name: string, port: number, ports: Record<string, number>, database: string, baseEnv: Record<string, string | undefined>, privateKeyPem: string, seed: 'none' | PlanName }} options
 */
export function subgraphEnv({ name, port, ports, database, baseEnv, privateKeyPem, seed }) {
  return {
    ...baseEnv,
    PORT: String(port),
    DATABASE_URL: database,
    SEED: seed,
    ...(name === 'users' ? { JWT_PRIVATE_KEY: privateKeyPem } : {}),
    ...(name === 'orders' ? { PRODUCTS_SERVICE_URL: `http://127.0.0.1:${ports.products}` } : {}),
  };
}

/**
 * Makes sure every `<prefix><name>` database holds the plan's set (default the large one),
 * seeding the ones that do not (a database with other contents is dropped first). Returns the
 * server's version and which databases were seeded.
 * @param {{ mysqlUrl: string, prefix: string, root: string, runDir: string, baseEnv: Record<string, string | undefined>, privateKeyPem: string, cpus?: string, log: (line: string) => void, force?: boolean, plan?: PlanName }} options
 */
export async function ensureSeed(options) {
  const { mysqlUrl, prefix, root, runDir, baseEnv, privateKeyPem, cpus, log } = options;
  const plan = options.plan ?? 'large';
  const expected = seededRows(plan);
  const before = await currentCounts(mysqlUrl, prefix, expected);
  const missing = SUBGRAPHS.filter((name) => options.force || before.counts[name] !== expected[name].rows);
  if (missing.length === 0) {
    log(`${plan} seed: reusing ${SUBGRAPHS.map((n) => `${prefix}${n}`).join(', ')}`);
    return { server: before.server, seeded: [], seconds: 0 };
  }
  const started = Date.now();
  log(`${plan} seed: seeding ${missing.map((n) => `${prefix}${n}`).join(', ')} (up to a minute)…`);
  for (const name of missing) if (before.counts[name] !== null) await dropDatabase(mysqlUrl, `${prefix}${name}`);
  /** @type {Record<string, number>} */
  const ports = {};
  for (const name of SUBGRAPHS) ports[name] = await freePort();
  const children = missing.map((name) =>
    startNode({
      name: `seed-${name}`,
      script: join(root, 'subgraphs', name, 'dist', 'index.js'),
      env: subgraphEnv({
        name,
        port: /** @type {number} */ (ports[name]),
        ports,
        database: databaseUrl(mysqlUrl, `${prefix}${name}`),
        baseEnv: { ...baseEnv, LOG_LEVEL: 'info' },
        privateKeyPem,
        seed: plan,
      }),
      cpus,
      logDir: runDir,
    }),
  );
  try {
    await Promise.all(children.map((child, i) => waitHttpReady(child, `http://127.0.0.1:${ports[/** @type {string} */ (missing[i])]}/ready`, 15 * 60_000)));
  } finally {
    for (const child of children) await stop(child);
  }
  const after = await currentCounts(mysqlUrl, prefix, expected);
  const wrong = SUBGRAPHS.filter((name) => after.counts[name] !== expected[name].rows);
  if (wrong.length) {
    throw new Error(
      `after seeding, ${wrong.map((n) => `${prefix}${n}.${expected[n].table} holds ${after.counts[n]} rows, not ${expected[n].rows}`).join('; ')}`,
    );
  }
  const seconds = (Date.now() - started) / 1000;
  log(`${plan} seed: done in ${seconds.toFixed(0)} s`);
  return { server: after.server, seeded: missing, seconds };
}
