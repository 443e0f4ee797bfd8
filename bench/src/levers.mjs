// Part 3: the levers. Our router in isolation under successive lever configurations, all in
// front of the same stand-ins and all taking turns with the stock gateway on the same query
// (the isolation part's measurement, src/rig.mjs), then compression (Accept-Encoding sent to
// every router) and the plan cache's warm-up (src/warmup.mjs).
import { sameAnswers } from './isolation.mjs';
import { ACCEPT_COMPRESSED, COMPRESSION_ROWS, LEVER_ROWS, WORKERS_ROW } from './lever-configs.mjs';
import { measure } from './rig.mjs';
import { runWarmup } from './warmup.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./rig.mjs').Setup} Setup
 * @typedef {import('./rig.mjs').Router} Router
 * @typedef {ReturnType<typeof import('./rig.mjs').createRig>} Rig
 * @typedef {import('./lever-configs.mjs').LeverConfig} LeverConfig
 */

/**
 * One block: our router under each configuration plus the stock gateway, started together, then
 * per query the same answer from all, and their turns. Returns every row, `router` being the
 * configuration's id (or "stock").
 * @param {Setup} setup @param {Rig} rig @param {LeverConfig[]} configs
 * @param {import('./queries.mjs').Query[]} queries @param {{ label: string, headers?: Record<string, string> }} options
 */
async function runBlock(setup, rig, configs, queries, options) {
  const { config, log } = setup;
  const standins = await rig.standins();
  log(`${options.label}: starting ${configs.length} configurations of our router and the stock gateway…`);
  const routers = await Promise.all([
    ...configs.map((c) => rig.startRouter({ name: c.id, env: c.env, pinned: c.pinned })),
    rig.startRouter({ name: 'stock', stock: true }),
  ]);
  try {
    const timing = { warmup: config.leverWarmup, duration: config.leverDuration, rounds: config.leverRounds, headers: options.headers, label: options.label };
    /** @type {Row[]} */
    const rows = [];
    /** @type {string[]} */
    const notes = [];
    for (const [index, query] of queries.entries()) {
      const stock = /** @type {Router} */ (routers.at(-1));
      const answer = await sameAnswers(setup, [stock, ...routers.slice(0, -1)], query, options.headers);
      const order = index % 2 === 0 ? routers : [...routers].reverse();
      for (const row of await measure(setup, order, standins, query, timing)) {
        row.bytes = answer.bytes;
        rows.push(row);
        if (row.firstError) notes.push(`(${query.id}) ${row.router}: ${row.firstError}`);
      }
    }
    return { rows, notes };
  } finally {
    for (const router of routers) await rig.stopRouter(router);
  }
}

/**
 * @param {Setup} setup @param {Rig} rig @param {import('./queries.mjs').Query[]} allQueries
 */
export async function runLevers(setup, rig, allQueries) {
  const queries = allQueries.filter((q) => setup.config.leverQueries.includes(q.id));
  const levers = await runBlock(setup, rig, [...LEVER_ROWS, WORKERS_ROW], queries, { label: 'levers' });
  const compression = await runBlock(setup, rig, COMPRESSION_ROWS, queries, { label: 'compression', headers: ACCEPT_COMPRESSED });
  const warmup = await runWarmup(setup, rig, allQueries);
  return { levers, compression, warmup, queries: queries.map((q) => q.id) };
}
