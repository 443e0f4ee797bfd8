import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTestSupergraph, type TestSupergraph } from './harness';
import { startLoad, summarize, violation, type Outcome, type Window } from './soak-load';

/**
 * A short soak (about 20 s): 50 clients send a mix of queries through the router on loopback
 * while the reviews subgraph is restarted twice. No 5xx, errors only while reviews is down or
 * recovering and only for its fields, the rest of each answer served, and the heap flat.
 * `npm run soak` is the long version with real processes.
 */

const CONCURRENCY = 50;
const WARM_UP_MS = 3_000;
const PHASE_MS = 3_500;
const DOWN_MS = 2_000;
/** An open breaker tries reviews again after this long; see the window's end below. */
const HALF_OPEN_MS = 1_000;

/**
 * Heap growth allowed between the warm, quiet router before the soak and after it, both measured
 * after a full GC: 64 MB. The heap holds the whole test process (five services, the load and its
 * records, about 20,000 outcomes of a few hundred bytes); a leak of even 5 KB per request would
 * pass 100 MB here. Not a timing: a slow machine sends fewer requests, which only lowers growth.
 */
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

let graph: TestSupergraph;

beforeAll(async () => {
  graph = await startTestSupergraph('soak', { routerEnv: { SUBGRAPH_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS) } });
});

afterAll(async () => {
  await graph?.close();
});

it('at concurrency 50, restarting reviews twice: no 5xx, errors only during the outages and only for reviews fields, memory flat', async () => {
  // Warm-up: plan cache, connection pools, JIT; then the baseline, measured quiet.
  const warmUp = startLoad(graph.router.url, CONCURRENCY);
  await sleep(WARM_UP_MS);
  await warmUp.stop();
  expect(warmUp.outcomes.filter((o) => violation(o, []))).toEqual([]);
  const heapBefore = heapAfterGc();

  const load = startLoad(graph.router.url, CONCURRENCY);
  const windows: Window[] = [];
  for (let restart = 0; restart < 2; restart++) {
    await sleep(PHASE_MS);
    const from = Date.now();
    await graph.stop('reviews');
    await sleep(DOWN_MS);
    await graph.start('reviews');
    // Back once a fetch closes the breaker: the next trial is at most HALF_OPEN_MS away, plus a
    // second for retries' backoff and requests already on their way.
    windows.push({ from, to: Date.now() + HALF_OPEN_MS + 1_000 });
  }
  await sleep(PHASE_MS);
  await load.stop();
  const outcomes: Outcome[] = load.outcomes;
  const heapAfter = heapAfterGc();

  const summary = summarize(outcomes);
  const growthMb = (heapAfter - heapBefore) / 1024 / 1024;
  console.info(`soak: ${JSON.stringify(summary)}; heap ${(heapBefore / 1e6).toFixed(0)} → ${(heapAfter / 1e6).toFixed(0)} MB (${growthMb.toFixed(1)} MB)`);

  const violations = outcomes.map((o) => violation(o, windows)).filter(Boolean);
  expect(violations.slice(0, 5)).toEqual([]);
  expect(outcomes.filter((o) => o.status >= 500)).toHaveLength(0);
  // Each restart did take reviews away (or this test would prove nothing)…
  for (const window of windows) {
    expect(outcomes.some((o) => o.errors.length > 0 && o.start <= window.to && o.end >= window.from)).toBe(true);
  }
  // …and the supergraph recovered fully after the last one.
  const settled = outcomes.filter((o) => o.start > windows.at(-1)!.to);
  expect(settled.length).toBeGreaterThan(0);
  expect(settled.filter((o) => o.errors.length > 0)).toHaveLength(0);
  expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
}, 90_000);
