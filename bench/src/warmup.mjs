// The plan cache's warm-up (QUERY_PLAN_WARMUP): how long each query's first response takes right
// after our router starts, right after it reloads its supergraph (an equivalent file: the same
// schema with a comment appended), and after a second reload once the router says it has warmed its
// plans ("query plans warmed"; with the warm-up off, a second later), with the warm-up on and off.
// Requests one at a time, in front of the stand-ins, response cache off (or a cached answer would
// hide the planning).
import { appendFileSync, copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { probe } from './load.mjs';
import { ALL_ON } from './lever-configs.mjs';

/**
 * @typedef {{ query: string, afterStartMs: number, afterReloadMs: number, afterWarmedMs: number, steadyMs: number }} WarmupTiming
 * @typedef {{ warmup: string, readyMs: number, reloadMs: number, reloadSeen: boolean, warmed: string, timings: WarmupTiming[] }} WarmupRun
 */

/** Waits until the log (from byte `from`) has a line holding `text`, and returns it; null after `timeoutMs`. @param {string} log @param {number} from @param {string} text */
async function waitForLog(log, from, text, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = readFileSync(log).subarray(from).toString('utf8').split('\n').find((l) => l.includes(text));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return null;
}

/**
 * Rewrites the router's supergraph file with an equivalent change and waits for the reload.
 * @param {string} path @param {string} log @returns {Promise<{ from: number, ms: number, seen: boolean }>}
 */
async function reload(path, log) {
  const from = statSync(log).size;
  const touched = Date.now();
  appendFileSync(path, `\n# reloaded by the benchmark at ${new Date().toISOString()}\n`);
  const seen = (await waitForLog(log, from, 'supergraph reloaded')) !== null;
  return { from, ms: Date.now() - touched, seen };
}

/** The first response of each query, one after the other. @param {string} url @param {import('./queries.mjs').Query[]} queries */
async function firstResponses(url, queries) {
  /** @type {Map<string, number>} */
  const ms = new Map();
  for (const query of queries) {
    const [answer] = await probe(url, query, query.requests.slice(0, 1));
    ms.set(query.id, answer?.ms ?? Number.NaN);
  }
  return ms;
}

/** @param {number[]} values */
const median = (values) => /** @type {number} */ ([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]);

/**
 * @param {import('./rig.mjs').Setup} setup @param {ReturnType<typeof import('./rig.mjs').createRig>} rig
 * @param {import('./queries.mjs').Query[]} queries
 * @returns {Promise<{ runs: WarmupRun[], notes: string[] }>}
 */
export async function runWarmup(setup, rig, queries) {
  const { runDir, log } = setup;
  await rig.standins();
  /** @type {WarmupRun[]} */
  const runs = [];
  /** @type {string[]} */
  const notes = [];
  for (const warmup of ['true', 'false']) {
    // A copy of its own, so appending to it reloads this router only.
    const path = join(runDir, `supergraph-warmup-${warmup}.graphql`);
    copyFileSync(setup.supergraphPath, path);
    log(`plan warm-up: QUERY_PLAN_WARMUP=${warmup}, first responses after start and after a supergraph reload…`);
    const started = Date.now();
    const router = await rig.startRouter({
      name: `warmup-${warmup}`,
      env: { ...ALL_ON, RESPONSE_CACHE: 'false', QUERY_PLAN_WARMUP: warmup, SUPERGRAPH_PATH: path, LOG_LEVEL: 'info', SUPERGRAPH_POLL_INTERVAL_MS: '200' },
    });
    try {
      const readyMs = Date.now() - started;
      const afterStart = await firstResponses(router.url, queries);
      /** @type {Map<string, number>} */
      const steady = new Map();
      for (const query of queries) {
        const answers = await probe(router.url, query, [0, 0, 0, 0, 0].map(() => /** @type {import('./queries.mjs').Request} */ (query.requests[0])));
        steady.set(query.id, median(answers.map((a) => a.ms)));
      }
      // Give a warm-up that runs in the background after start its time before the reload.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const first = await reload(path, router.child.log);
      if (!first.seen) notes.push(`QUERY_PLAN_WARMUP=${warmup}: no "supergraph reloaded" in the router's log within 15 s of the change; the after-reload figures may be those of the old schema.`);
      const afterReload = await firstResponses(router.url, queries);
      // Again, this time leaving the warm-up its time (none to wait for when it is off: a second).
      const second = await reload(path, router.child.log);
      let warmed = 'off';
      if (warmup === 'true') {
        const line = await waitForLog(router.child.log, second.from, 'query plans warmed');
        /** @type {{ plans?: number, operations?: number, ms?: number } | undefined} */
        let result;
        try {
          result = line ? JSON.parse(line).planWarmup : undefined;
        } catch {
          // not a JSON log line: quoted as it is below
        }
        warmed = result ? `${result.plans} plans of ${result.operations} operations in ${result.ms} ms` : line ? line.trim().slice(0, 200) : 'no "query plans warmed" in the log within 15 s';
      } else await new Promise((resolve) => setTimeout(resolve, 1000));
      const afterWarmed = await firstResponses(router.url, queries);
      /** @type {WarmupTiming[]} */
      const timings = queries.map((q) => ({
        query: q.id,
        afterStartMs: afterStart.get(q.id) ?? Number.NaN,
        afterReloadMs: afterReload.get(q.id) ?? Number.NaN,
        afterWarmedMs: afterWarmed.get(q.id) ?? Number.NaN,
        steadyMs: steady.get(q.id) ?? Number.NaN,
      }));
      runs.push({ warmup, readyMs, reloadMs: first.ms, reloadSeen: first.seen && second.seen, warmed, timings });
    } finally {
      await rig.stopRouter(router);
    }
  }
  return { runs, notes };
}
