// The tables of the scale and memory parts, and the issue's targets against what was measured.
import { LEVER_ROWS } from './lever-configs.mjs';
import { ratios, targetCell } from './lever-tables.mjs';
import { errors, fixed, latency, mark } from './format.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./report.mjs').Table} Table
 * @typedef {Awaited<ReturnType<typeof import('./scale.mjs').runScale>>} ScaleResults
 * @typedef {Awaited<ReturnType<typeof import('./memory.mjs').runMemory>>} MemoryResults
 */

/** The router's RSS target after five minutes of load, MB. */
export const RSS_TARGET_MB = 300;
/** The end-to-end latency target at concurrency 50, ms, and its queries. */
export const P99_TARGET = { ms: 100, queries: ['a', 'c'] };

/** SQL statements per request equal at both sizes (background jobs aside). @param {number} a @param {number} b */
export const sameSql = (a, b) => Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) < 0.05;

/** @param {ScaleResults} scale @returns {Table} */
export function scaleTable(scale) {
  const [small, large] = scale.sizes;
  const queries = small?.rows.map((r) => r.query) ?? [];
  /** @param {import('./scale.mjs').ScaleSize | undefined} s @param {string} q */
  const row = (s, q) => s?.rows.find((r) => r.query === q);
  return {
    section: 'Scale: 1,000 and 100,000 products',
    title: 'End to end at 1,000 and at 100,000 products (no dedup, no response cache)',
    left: 1,
    columns: ['query', 'SQL/req 1k', 'SQL/req 100k', 'SQL/req equal', 'fetches/req 1k', 'fetches/req 100k', 'p50 ms 1k', 'p50 ms 100k', 'p99 ms 1k', 'p99 ms 100k', 'req/s 1k', 'req/s 100k', 'errors'],
    rows: queries.map((q) => {
      const a = row(small, q);
      const b = row(large, q);
      const sqlA = a?.statementsPerRequest ?? Number.NaN;
      const sqlB = b?.statementsPerRequest ?? Number.NaN;
      return [q, fixed(sqlA, 2), fixed(sqlB, 2), Number.isFinite(sqlA) && Number.isFinite(sqlB) ? mark(sameSql(sqlA, sqlB)) : '–', fixed(a?.fetchesPerRequest ?? NaN, 1), fixed(b?.fetchesPerRequest ?? NaN, 1), latency(a?.p50 ?? NaN), latency(b?.p50 ?? NaN), latency(a?.p99 ?? NaN), latency(b?.p99 ?? NaN), fixed(a?.rps ?? NaN), fixed(b?.rps ?? NaN), `${a ? errors(a) : '–'} / ${b ? errors(b) : '–'}`];
    }),
    notes: [
      ...scale.notes,
      'Why the reviews grow with the products: with a fixed number of reviews, the products of the smaller set would each have a hundred times more of them than those of the bigger, the pages would not be the same, and neither would their statements (the reviews service\'s per-request loaders answer a reviewer already seen in the request from memory). One review per product, by the user of the same number, makes the data around each of the first 1,000 products the same in both sets, so any difference is the catalogue\'s size.',
    ],
  };
}

/** @param {MemoryResults} memory @param {number} seconds asked for @returns {Table} */
export function memoryTable(memory, seconds) {
  const { samples, start, end, peakRssMb, load } = memory;
  const ok = end.rssMb < RSS_TARGET_MB;
  return {
    section: 'Memory under load',
    title: `Our router under a mixed load of (a)–(d) for ${seconds} s (every lever at its default, in isolation)`,
    left: 1,
    columns: ['time s', 'req/s since the previous sample', 'RSS MB (/proc, all processes)', 'RSS MB (/metrics)', 'heap used MB', 'heap total MB'],
    rows: samples.map((s, i) => {
      const previous = samples[i - 1];
      const rps = previous ? (s.requests - previous.requests) / (s.seconds - previous.seconds) : Number.NaN;
      return [fixed(s.seconds), i === 0 ? 'before the load' : fixed(rps), fixed(s.rssMb), fixed(s.metricsRssMb), fixed(s.heapUsedMb), fixed(s.heapTotalMb)];
    }),
    notes: [
      `**RSS ${fixed(start.rssMb)} MB at start, ${fixed(peakRssMb)} MB at its peak, ${fixed(end.rssMb)} MB at the end** (after ${fixed(end.seconds)} s of load): ${mark(ok)} against the target of < ${RSS_TARGET_MB} MB${seconds < 300 ? ` (which is about 300 s of load: this run had ${seconds} s)` : ''}. Peak: the kernel's high-water mark (VmHWM) over the load, so it also catches peaks between samples.`,
      `Load: the four queries in turn, ${load.requests} requests, ${fixed(load.rps)} req/s, p50 ${latency(load.p50)} ms, p99 ${latency(load.p99)} ms, ${errors(/** @type {Row} */ (/** @type {unknown} */ (load)))} errors; ${end.processes} router process(es).`,
      'In isolation rather than end to end: on this 2-core machine the subgraphs and MariaDB are the bottleneck end to end, so in the same five minutes the router would serve a fraction of the requests and hold fewer in flight; the stand-ins serve the same large-seed data, so responses, plans and cached entries are the same size, and the router (pinned to core 0) is driven as hard as its core allows.',
    ],
  };
}

