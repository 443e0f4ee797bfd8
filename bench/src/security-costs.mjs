// The security part (BENCH_PARTS=security): what the router's per-request security work costs,
// stage by stage, in µs. A child process pinned to the router's core (security-child.mjs) runs
// each stage's real code from the measured checkout's dist in a tight loop on the benchmark's
// requests (security-stages.mjs), with the subgraph fetches the gateway plans for them
// (security-inputs.mjs); this file starts it and makes the tables.
import { join } from 'node:path';
import { benchRoot } from './paths.mjs';
import { startNode, stop } from './proc.mjs';
import { fixed, size } from './format.mjs';

/**
 * @typedef {{ side: 'router' | 'subgraph' | 'reference', stage: string, input: string, code: string, perRequest: Record<string, number>, wallUs: number, cpuUs: number, calls: number }} StageResult
 * @typedef {{ stages: StageResult[], fetches: Record<string, { subgraph: string, bytes: number }[]> }} SecurityResults
 */

export const SECURITY_SECTION = 'Security stack per request';

/**
 * @param {{ config: import('./config.mjs').BenchConfig, cpus: { router?: string }, runDir: string, baseEnv: Record<string, string | undefined>, log: (line: string) => void, privateKeyPem: string }} setup
 * @returns {Promise<SecurityResults>}
 */
export async function runSecurityCosts(setup) {
  const { config, log } = setup;
  log(`security: each stage in a loop, ${config.securityMs} ms per stage${setup.cpus.router ? ` on core ${setup.cpus.router}` : ''}`);
  const child = startNode({
    name: 'security-costs',
    script: join(benchRoot, 'src', 'security-child.mjs'),
    env: { ...setup.baseEnv, NODE_ENV: 'production', BENCH_SECURITY_KEY: setup.privateKeyPem, BENCH_SECURITY_MS: String(config.securityMs) },
    cpus: setup.cpus.router,
    logDir: setup.runDir,
    cwd: benchRoot,
  });
  try {
    const message = await child.messages('results', 300_000);
    return /** @type {SecurityResults} */ (/** @type {unknown} */ (message));
  } finally {
    await stop(child);
  }
}

/** "12.3" µs, two decimals below 1. @param {number} us */
const micros = (us) => (!Number.isFinite(us) ? '–' : us < 1 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));

/**
 * @param {SecurityResults} results @param {string[]} queries @param {string} [intro] how this part's run differs from the page's
 * @returns {import('./report.mjs').Table[]}
 */
export function securityTables(results, queries, intro) {
  const perRequest = (/** @type {StageResult} */ s, /** @type {string} */ q) => (s.perRequest[q] ?? 0) * s.cpuUs;
  /** The stages of one side, one row per stage (its per-query inputs summed). @param {'router' | 'subgraph'} side */
  const rows = (side) => {
    const stages = results.stages.filter((s) => s.side === side);
    const names = [...new Set(stages.map((s) => s.stage))];
    const body = names.map((name) => {
      const of = stages.filter((s) => s.stage === name);
      return [
        side === 'router' ? name : `subgraphs: ${name}`,
        /** @type {string} */ (of[0]?.code),
        ...queries.map((q) => {
          const calls = of.reduce((n, s) => n + (s.perRequest[q] ?? 0), 0);
          return calls ? `${micros(of.reduce((n, s) => n + perRequest(s, q), 0))} (${calls}×)` : '–';
        }),
      ];
    });
    const total = queries.map((q) => stages.reduce((n, s) => n + perRequest(s, q), 0));
    return { body, total };
  };
  const router = rows('router');
  const subgraphs = rows('subgraph');
  const fetchSizes = queries.map((q) => {
    const list = results.fetches[q] ?? [];
    return `(${q}) ${list.length} fetches, ${size(list.reduce((n, f) => n + f.bytes, 0))}`;
  });
  /** @type {import('./report.mjs').Table} */
  const summary = {
    section: SECURITY_SECTION,
    title: 'The security stack per request: µs of CPU (calls)',
    intro: [
      intro,
      "Each stage's own code from router/dist and packages/kit/dist, run in a loop on the benchmark's requests as they arrive: (a)–(c) anonymous, (d) with a shopper's token, the 200 shoppers in turn. Cells: CPU µs the stage costs one request of that query, and how many times it runs for it.",
    ].filter(Boolean).join(' '),
    left: 2,
    columns: ['stage', 'code', ...queries.map((q) => `(${q})`)],
    rows: [
      ...router.body,
      ['**router, in all**', '', ...router.total.map((us) => `**${micros(us)}**`)],
      ...subgraphs.body,
      ['**subgraphs, in all**', '', ...subgraphs.total.map((us) => `**${micros(us)}**`)],
    ],
    notes: [
      `Subgraph fetches per request, as the gateway plans and runs them on the stand-ins' data (representations deduplicated, as with ENTITY_DEDUPE): ${fetchSizes.join('; ')}. Each is signed by the router, and checked by the subgraph.`,
      'Rate limits run as in production (RATE_LIMIT_MAX and RATE_LIMIT_ADDRESS_MAX on, counters in memory); outside production they are off. The response cache keys and the recent operations run at their defaults (RESPONSE_CACHE and QUERY_PLAN_WARMUP on).',
      "Not in the figures: Apollo Server's own parse, validation and query hash, and the nonce store of the subgraphs' signature check (memory or Redis).",
    ],
  };
  /** @type {import('./report.mjs').Table} */
  const details = {
    section: SECURITY_SECTION,
    title: 'Each stage per call',
    intro: `Median µs per call over batches of about 10 ms, after a warm-up: wall time (performance.now) beside CPU time (process.cpuUsage, user + system) of the same batches, in one child process pinned to the router's core, NODE_ENV=production, ${results.stages.length} stages one after another. "For reference" rows are not part of the requests above: the pieces of a stage, and what a refused token costs.`,
    left: 4,
    columns: ['stage', 'input', 'code', 'calls per request (a / b / c / d)', 'µs per call, wall', 'µs per call, CPU'],
    rows: results.stages.map((s) => [
      `${s.side === 'subgraph' ? 'subgraphs: ' : ''}${s.stage}${s.side === 'reference' ? ' (for reference)' : ''}`,
      s.input,
      s.code,
      queries.map((q) => String(s.perRequest[q] ?? 0)).join(' / '),
      micros(s.wallUs),
      micros(s.cpuUs),
    ]),
    notes: [`${fixed(results.stages.reduce((n, s) => n + s.calls, 0) / 1e6, 1)} million calls in all.`],
  };
  return [summary, details];
}
