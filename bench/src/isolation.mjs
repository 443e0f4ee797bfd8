// Part 1: the router in isolation. Our router and the stock gateway, each pinned to core 0, in
// front of the same in-memory stand-ins, driven in turn with the same load.
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { drive, probe, summarize } from './load.mjs';
import { cpuSeconds, freePort, memory, othersCpuMeter, resetPeakRss, settle, startNode, stop, waitHttpReady } from './proc.mjs';
import { benchRoot, SUBGRAPHS } from './paths.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./proc.mjs').Child} Child
 * @typedef {{ config: import('./config.mjs').BenchConfig, cpus: ReturnType<typeof import('./proc.mjs').cpuPlan>, queries: import('./queries.mjs').Query[], runDir: string, baseEnv: Record<string, string | undefined>, log: (line: string) => void }} Setup
 */

/**
 * Requests the router received and the stand-ins served so far.
 * @param {Child} router @param {Child[]} standins
 */
async function counters(router, standins) {
  const [routerStats, ...replies] = await Promise.all([router.request('stats'), ...standins.map((s) => s.request('counts'))]);
  let fetches = 0;
  for (const reply of replies) for (const count of Object.values(/** @type {Record<string, number>} */ (reply.counts))) fetches += count;
  return { requests: Number(routerStats?.requests), fetches };
}

/** CPU seconds of a group of processes. @param {Child[]} children */
const cpuOf = (children) => children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);

/**
 * The stand-ins in as many processes as there are cores left beside the router's (at most one
 * per subgraph), so on a bigger machine they scale out instead of becoming the bottleneck.
 * @param {number} processes
 */
function standinGroups(processes) {
  /** @type {string[][]} */
  const groups = Array.from({ length: Math.max(1, Math.min(SUBGRAPHS.length, processes)) }, () => []);
  SUBGRAPHS.forEach((name, i) => groups[i % groups.length]?.push(name));
  return groups;
}

/**
 * One query against both routers: a warm-up of each, then `rounds` measured windows of each in
 * turn (ours, stock, ours, stock… or the reverse), so a change in the machine's load during the
 * run falls on both. Before each window everything is let go quiet; CPU and latency cover the
 * windows; fetches per request are the stand-ins' requests over the router's, counted from quiet
 * to quiet, so requests in flight when the load stops count on both sides.
 * @param {Setup} setup @param {{ name: string, child: Child, url: string }[]} routers in the order to drive them
 * @param {Child[]} standins @param {import('./queries.mjs').Query} query
 * @returns {Promise<Row[]>}
 */
async function measure(setup, routers, standins, query) {
  const { config, log } = setup;
  const seconds = config.duration / config.rounds;
  for (const router of routers) {
    if (config.warmup > 0) await drive({ url: router.url, query, connections: config.connections, seconds: config.warmup });
  }
  const totals = routers.map(() => ({
    /** @type {import('./load.mjs').LoadSample[]} */ samples: [],
    routerCpu: 0, standinsCpu: 0, loadCpu: 0, othersCpu: 0, fetches: 0, requests: 0, peakRssMb: 0,
  }));
  for (let round = 0; round < config.rounds; round++) {
    for (const [i, router] of routers.entries()) {
      const total = /** @type {(typeof totals)[number]} */ (totals[i]);
      log(`isolation: (${query.id}) ${router.name === 'ours' ? 'our router' : 'stock gateway'}, window ${round + 1} of ${config.rounds}: ${seconds} s…`);
      const countsBefore = await settle(() => counters(router.child, standins));
      resetPeakRss(router.child.pid);
      const before = { router: cpuSeconds(router.child.pid), standins: cpuOf(standins), load: cpuSeconds(process.pid) };
      const others = othersCpuMeter();
      const sample = await drive({ url: router.url, query, connections: config.connections, seconds });
      total.othersCpu += others() * sample.seconds;
      const after = { router: cpuSeconds(router.child.pid), standins: cpuOf(standins), load: cpuSeconds(process.pid) };
      total.peakRssMb = Math.max(total.peakRssMb, memory(router.child.pid).peakRssMb);
      const countsAfter = await settle(() => counters(router.child, standins));
      total.samples.push(sample);
      total.routerCpu += after.router - before.router;
      total.standinsCpu += after.standins - before.standins;
      total.loadCpu += after.load - before.load;
      total.fetches += countsAfter.fetches - countsBefore.fetches;
      total.requests += countsAfter.requests - countsBefore.requests;
    }
  }
  return routers.map((router, i) => {
    const total = /** @type {(typeof totals)[number]} */ (totals[i]);
    const result = summarize(total.samples);
    return {
      ...result,
      query: query.id,
      router: router.name,
      fetchesPerRequest: total.fetches / total.requests,
      routerCpuPercent: (100 * total.routerCpu) / result.seconds,
      routerCpuMsPerRequest: (1000 * total.routerCpu) / result.requests,
      routerPeakRssMb: total.peakRssMb,
      backendCpuPercent: (100 * total.standinsCpu) / result.seconds,
      loadCpuPercent: (100 * total.loadCpu) / result.seconds,
      othersCpuPercent: total.othersCpu / result.seconds,
      bytes: 0,
    };
  });
}

