// Part 4: scale. The whole supergraph end to end on two data sets that differ only in their
// number of products (1,000 and 100,000), every request paying its own SQL (no subgraph fetch or
// inbound dedup, no response cache): statements and fetches per request, latency and throughput
// at both sizes, so a page that costs more with a bigger catalogue shows.
import { describePlan, seedFor } from './end-to-end.mjs';
import { probe } from './load.mjs';
import { planPrefix } from './seed-cache.mjs';
import { measureStack, startStack } from './stack.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {{ plan: 'scale1k' | 'scale100k', label: string, prefix: string, rows: Row[] }} ScaleSize
 */

/** What the router runs with: each request pays its own fetches and statements. */
export const SCALE_ROUTER_ENV = { SUBGRAPH_DEDUPE: 'false', INBOUND_DEDUPE: 'false', RESPONSE_CACHE: 'false' };

/**
 * @param {import('./stack.mjs').Setup} setup
 * @param {import('./queries.mjs').Query[]} queries built with SKUs that exist at both sizes
 * @returns {Promise<{ sizes: ScaleSize[], notes: string[], server: string }>}
 */
export async function runScale(setup, queries) {
  const { config, log } = setup;
  /** @type {ScaleSize[]} */
  const sizes = [
    { plan: 'scale1k', label: '1,000', prefix: planPrefix(config.dbPrefix, 'scale1k'), rows: [] },
    { plan: 'scale100k', label: '100,000', prefix: planPrefix(config.dbPrefix, 'scale100k'), rows: [] },
  ];
  /** @type {string[]} */
  const notes = [];
  let server = '';
  // Both seeded (or found) before either is measured, so seeding never overlaps a measurement.
  for (const size of sizes) {
    const seed = await seedFor(setup, size.plan, size.prefix);
    server = seed.server;
    if (seed.seeded.length) notes.push(`This run seeded ${seed.seeded.map((n) => `${size.prefix}${n}`).join(', ')} first (${seed.seconds.toFixed(0)} s).`);
  }
  // Both stacks up at once, and each query measured on one size then the other (in alternating
  // order), so a change in the machine's load falls on both sizes alike.
  /** @type {import('./stack.mjs').Stack[]} */
  const stacks = [];
  try {
    for (const size of sizes) stacks.push(await startStack(setup, { prefix: size.prefix, name: size.plan, routerEnv: SCALE_ROUTER_ENV }));
    for (const [index, query] of queries.entries()) {
      const order = index % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const size = /** @type {ScaleSize} */ (sizes[i]);
        const stack = /** @type {import('./stack.mjs').Stack} */ (stacks[i]);
        const [answer] = await probe(stack.url, query, query.requests.slice(0, 1));
        await probe(stack.url, query, query.requests.slice(0, 5));
        log(`scale: ${size.label} products, (${query.id}) ${config.scaleWarmup} s warm-up, ${config.scaleDuration} s measured…`);
        const row = await measureStack(setup, stack, query, { warmup: config.scaleWarmup, duration: config.scaleDuration });
        row.bytes = answer?.bytes ?? 0;
        size.rows.push(row);
        if (row.firstError) notes.push(`${size.label} products, (${query.id}): ${row.firstError}`);
      }
    }
  } finally {
    for (const stack of stacks) await stack.stop();
  }
  notes.unshift(
    `Databases \`${sizes[0]?.prefix}*\` (${describePlan('scale1k')}) and \`${sizes[1]?.prefix}*\` (${describePlan('scale100k')}) of ${server}, seeded by the subgraphs (SEED=scale1k, SEED=scale100k) and reused between runs. (c) rotates over SKU-00001…SKU-01000, which exist in both.`,
    `Our router with ${Object.entries(SCALE_ROUTER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}, pinned to core 0, so every request pays its own subgraph fetches and SQL; the other levers at their defaults. Both sizes run at once (two routers, eight subgraphs), each query measured on one size and then the other, in alternating order; the idle size's services wait meanwhile.`,
    'SQL/req is equal when the two sizes differ by less than 0.05 statements per request; background jobs (the orders reconciler, the reservation sweeper) add a few statements to a window.',
  );
  return { sizes, notes, server };
}
