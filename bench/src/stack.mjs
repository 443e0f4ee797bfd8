// The whole supergraph on MariaDB, for the end-to-end and scale parts: the real subgraphs (their
// dist, unmodified, statements counted by the child guard) on a seeded set of databases, behind
// our router pinned to core 0, and one query's measurement against it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { databaseUrl, subgraphEnv } from './seed-cache.mjs';
import { drive, summarize } from './load.mjs';
import { cpuSeconds, freePort, memory, othersCpuMeter, resetPeakRss, settle, startNode, stop, waitHttpReady } from './proc.mjs';
import { SUBGRAPHS } from './paths.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./proc.mjs').Child} Child
 * @typedef {import('./rig.mjs').Setup & { privateKeyPem: string }} Setup
 * @typedef {Awaited<ReturnType<typeof startStack>>} Stack
 */

/** The local MariaDB/MySQL server's PID, to read its CPU time; undefined when remote or hidden. */
function databasePid() {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pgrep', ['-o', '-x', name], { encoding: 'utf8' }).trim());
      if (pid) return pid;
    } catch {
      // not running here under that name
    }
  }
  return undefined;
}

/**
 * Requests the router received, and requests served and statements run by all subgraphs so far.
 * @param {Child} router @param {Child[]} subgraphs
 */
async function counters(router, subgraphs) {
  const [routerStats, ...replies] = await Promise.all([router.request('stats'), ...subgraphs.map((s) => s.request('stats'))]);
  const sum = { requests: Number(routerStats?.requests), fetches: 0, statements: 0 };
  for (const reply of replies) {
    sum.fetches += Number(reply.requests);
    sum.statements += Number(reply.statements);
  }
  return sum;
}

/** @param {Child[]} children @param {number} [extra] another process's PID */
function totalCpu(children, extra) {
  let sum = children.reduce((s, c) => s + cpuSeconds(c.pid), 0);
  if (extra) {
    try {
      sum += cpuSeconds(extra);
    } catch {
      // gone or unreadable
    }
  }
  return sum;
}

/**
 * Starts the four subgraphs on `<prefix><name>` and our router in front of them, ready.
 * @param {Setup} setup @param {{ prefix: string, name: string, routerEnv?: Record<string, string> }} options
 */
export async function startStack(setup, { prefix, name, routerEnv = {} }) {
  const { config, cpus, runDir, baseEnv, privateKeyPem } = setup;
  /** @type {Child[]} */
  const children = [];
  try {
    /** @type {Record<string, number>} */
    const ports = {};
    for (const subgraph of SUBGRAPHS) ports[subgraph] = await freePort();
    // The subgraphs may use every core, as they would on this machine; only the router is pinned.
    const allCores = cpus.pinned ? `0-${cpus.cores - 1}` : undefined;
    const subgraphs = SUBGRAPHS.map((subgraph) =>
      startNode({
        name: `${name}-${subgraph}`,
        script: join(config.root, 'subgraphs', subgraph, 'dist', 'index.js'),
        env: {
          ...subgraphEnv({
            name: subgraph,
            port: /** @type {number} */ (ports[subgraph]),
            ports,
            database: databaseUrl(config.mysqlUrl, `${prefix}${subgraph}`),
            baseEnv,
            privateKeyPem,
            seed: 'none',
          }),
          BENCH_COUNT: 'all',
        },
        cpus: allCores,
        logDir: runDir,
      }),
    );
    children.push(...subgraphs);
    await Promise.all(subgraphs.map((s, i) => waitHttpReady(s, `http://127.0.0.1:${ports[/** @type {string} */ (SUBGRAPHS[i])]}/ready`)));
    const routerPort = await freePort();
    const router = startNode({
      name: `${name}-router`,
      script: config.routerEntry,
      env: {
        ...baseEnv,
        PORT: String(routerPort),
        BENCH_COUNT: 'requests',
        ...Object.fromEntries(SUBGRAPHS.map((subgraph) => [`${subgraph.toUpperCase()}_URL`, `http://127.0.0.1:${ports[subgraph]}/graphql`])),
        ...routerEnv,
      },
      cpus: cpus.router,
      logDir: runDir,
    });
    children.push(router);
    await waitHttpReady(router, `http://127.0.0.1:${routerPort}/ready`);
    return {
      router,
      subgraphs,
      url: `http://127.0.0.1:${routerPort}/graphql`,
      mariadb: databasePid(),
      async stop() {
        for (const child of children.reverse()) await stop(child);
      },
    };
  } catch (error) {
    for (const child of children.reverse()) await stop(child);
    throw error;
  }
}

/**
 * One query against the stack: a warm-up, then one measured window, counted from quiet to quiet.
 * @param {Setup} setup @param {Stack} stack @param {import('./queries.mjs').Query} query
 * @param {{ warmup: number, duration: number }} timing
 * @returns {Promise<Row>}
 */
export async function measureStack(setup, stack, query, timing) {
  const { config } = setup;
  const { router, subgraphs, url, mariadb } = stack;
  if (timing.warmup > 0) await drive({ url, query, connections: config.connections, seconds: timing.warmup });
  const countsBefore = await settle(() => counters(router, subgraphs));
  resetPeakRss(router.pid);
  const before = { router: cpuSeconds(router.pid), backend: totalCpu(subgraphs), db: mariadb ? totalCpu([], mariadb) : 0, load: cpuSeconds(process.pid) };
  const others = othersCpuMeter();
  const result = summarize([await drive({ url, query, connections: config.connections, seconds: timing.duration })]);
  const othersCpuPercent = others();
  const after = { router: cpuSeconds(router.pid), backend: totalCpu(subgraphs), db: mariadb ? totalCpu([], mariadb) : 0, load: cpuSeconds(process.pid) };
  const peakRssMb = memory(router.pid).peakRssMb;
  const countsAfter = await settle(() => counters(router, subgraphs));
  const served = countsAfter.requests - countsBefore.requests;
  const routerCpu = after.router - before.router;
  const databaseCpuPercent = mariadb ? (100 * (after.db - before.db)) / result.seconds : Number.NaN;
  return {
    ...result,
    query: query.id,
    router: 'ours',
    fetchesPerRequest: (countsAfter.fetches - countsBefore.fetches) / served,
    statementsPerRequest: (countsAfter.statements - countsBefore.statements) / served,
    routerCpuPercent: (100 * routerCpu) / result.seconds,
    routerCpuMsPerRequest: (1000 * routerCpu) / result.requests,
    routerPeakRssMb: peakRssMb,
    backendCpuPercent: (100 * (after.backend - before.backend)) / result.seconds,
    loadCpuPercent: (100 * (after.load - before.load)) / result.seconds,
    databaseCpuPercent,
    // MariaDB has its own column; it may serve other clients too.
    othersCpuPercent: Math.max(0, othersCpuPercent - (Number.isFinite(databaseCpuPercent) ? databaseCpuPercent : 0)),
    bytes: 0,
  };
}