/**
 * @param {Setup} setup
 * @returns {Promise<{ rows: Row[], notes: string[], answers: Map<string, unknown> }>}
 */
export async function runIsolation(setup) {
  const { config, cpus, queries, runDir, baseEnv, log } = setup;
  /** @type {Child[]} */
  const children = [];
  try {
    const groups = standinGroups(cpus.pinned ? cpus.cores - 1 : 1);
    log(`isolation: starting the stand-ins in ${groups.length} process(es), each building the large catalogue in memory…`);
    const standins = groups.map((group, i) =>
      startNode({
        name: `standins-${i + 1}`,
        script: join(benchRoot, 'src', 'standins', 'main.mjs'),
        env: { ...baseEnv, NODE_ENV: 'production', BENCH_STANDINS: group.join(',') },
        cpus: cpus.rest,
        logDir: runDir,
      }),
    );
    children.push(...standins);
    /** @type {Record<string, string>} */
    const urls = {};
    for (const child of standins) Object.assign(urls, /** @type {{ urls: Record<string, string> }} */ (await child.messages('ready')).urls);
    log('isolation: stand-ins ready');
    const urlEnv = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, urls[name]]));

    const oursPort = await freePort();
    const ours = startNode({
      name: 'router',
      script: config.routerEntry,
      nodeArgs: config.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profile', 'ours')}`] : [],
      env: { ...baseEnv, ...urlEnv, PORT: String(oursPort), BENCH_COUNT: 'requests' },
      cpus: cpus.router,
      logDir: runDir,
    });
    children.push(ours);
    const stockPort = await freePort();
    const stock = startNode({
      name: 'stock-gateway',
      script: join(benchRoot, 'src', 'stock-gateway.mjs'),
      nodeArgs: config.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profile', 'stock')}`] : [],
      env: { ...baseEnv, ...urlEnv, PORT: String(stockPort), BENCH_COUNT: 'requests' },
      cpus: cpus.router,
      logDir: runDir,
    });
    children.push(stock);
    await waitHttpReady(ours, `http://127.0.0.1:${oursPort}/ready`);
    await stock.messages('ready');
    const routers = [
      { name: 'ours', child: ours, url: `http://127.0.0.1:${oursPort}/graphql` },
      { name: 'stock', child: stock, url: `http://127.0.0.1:${stockPort}/graphql` },
    ];

    /** @type {Row[]} */
    const rows = [];
    /** @type {string[]} */
    const notes = [];
    /** @type {Map<string, unknown>} */
    const answers = new Map();
    for (const [index, query] of queries.entries()) {
      // Both routers must give the very same answer before their speed means anything.
      const sample = /** @type {import('./queries.mjs').Request} */ (query.requests[0]);
      const [oursAnswer] = await probe(routers[0].url, query, [sample]);
      const [stockAnswer] = await probe(routers[1].url, query, [sample]);
      if (!isDeepStrictEqual(oursAnswer?.json, stockAnswer?.json)) {
        throw new Error(`(${query.id}) our router and the stock gateway answer differently; see ${runDir}`);
      }
      answers.set(query.id, oursAnswer?.json);
      await probe(routers[0].url, query, query.requests.slice(0, 5));
      await probe(routers[1].url, query, query.requests.slice(0, 5));
      // Alternate who goes first, so a drift in the machine's load does not always favour one.
      const order = index % 2 === 0 ? routers : [...routers].reverse();
      /** @type {Record<string, Row>} */
      const measured = {};
      for (const row of await measure(setup, order, standins, query)) {
        row.bytes = oursAnswer?.bytes ?? 0;
        measured[row.router] = row;
        if (row.firstError) notes.push(`(${query.id}) ${row.router}: ${row.firstError}`);
      }
      rows.push(/** @type {Row} */ (measured.ours), /** @type {Row} */ (measured.stock));
    }
    return { rows, notes, answers };
  } finally {
    for (const child of children.reverse()) await stop(child);
  }
}
