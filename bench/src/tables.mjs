// The tables of the isolation and end-to-end parts.
import { errors, fixed, geomean, latency } from './format.mjs';

/**
 * @typedef {import('./report.mjs').Row} Row
 * @typedef {import('./report.mjs').Table} Table
 */

/** @param {Row[]} rows @param {boolean} pinned @returns {Table} */
export function isolationTable(rows, pinned) {
  const ours = rows.filter((r) => r.router === 'ours');
  /** @param {Row} row */
  const stockOf = (row) => rows.find((r) => r.router === 'stock' && r.query === row.query);
  return {
    title: 'Router in isolation (in-memory stand-ins of the four subgraphs)',
    columns: ['query', 'router', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'fetches/req', 'router CPU %', 'CPU ms/req', 'peak RSS MB', 'stand-ins CPU %', 'load gen CPU %', 'others\' CPU %', 'ours / stock req/s', 'ours / stock by CPU'],
    rows: rows.map((row) => {
      const stock = row.router === 'ours' ? stockOf(row) : undefined;
      return [
        row.query,
        row.router === 'ours' ? 'ours' : 'stock gateway',
        fixed(row.rps),
        latency(row.p50),
        latency(row.p95),
        latency(row.p99),
        errors(row),
        fixed(row.fetchesPerRequest, 1),
        fixed(row.routerCpuPercent),
        fixed(row.routerCpuMsPerRequest, 2),
        fixed(row.routerPeakRssMb),
        fixed(row.backendCpuPercent),
        fixed(row.loadCpuPercent),
        fixed(row.othersCpuPercent),
        stock ? `**${(row.rps / stock.rps).toFixed(2)}×**` : '',
        stock ? `${(stock.routerCpuMsPerRequest / row.routerCpuMsPerRequest).toFixed(2)}×` : '',
      ];
    }),
    notes: [
      pinned
        ? 'Each router ran alone on core 0 (`taskset -c 0`); the stand-ins and the load generator shared the other core(s). CPU % is of one core: a router near 100 was the bottleneck; stand-ins plus load generator near 100 × (cores − 1) would mean the other side was.'
        : 'Not pinned (no taskset or a single core): the router shared the CPUs with the stand-ins and the load generator.',
      "Others' CPU %: what processes outside the benchmark used of the machine during the window (from `/proc/stat`, in % of one core); this machine may be shared, and a high figure makes every other figure of the row less trustworthy.",
      'Ours / stock by CPU: the stock gateway\'s CPU per request over ours, i.e. the req/s ratio the two would reach each on a core of its own. Where others took CPU during the run, req/s moves with them and CPU per request much less, so this is the steadier of the two ratios.',
      `Ours / stock, geometric mean over the queries run: ${geomean(ours.map((r) => r.rps / (stockOf(r)?.rps ?? Number.NaN))).toFixed(2)}× by req/s, ${geomean(ours.map((r) => (stockOf(r)?.routerCpuMsPerRequest ?? Number.NaN) / r.routerCpuMsPerRequest)).toFixed(2)}× by CPU per request.`,
    ],
  };
}

/** @param {Row[]} rows @returns {Table} */
export function endToEndTable(rows) {
  return {
    title: 'End to end (real subgraphs on MariaDB, large seed, behind our router)',
    columns: ['query', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'fetches/req', 'SQL/req', 'router CPU %', 'CPU ms/req', 'peak RSS MB', 'subgraphs CPU %', 'MariaDB CPU %', 'load gen CPU %', 'others\' CPU %'],
    rows: rows.map((row) => [
      row.query,
      fixed(row.rps),
      latency(row.p50),
      latency(row.p95),
      latency(row.p99),
      errors(row),
      fixed(row.fetchesPerRequest, 1),
      fixed(row.statementsPerRequest ?? Number.NaN, 1),
      fixed(row.routerCpuPercent),
      fixed(row.routerCpuMsPerRequest, 2),
      fixed(row.routerPeakRssMb),
      fixed(row.backendCpuPercent),
      fixed(row.databaseCpuPercent ?? Number.NaN),
      fixed(row.loadCpuPercent),
      fixed(row.othersCpuPercent),
    ]),
    notes: [],
  };
}