/**
 * The issue's targets, each against what this run measured (or "not measured").
 * @param {{ levers?: import('./lever-tables.mjs').LeverResults, e2e?: Row[], scale?: ScaleResults, memory?: MemoryResults, memorySeconds: number }} results
 * @returns {Table}
 */
export function targetsTable({ levers, e2e, scale, memory, memorySeconds }) {
  /** @type {string[][]} */
  const rows = [];
  for (const config of LEVER_ROWS.filter((c) => c.target)) {
    const target = config.target;
    const measured = levers ? target?.queries.map((q) => `(${q}) ${ratios(levers.levers.rows, config.id, q).rps.toFixed(2)}×`).join(', ') : 'not measured';
    rows.push([`in isolation, ${config.id === 'every lever on' ? 'every lever on' : 'no response cache, no inbound dedup'}: ≥ ${target?.ratio}× the stock gateway's req/s on ${target?.queries.map((q) => `(${q})`).join(', ')}`, measured ?? '', levers ? targetCell(levers.levers.rows, config).slice(0, 1) : '–', levers ? '[lever by lever](#lever-by-lever)' : '']);
  }
  const p99 = P99_TARGET.queries.map((q) => e2e?.find((r) => r.query === q));
  rows.push([
    `end to end at concurrency 50: p99 < ${P99_TARGET.ms} ms for ${P99_TARGET.queries.map((q) => `(${q})`).join(', ')}`,
    p99.every((r) => !r) ? 'not measured' : P99_TARGET.queries.map((q, i) => `(${q}) ${latency(p99[i]?.p99 ?? NaN)} ms`).join(', '),
    p99.some((r) => !r) ? '–' : mark(p99.every((r) => /** @type {Row} */ (r).p99 < P99_TARGET.ms)),
    e2e ? '[end to end](#results)' : '',
  ]);
  if (scale) {
    const [small, large] = scale.sizes;
    const pairs = (small?.rows ?? []).map((a) => ({ q: a.query, a: a.statementsPerRequest ?? NaN, b: large?.rows.find((r) => r.query === a.query)?.statementsPerRequest ?? NaN }));
    rows.push(['SQL statements per request the same at 1,000 and 100,000 products', pairs.map((p) => `(${p.q}) ${fixed(p.a, 2)} / ${fixed(p.b, 2)}`).join(', '), mark(pairs.length > 0 && pairs.every((p) => sameSql(p.a, p.b))), '[scale](#scale-1000-and-100000-products)']);
  } else rows.push(['SQL statements per request the same at 1,000 and 100,000 products', 'not measured', '–', '']);
  rows.push([
    `router RSS < ${RSS_TARGET_MB} MB after 5 minutes of load`,
    memory ? `${fixed(memory.end.rssMb)} MB after ${fixed(memory.end.seconds)} s (peak ${fixed(memory.peakRssMb)} MB)` : 'not measured',
    memory ? `${mark(memory.end.rssMb < RSS_TARGET_MB)}${memorySeconds < 300 ? ' (short run)' : ''}` : '–',
    memory ? '[memory](#memory-under-load)' : '',
  ]);
  return { section: 'Targets', title: "Issue 7's targets in this run", left: 4, columns: ['target', 'measured', 'met', 'table'], rows, notes: [] };
}
