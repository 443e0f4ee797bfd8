// Part 2: end to end. The real subgraphs (their dist, unmodified) on MariaDB with the large seed,
// behind our router pinned to core 0, driven with the same queries.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { databaseUrl, ensureLargeSeed, subgraphEnv } from './large-seed.mjs';
import { drive, probe, summarize } from './load.mjs';
import { cpuSeconds, freePort, memory, othersCpuMeter, resetPeakRss, settle, startNode, stop, waitHttpReady } from './proc.mjs';
import { SUBGRAPHS } from './paths.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./proc.mjs').Child} Child
 * @typedef {import('./isolation.mjs').Setup & { privateKeyPem: string, isolationAnswers?: Map<string, unknown> }} Setup
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
 * @param {Setup} setup
 * @returns {Promise<{ rows: Row[], notes: string[], server: string }>}
 */
export async function runEndToEnd(setup) {
  const { config, cpus, queries, runDir, baseEnv, log, privateKeyPem } = setup;
  const seed = await ensureLargeSeed({
    mysqlUrl: config.mysqlUrl,
    prefix: config.dbPrefix,
    root: config.root,
    runDir,
    baseEnv,
    privateKeyPem,
    log,
  });
  /** @type {Child[]} */
  const children = [];
  try {
    /** @type {Record<string, number>} */
    const ports = {};
    for (const name of SUBGRAPHS) ports[name] = await freePort();
    // The subgraphs may use every core, as they would on this machine; only the router is pinned.
    const allCores = cpus.pinned ? `0-${cpus.cores - 1}` : undefined;
    const subgraphs = SUBGRAPHS.map((name) =>
      startNode({
        name,
        script: join(config.root, 'subgraphs', name, 'dist', 'index.js'),
        env: {
          ...subgraphEnv({
            name,
            port: /** @type {number} */ (ports[name]),
            ports,
            database: databaseUrl(config.mysqlUrl, `${config.dbPrefix}${name}`),
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
      name: 'router-e2e',
      script: config.routerEntry,
      env: {
        ...baseEnv,
        PORT: String(routerPort),
        BENCH_COUNT: 'requests',
        ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}/graphql`])),
      },
      cpus: cpus.router,
      logDir: runDir,
    });
    children.push(router);
    await waitHttpReady(router, `http://127.0.0.1:${routerPort}/ready`);
    const url = `http://127.0.0.1:${routerPort}/graphql`;
    const mariadb = databasePid();

    /** @type {Row[]} */
    const rows = [];
    /** @type {string[]} */
    const notes = [];
    if (seed.seeded.length) notes.push(`This run seeded ${seed.seeded.map((n) => `${config.dbPrefix}${n}`).join(', ')} first (${seed.seconds.toFixed(0)} s).`);
    /** @type {string[]} */
    const same = [];
    for (const query of queries) {
      const sample = /** @type {import('./queries.mjs').Request} */ (query.requests[0]);
      const [answer] = await probe(url, query, [sample]);
      const expected = setup.isolationAnswers?.get(query.id);
      if (expected !== undefined) {
        if (isDeepStrictEqual(answer?.json, expected)) same.push(query.id);
        else notes.push(`(${query.id}) the real subgraphs answer differently from the stand-ins (sizes ${answer?.bytes} bytes here).`);
      }
      await probe(url, query, query.requests.slice(0, 5));
      log(`end to end: (${query.id}) ${config.warmup} s warm-up, ${config.duration} s measured…`);
      if (config.warmup > 0) await drive({ url, query, connections: config.connections, seconds: config.warmup });
      const countsBefore = await settle(() => counters(router, subgraphs));
      resetPeakRss(router.pid);
      const before = { router: cpuSeconds(router.pid), backend: totalCpu(subgraphs), db: mariadb ? totalCpu([], mariadb) : 0, load: cpuSeconds(process.pid) };
      const others = othersCpuMeter();
      const result = summarize([await drive({ url, query, connections: config.connections, seconds: config.duration })]);
      const othersCpuPercent = others();
      const after = { router: cpuSeconds(router.pid), backend: totalCpu(subgraphs), db: mariadb ? totalCpu([], mariadb) : 0, load: cpuSeconds(process.pid) };
      const peakRssMb = memory(router.pid).peakRssMb;
      const countsAfter = await settle(() => counters(router, subgraphs));
      const served = countsAfter.requests - countsBefore.requests;
      const routerCpu = after.router - before.router;
      const databaseCpuPercent = mariadb ? (100 * (after.db - before.db)) / result.seconds : Number.NaN;
      rows.push({
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
        bytes: answer?.bytes ?? 0,
      });
      if (result.firstError) notes.push(`(${query.id}): ${result.firstError}`);
    }
    if (same.length) notes.unshift(`For ${same.map((q) => `(${q})`).join(', ')} the real subgraphs gave the same data as the stand-ins.`);
    notes.unshift(
      `Subgraphs on databases ${SUBGRAPHS.map((n) => `\`${config.dbPrefix}${n}\``).join(', ')} of ${seed.server}, seeded with the large plan (10,000 products, 200,000 reviews, 20,000 users, 20,000 orders) and reused between runs. The router is pinned to core 0 as in isolation; the subgraphs, MariaDB and the load generator share the machine.`,
      'SQL/req includes the few statements of background jobs (the orders reconciler, the reservation sweeper) that fell into the window.',
    );
    return { rows, notes, server: seed.server };
  } finally {
    for (const child of children.reverse()) await stop(child);
  }
}
