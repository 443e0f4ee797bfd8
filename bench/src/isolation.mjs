// Part 1: the router in isolation. Our router and the stock gateway, each pinned to core 0, in
// front of the same in-memory stand-ins, driven in turn with the same load.
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { probe } from './load.mjs';
import { measure } from './rig.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./rig.mjs').Setup} Setup
 * @typedef {import('./rig.mjs').Router} Router
 * @typedef {ReturnType<typeof import('./rig.mjs').createRig>} Rig
 */

/**
 * Both routers must give the very same answer before their speed means anything; then a few
 * requests of the rotation warm each. Returns the first router's answer.
 * @param {Setup} setup @param {Router[]} routers the first is the reference
 * @param {import('./queries.mjs').Query} query @param {Record<string, string>} [headers]
 */
export async function sameAnswers(setup, routers, query, headers) {
  const sample = /** @type {import('./queries.mjs').Request} */ (query.requests[0]);
  const [reference, ...others] = routers;
  const [expected] = await probe(/** @type {Router} */ (reference).url, query, [sample], headers);
  for (const router of others) {
    const [answer] = await probe(router.url, query, [sample], headers);
    if (!isDeepStrictEqual(answer?.json, expected?.json)) {
      throw new Error(`(${query.id}) ${router.name} and ${reference?.name} answer differently; see ${setup.runDir}`);
    }
  }
  for (const router of routers) await probe(router.url, query, query.requests.slice(0, 5), headers);
  return /** @type {NonNullable<typeof expected>} */ (expected);
}

/**
 * @param {Setup} setup @param {Rig} rig
 * @returns {Promise<{ rows: Row[], notes: string[], answers: Map<string, unknown> }>}
 */
export async function runIsolation(setup, rig) {
  const { config, queries, runDir } = setup;
  const standins = await rig.standins();
  /** @param {string} who */
  const profiling = (who) => (config.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profile', who)}`] : []);
  const [ours, stock] = await Promise.all([
    rig.startRouter({ name: 'ours', nodeArgs: profiling('ours') }),
    rig.startRouter({ name: 'stock', stock: true, nodeArgs: profiling('stock') }),
  ]);
  try {
    const routers = [ours, stock];
    const timing = { warmup: config.warmup, duration: config.duration, rounds: config.rounds };
    /** @type {Row[]} */
    const rows = [];
    /** @type {string[]} */
    const notes = [];
    /** @type {Map<string, unknown>} */
    const answers = new Map();
    for (const [index, query] of queries.entries()) {
      const answer = await sameAnswers(setup, routers, query);
      answers.set(query.id, answer.json);
      // Alternate who goes first, so a drift in the machine's load does not always favour one.
      const order = index % 2 === 0 ? routers : [...routers].reverse();
      /** @type {Record<string, Row>} */
      const measured = {};
      for (const row of await measure(setup, order, standins, query, timing)) {
        row.bytes = answer.bytes;
        measured[row.router] = row;
        if (row.firstError) notes.push(`(${query.id}) ${row.router}: ${row.firstError}`);
      }
      rows.push(/** @type {Row} */ (measured.ours), /** @type {Row} */ (measured.stock));
    }
    return { rows, notes, answers };
  } finally {
    // Stopped here, not at the end of the run: profiles are written on exit.
    await rig.stopRouter(stock);
    await rig.stopRouter(ours);
  }
}
