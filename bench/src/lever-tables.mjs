// The tables of the levers part: lever by lever (ratios to the stock gateway), their details,
// one worker per core, compression, and the plan cache's warm-up.
import { COMPRESSION_ROWS, LEVER_ROWS, WORKERS_ROW } from './lever-configs.mjs';
import { errors, fixed, latency, mark, size, times } from './format.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./report.mjs').Table} Table
 * @typedef {import('./lever-configs.mjs').LeverConfig} LeverConfig
 * @typedef {Awaited<ReturnType<typeof import('./levers.mjs').runLevers>>} LeverResults
 */

const SECTION = 'Lever by lever';

/** Ours / stock by req/s and by CPU per request, in one block's rows. @param {Row[]} rows @param {string} config @param {string} query */
export function ratios(rows, config, query) {
  const ours = rows.find((r) => r.router === config && r.query === query);
  const stock = rows.find((r) => r.router === 'stock' && r.query === query);
  if (!ours || !stock) return { ours, stock, rps: Number.NaN, cpu: Number.NaN };
  return { ours, stock, rps: ours.rps / stock.rps, cpu: stock.routerCpuMsPerRequest / ours.routerCpuMsPerRequest };
}

/** "✔ ≥2× on (a), (b)" or "✘ ≥2× on (a), (b): (b) 1.69×". @param {Row[]} rows @param {LeverConfig} config */
export function targetCell(rows, config) {
  if (!config.target) return '';
  const { ratio, queries } = config.target;
  const measured = queries.map((q) => ({ q, rps: ratios(rows, config.id, q).rps }));
  const missing = measured.filter((m) => !Number.isFinite(m.rps));
  const short = measured.filter((m) => Number.isFinite(m.rps) && m.rps < ratio);
  const goal = `≥${ratio}× on ${queries.map((q) => `(${q})`).join(', ')}`;
  if (missing.length) return `– ${goal}: ${missing.map((m) => `(${m.q})`).join(', ')} not measured`;
  return short.length ? `${mark(false)} ${goal}: ${short.map((m) => `(${m.q}) ${times(m.rps)}`).join(', ')}` : `${mark(true)} ${goal}`;
}

/** @param {LeverResults} results @returns {Table[]} */
export function leverTables(results) {
  const { queries } = results;
  const blocks = [
    ...[...LEVER_ROWS, WORKERS_ROW].map((config) => ({ config, rows: results.levers.rows, client: '' })),
    ...COMPRESSION_ROWS.map((config) => ({ config, rows: results.compression.rows, client: ' — client sends `Accept-Encoding: gzip, br`' })),
  ];
  const summary = {
    section: SECTION,
    title: 'Ours / stock gateway, lever by lever (router in isolation)',
    intro: 'Each row adds one setting to the row above (the last three change one setting of "every lever on"). Cells: ours / stock by req/s, and in brackets by CPU per request; both routers measured in the same turns.',
    left: 2,
    columns: ['configuration', 'setting', ...queries.map((q) => `(${q}) ours / stock`), 'fetches/req', 'p99 ms', 'peak RSS MB', 'target'],
    rows: blocks.map(({ config, rows, client }) => {
      const each = queries.map((q) => ratios(rows, config.id, q));
      return [
        `${config.title}${client}`,
        `\`${config.adds}\``,
        ...each.map((r) => `**${times(r.rps)}** (${times(r.cpu)})`),
        each.map((r) => fixed(r.ours?.fetchesPerRequest ?? Number.NaN, 1)).join(' / '),
        each.map((r) => latency(r.ours?.p99 ?? Number.NaN)).join(' / '),
        fixed(Math.max(...each.map((r) => r.ours?.routerPeakRssMb ?? Number.NaN))),
        targetCell(rows, config),
      ];
    }),
    notes: [
      `fetches/req and p99 are ours, per query (${queries.map((q) => `(${q})`).join(' / ')}); peak RSS is ours, the highest over those queries (all its processes).`,
      'Every row also has the keep-alive transport to the subgraphs (no setting: always on) and the plan cache at its default size. A setting the router does not know (a lever still being built) is ignored, so its row measures as the row above.',
      'The (a) and (b) requests are the same from all 50 connections, which is what the dedup levers and the response cache exploit (a popular page under load); the isolation table above has (c) and (d), which rotate over 1,000 SKUs and 200 shoppers.',
    ],
  };
  /** @type {Table} */
  const details = {
    section: SECTION,
    title: 'Lever by lever, the figures',
    columns: ['configuration', 'query', 'ours req/s', 'stock req/s', 'ours CPU ms/req', 'stock CPU ms/req', 'fetches/req', 'ours p99 ms', 'stock p99 ms', 'ours peak RSS MB', 'errors', 'others\' CPU %'],
    rows: [...LEVER_ROWS, WORKERS_ROW].flatMap((config) =>
      queries.map((q) => {
        const { ours, stock } = ratios(results.levers.rows, config.id, q);
        return [config.id, q, fixed(ours?.rps ?? NaN), fixed(stock?.rps ?? NaN), fixed(ours?.routerCpuMsPerRequest ?? NaN, 2), fixed(stock?.routerCpuMsPerRequest ?? NaN, 2), fixed(ours?.fetchesPerRequest ?? NaN, 1), latency(ours?.p99 ?? NaN), latency(stock?.p99 ?? NaN), fixed(ours?.routerPeakRssMb ?? NaN), ours ? errors(ours) : '–', fixed(ours?.othersCpuPercent ?? NaN)];
      }),
    ),
    notes: [...results.levers.notes],
  };
  return [summary, details, workersTable(results), compressionTable(results), warmupTable(results)];
}

