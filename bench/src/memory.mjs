// Part 5: memory. Our router, every lever at its default, in front of the stand-ins under a mixed
// load of the four queries for BENCH_MEMORY_SECONDS, its memory sampled every BENCH_MEMORY_SAMPLE
// seconds: RSS of all its processes (/proc), and heap and RSS as its /metrics reports them.
//
// In isolation rather than end to end: on a 2-core machine the subgraphs and MariaDB are the
// bottleneck end to end, so the router would serve a fraction of the requests (and hold less in
// flight) in the same five minutes; the stand-ins serve the same large-seed data, so responses,
// plans and cached entries are the same size, and the router is driven as hard as one core allows.
import { clearInterval, setInterval } from 'node:timers';
import { drive, summarize } from './load.mjs';
import { resetTreePeakRss, treeMemory } from './proc-tree.mjs';

/**
 * @typedef {{ seconds: number, requests: number, rssMb: number, processes: number, metricsRssMb: number, heapUsedMb: number, heapTotalMb: number }} MemorySample
 * @typedef {import('./queries.mjs').Query} Query
 */

/** The four queries in turn, one request of each after the other. @param {Query[]} queries @returns {Query} */
export function mixedQuery(queries) {
  let i = 0;
  return {
    id: queries.map((q) => q.id).join('+'),
    title: 'mixed',
    operationName: '',
    query: '',
    requests: queries.flatMap((q) => q.requests.slice(0, 1)),
    next: () => /** @type {Query} */ (queries[i++ % queries.length]).next(),
    check: (json) => (queries.some((q) => q.check(json) === null) ? null : 'the answer fits none of the queries'),
  };
}

/** A gauge's value from a Prometheus text exposition, in MB. @param {string} text @param {string} name */
function gaugeMb(text, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
  return match ? Number(match[1]) / 2 ** 20 : Number.NaN;
}

/**
 * @param {import('./rig.mjs').Setup} setup @param {ReturnType<typeof import('./rig.mjs').createRig>} rig @param {Query[]} queries
 */
export async function runMemory(setup, rig, queries) {
  const { config, log } = setup;
  await rig.standins();
  const router = await rig.startRouter({ name: 'memory' });
  try {
    const metricsUrl = `http://127.0.0.1:${router.port}/metrics`;
    const progress = { responses: 0 };
    const started = Date.now();
    /** @returns {Promise<MemorySample>} */
    const sample = async () => {
      const seconds = (Date.now() - started) / 1000;
      const requests = progress.responses;
      const tree = treeMemory(router.child.pid);
      let text = '';
      try {
        text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
      } catch {
        // not reachable under load: /proc's figures stand
      }
      return {
        seconds,
        requests,
        rssMb: tree.rssMb,
        processes: tree.processes,
        metricsRssMb: gaugeMb(text, 'process_resident_memory_bytes'),
        heapUsedMb: gaugeMb(text, 'nodejs_heap_size_used_bytes'),
        heapTotalMb: gaugeMb(text, 'nodejs_heap_size_total_bytes'),
      };
    };
    /** @type {MemorySample[]} */
    const samples = [await sample()];
    resetTreePeakRss(router.child.pid);
    log(`memory: mixed load of ${queries.map((q) => `(${q.id})`).join(', ')} for ${config.memorySeconds} s, memory every ${config.memorySample} s…`);
    /** @type {Promise<MemorySample>[]} */
    const pending = [];
    const timer = setInterval(() => {
      pending.push(sample());
      const last = pending.length * config.memorySample;
      if (last % 60 === 0) log(`memory: ${last} s of ${config.memorySeconds}…`);
    }, config.memorySample * 1000);
    let load;
    try {
      load = await drive({ url: router.url, query: mixedQuery(queries), connections: config.connections, seconds: config.memorySeconds, progress });
    } finally {
      clearInterval(timer);
    }
    samples.push(...(await Promise.all(pending)));
    // The end: as the load stops, before the router has had any quiet time to collect garbage.
    const end = await sample();
    const peakRssMb = Math.max(treeMemory(router.child.pid).peakRssMb, ...samples.map((s) => s.rssMb), end.rssMb);
    if (samples.at(-1) && end.seconds - /** @type {MemorySample} */ (samples.at(-1)).seconds > 1) samples.push(end);
    return { samples, start: /** @type {MemorySample} */ (samples[0]), end, peakRssMb, load: summarize([load]) };
  } finally {
    await rig.stopRouter(router);
  }
}
