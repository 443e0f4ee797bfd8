// The isolation rig, shared by the isolation, levers and memory parts: the in-memory stand-ins
// (started once per run), routers in front of them (ours with any environment, pinned or not, and
// the stock gateway), and the turn-taking measurement of several routers on one query.
import { join } from 'node:path';
import { drive, summarize } from './load.mjs';
import { cpuSeconds, freePort, othersCpuMeter, settle, startNode, stop, waitHttpReady } from './proc.mjs';
import { resetTreePeakRss, treeCpuSeconds, treeMemory } from './proc-tree.mjs';
import { benchRoot, SUBGRAPHS } from './paths.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./proc.mjs').Child} Child
 * @typedef {{ config: import('./config.mjs').BenchConfig, cpus: ReturnType<typeof import('./proc.mjs').cpuPlan>, queries: import('./queries.mjs').Query[], runDir: string, baseEnv: Record<string, string | undefined>, supergraphPath: string, log: (line: string) => void }} Setup
 * @typedef {{ name: string, child: Child, url: string, port: number }} Router
 * @typedef {{ warmup: number, duration: number, rounds: number, headers?: Record<string, string>, label?: string }} Timing
 * @typedef {Awaited<ReturnType<typeof startStandins>>} Standins
 */

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

/** @param {Setup} setup */
async function startStandins(setup) {
  const { cpus, runDir, baseEnv, log } = setup;
  const groups = standinGroups(cpus.pinned ? cpus.cores - 1 : 1);
  log(`stand-ins: starting ${groups.length} process(es), each building the large catalogue in memory…`);
  const children = groups.map((group, i) =>
    startNode({
      name: `standins-${i + 1}`,
      script: join(benchRoot, 'src', 'standins', 'main.mjs'),
      env: { ...baseEnv, NODE_ENV: 'production', BENCH_STANDINS: group.join(',') },
      cpus: cpus.rest,
      logDir: runDir,
    }),
  );
  /** @type {Record<string, string>} */
  const urls = {};
  try {
    for (const child of children) Object.assign(urls, /** @type {{ urls: Record<string, string> }} */ (await child.messages('ready')).urls);
  } catch (error) {
    for (const child of children) await stop(child);
    throw error;
  }
  log('stand-ins: ready');
  /** `<NAME>_URL` for a router in front of them. */
  const urlEnv = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, urls[name]]));
  return { children, urlEnv };
}

/**
 * Stand-ins started on first use and shared until `close`, plus the routers started in front of
 * them (each stopped by `close` too, unless stopped before with `stopRouter`).
 * @param {Setup} setup
 */
export function createRig(setup) {
  /** @type {Promise<Standins> | undefined} */
  let standins;
  /** @type {Child[]} */
  const routers = [];
  return {
    standins: () => (standins ??= startStandins(setup)),
    /**
     * Our router (or, with `stock`, the stock gateway) in front of the stand-ins, ready.
     * @param {{ name: string, env?: Record<string, string>, pinned?: boolean, stock?: boolean, nodeArgs?: string[] }} options
     * @returns {Promise<Router>}
     */
    async startRouter({ name, env = {}, pinned = true, stock = false, nodeArgs = [] }) {
      const { config, cpus, runDir, baseEnv } = setup;
      const { urlEnv } = await (standins ??= startStandins(setup));
      const port = await freePort();
      const child = startNode({
        name,
        script: stock ? join(benchRoot, 'src', 'stock-gateway.mjs') : config.routerEntry,
        nodeArgs,
        env: { ...baseEnv, ...urlEnv, PORT: String(port), BENCH_COUNT: 'requests', ...env },
        cpus: pinned ? cpus.router : undefined,
        logDir: runDir,
      });
      routers.push(child);
      if (stock) await child.messages('ready');
      else await waitHttpReady(child, `http://127.0.0.1:${port}/ready`);
      return { name, child, url: `http://127.0.0.1:${port}/graphql`, port };
    },
    /** @param {Router} router */
    async stopRouter(router) {
      await stop(router.child);
      routers.splice(routers.indexOf(router.child), 1);
    },
    async close() {
      for (const child of routers.splice(0).reverse()) await stop(child);
      const started = await standins?.catch(() => undefined);
      for (const child of started?.children ?? []) await stop(child);
    },
  };
}

/**
 * Requests the router received and the stand-ins served so far. A router whose workers serve the
 * requests (ROUTER_WORKERS > 1) counts none itself.
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
 * One query against several routers: a warm-up of each, then `rounds` measured windows of each in
 * turn (ours, stock, ours, stock…, in the order given), so a change in the machine's load during
 * the run falls on all. Before each window everything is let go quiet; CPU and latency cover the
 * windows; fetches per request are the stand-ins' requests over the router's, counted from quiet
 * to quiet, so requests in flight when the load stops count on both sides. A router's CPU and
 * memory are those of its process and every process it started (workers).
 * @param {Setup} setup @param {Router[]} routers in the order to drive them
 * @param {Standins} standins @param {import('./queries.mjs').Query} query @param {Timing} timing
 * @returns {Promise<Row[]>}
 */
export async function measure(setup, routers, standins, query, timing) {
  const { config, log } = setup;
  const seconds = timing.duration / timing.rounds;
  const headers = timing.headers ?? {};
  for (const router of routers) {
    if (timing.warmup > 0) await drive({ url: router.url, query, connections: config.connections, seconds: timing.warmup, headers });
  }
  const totals = routers.map(() => ({
    /** @type {import('./load.mjs').LoadSample[]} */ samples: [],
    routerCpu: 0, standinsCpu: 0, loadCpu: 0, othersCpu: 0, fetches: 0, requests: 0, peakRssMb: 0, processes: 0,
  }));
  for (let round = 0; round < timing.rounds; round++) {
    for (const [i, router] of routers.entries()) {
      const total = /** @type {(typeof totals)[number]} */ (totals[i]);
      log(`${timing.label ?? 'isolation'}: (${query.id}) ${router.name}, window ${round + 1} of ${timing.rounds}: ${seconds} s…`);
      // After the first window, the previous window's end already waited for quiet: one look will do.
      const first = round === 0 && i === 0;
      const countsBefore = await settle(() => counters(router.child, standins.children), first ? 500 : 0);
      resetTreePeakRss(router.child.pid);
      const before = { router: treeCpuSeconds(router.child.pid), standins: cpuOf(standins.children), load: cpuSeconds(process.pid) };
      const others = othersCpuMeter();
      const sample = await drive({ url: router.url, query, connections: config.connections, seconds, headers });
      total.othersCpu += others() * sample.seconds;
      const after = { router: treeCpuSeconds(router.child.pid), standins: cpuOf(standins.children), load: cpuSeconds(process.pid) };
      const memory = treeMemory(router.child.pid);
      total.peakRssMb = Math.max(total.peakRssMb, memory.peakRssMb);
      total.processes = Math.max(total.processes, memory.processes);
      const countsAfter = await settle(() => counters(router.child, standins.children));
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
      // A router whose workers serve the requests counts none itself: then over the responses.
      fetchesPerRequest: total.fetches / (total.requests > 0 ? total.requests : result.requests),
      routerCpuPercent: (100 * total.routerCpu) / result.seconds,
      routerCpuMsPerRequest: (1000 * total.routerCpu) / result.requests,
      routerPeakRssMb: total.peakRssMb,
      routerProcesses: total.processes,
      backendCpuPercent: (100 * total.standinsCpu) / result.seconds,
      loadCpuPercent: (100 * total.loadCpu) / result.seconds,
      othersCpuPercent: total.othersCpu / result.seconds,
      bytes: 0,
    };
  });
}