/** @param {LeverResults} results @returns {Table} */
function workersTable({ levers, queries }) {
  const routers = [
    { id: 'every lever on', label: 'ours, ROUTER_WORKERS=1, pinned to core 0' },
    { id: WORKERS_ROW.id, label: 'ours, ROUTER_WORKERS=2, not pinned' },
    { id: 'stock', label: 'stock gateway, pinned to core 0' },
  ];
  return {
    section: SECTION,
    title: 'One worker per core (every lever on)',
    columns: ['query', 'router', 'processes', 'req/s', 'ours / stock req/s', 'router CPU %', 'CPU ms/req', 'ours / stock by CPU', 'p99 ms', 'peak RSS MB', 'stand-ins CPU %', 'load gen CPU %'],
    rows: queries.flatMap((q) =>
      routers.map(({ id, label }) => {
        const { ours, rps, cpu } = ratios(levers.rows, id, q);
        return [q, label, fixed(ours?.routerProcesses ?? NaN), fixed(ours?.rps ?? NaN), id === 'stock' ? '' : times(rps), fixed(ours?.routerCpuPercent ?? NaN), fixed(ours?.routerCpuMsPerRequest ?? NaN, 2), id === 'stock' ? '' : times(cpu), latency(ours?.p99 ?? NaN), fixed(ours?.routerPeakRssMb ?? NaN), fixed(ours?.backendCpuPercent ?? NaN), fixed(ours?.loadCpuPercent ?? NaN)];
      }),
    ),
    notes: [
      'Router CPU, CPU per request and peak RSS cover every process of the router: the primary and the workers it forked (found through /proc/<pid>/task/*/children), RSS summed. Processes: how many there were.',
      'On a 2-core machine this is no fair test of the lever: unpinned, the two workers share both cores with the stand-ins and the load generator, which a pinned router leaves to them; a gain in req/s is bounded by the core the others give up, and CPU per request (which includes the primary and the cost of spreading connections) is the figure to watch. On a machine with cores to spare beside the load, expect req/s to scale with the workers.',
    ],
  };
}

