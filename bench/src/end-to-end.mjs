// Part 2: end to end. The real subgraphs (their dist, unmodified) on MariaDB with the large seed,
// behind our router pinned to core 0, driven with the same queries.
import { isDeepStrictEqual } from 'node:util';
import { SEED_PLANS } from '@storefront/kit';
import { ensureSeed } from './seed-cache.mjs';
import { probe } from './load.mjs';
import { measureStack, startStack } from './stack.mjs';
import { SUBGRAPHS } from './paths.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./stack.mjs').Setup & { isolationAnswers?: Map<string, unknown> }} Setup
 */

/** The seed the subgraphs of the benchmark need for a plan, cached between runs. @param {import('./stack.mjs').Setup} setup @param {import('./seed-cache.mjs').PlanName} plan @param {string} prefix */
export function seedFor(setup, plan, prefix) {
  const { config, runDir, baseEnv, privateKeyPem, log } = setup;
  return ensureSeed({ mysqlUrl: config.mysqlUrl, prefix, root: config.root, runDir, baseEnv, privateKeyPem, log, plan });
}

/** "10,000 products, 200,000 reviews, …" @param {import('./seed-cache.mjs').PlanName} plan */
export function describePlan(plan) {
  const p = SEED_PLANS[plan];
  return `${p.products.toLocaleString('en-US')} products, ${p.reviews.toLocaleString('en-US')} reviews, ${p.users.toLocaleString('en-US')} users, ${p.orders.toLocaleString('en-US')} orders`;
}

/**
 * @param {Setup} setup
 * @returns {Promise<{ rows: Row[], notes: string[], server: string }>}
 */
export async function runEndToEnd(setup) {
  const { config, queries, log } = setup;
  const seed = await seedFor(setup, 'large', config.dbPrefix);
  const stack = await startStack(setup, { prefix: config.dbPrefix, name: 'e2e' });
  try {
    /** @type {Row[]} */
    const rows = [];
    /** @type {string[]} */
    const notes = [];
    if (seed.seeded.length) notes.push(`This run seeded ${seed.seeded.map((n) => `${config.dbPrefix}${n}`).join(', ')} first (${seed.seconds.toFixed(0)} s).`);
    /** @type {string[]} */
    const same = [];
    for (const query of queries) {
      const sample = /** @type {import('./queries.mjs').Request} */ (query.requests[0]);
      const [answer] = await probe(stack.url, query, [sample]);
      const expected = setup.isolationAnswers?.get(query.id);
      if (expected !== undefined) {
        if (isDeepStrictEqual(answer?.json, expected)) same.push(query.id);
        else notes.push(`(${query.id}) the real subgraphs answer differently from the stand-ins (sizes ${answer?.bytes} bytes here).`);
      }
      await probe(stack.url, query, query.requests.slice(0, 5));
      log(`end to end: (${query.id}) ${config.warmup} s warm-up, ${config.duration} s measured…`);
      const row = await measureStack(setup, stack, query, { warmup: config.warmup, duration: config.duration });
      row.bytes = answer?.bytes ?? 0;
      rows.push(row);
      if (row.firstError) notes.push(`(${query.id}): ${row.firstError}`);
    }
    if (same.length) notes.unshift(`For ${same.map((q) => `(${q})`).join(', ')} the real subgraphs gave the same data as the stand-ins.`);
    notes.unshift(
      `Subgraphs on databases ${SUBGRAPHS.map((n) => `\`${config.dbPrefix}${n}\``).join(', ')} of ${seed.server}, seeded with the large plan (${describePlan('large')}) and reused between runs. The router is pinned to core 0 as in isolation; the subgraphs, MariaDB and the load generator share the machine.`,
      'SQL/req includes the few statements of background jobs (the orders reconciler, the reservation sweeper) that fell into the window.',
    );
    return { rows, notes, server: seed.server };
  } finally {
    await stack.stop();
  }
}