/** @param {LeverResults} results @returns {Table} */
function compressionTable({ compression, queries }) {
  const routers = [{ id: 'stock', label: 'stock gateway' }, ...COMPRESSION_ROWS.map((c) => ({ id: c.id, label: `ours, ${c.id}` }))];
  return {
    section: SECTION,
    title: 'Compression (client sends `Accept-Encoding: gzip, br`; every other lever on)',
    columns: ['query', 'router', 'req/s', 'ours / stock req/s', 'CPU ms/req', 'ours / stock by CPU', 'bytes/response', 'compressed', 'p99 ms', 'errors'],
    rows: queries.flatMap((q) =>
      routers.map(({ id, label }) => {
        const { ours, rps, cpu } = ratios(compression.rows, id, q);
        const encoded = ours ? `${fixed(100 * ours.encodedShare)} %${ours.encoding ? ` (${ours.encoding})` : ''}` : '–';
        return [q, label, fixed(ours?.rps ?? NaN), id === 'stock' ? '' : times(rps), fixed(ours?.routerCpuMsPerRequest ?? NaN, 2), id === 'stock' ? '' : times(cpu), size(ours?.bytesPerResponse ?? NaN), encoded, latency(ours?.p99 ?? NaN), ours ? errors(ours) : '–'];
      }),
    ),
    notes: [
      'Bytes/response: as received on the wire, headers included. Compression\'s benefit is in that column (what a client on a slow link waits for), its cost in CPU per request; on loopback the bytes cost nothing, so req/s shows the cost only.',
      'Compressed responses are checked before the load, decoded (the same data as the stock gateway\'s); during the load only their status is, as the load generator cannot decode them.',
      ...compression.notes,
    ],
  };
}

/** @param {LeverResults} results @returns {Table} */
function warmupTable({ warmup }) {
  const on = warmup.runs.find((r) => r.warmup === 'true');
  const off = warmup.runs.find((r) => r.warmup === 'false');
  const queries = (on ?? off)?.timings.map((t) => t.query) ?? [];
  /** @param {typeof on} run @param {string} q @param {'afterStartMs' | 'afterReloadMs' | 'afterWarmedMs' | 'steadyMs'} key */
  const ms = (run, q, key) => latency(run?.timings.find((t) => t.query === q)?.[key] ?? Number.NaN);
  return {
    section: SECTION,
    title: 'Plan cache warm-up: time to first response (ms)',
    columns: ['query', 'after start, on', 'after start, off', 'right after a reload, on', 'right after a reload, off', 'after a reload, warmed, on', 'after a reload, 1 s, off', 'warm (median of 5), on', 'warm, off'],
    left: 1,
    rows: queries.map((q) => [q, ms(on, q, 'afterStartMs'), ms(off, q, 'afterStartMs'), ms(on, q, 'afterReloadMs'), ms(off, q, 'afterReloadMs'), ms(on, q, 'afterWarmedMs'), ms(off, q, 'afterWarmedMs'), ms(on, q, 'steadyMs'), ms(off, q, 'steadyMs')]),
    notes: [
      'Our router with every lever on but the response cache (`RESPONSE_CACHE=false`, or a cached answer would hide the planning), `QUERY_PLAN_WARMUP=true` (on) or `false` (off); one request at a time, in the order of the rows, so (a)\'s first response also pays the router\'s first-request costs; single requests, so expect noise of a few ms. After start: as soon as /ready answers. Right after a reload: the supergraph file (a copy of its own) rewritten with a comment appended, the same schema, and the requests sent as soon as the router logs "supergraph reloaded" (the warm-up, if on, then runs beside them). After a reload, warmed: a second such reload, the requests sent once the router logs "query plans warmed" (off: a second after the reload).',
      `Start to ready: ${warmup.runs.map((r) => `${r.warmup === 'true' ? 'on' : 'off'} ${fixed(r.readyMs)} ms`).join(', ')}. File change to "supergraph reloaded": ${warmup.runs.map((r) => `${r.warmup === 'true' ? 'on' : 'off'} ${r.reloadSeen ? `${fixed(r.reloadMs)} ms` : 'not seen'}`).join(', ')} (the file is polled every 200 ms here). The warm-up after the second reload: ${on?.warmed ?? '–'}.`,
      ...warmup.notes,
    ],
  };
}
