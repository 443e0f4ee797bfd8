// The results as a table on the terminal and as docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {import('./load.mjs').LoadResult & {
 *   query: string,
 *   router: string,
 *   fetchesPerRequest: number,
 *   statementsPerRequest?: number,
 *   routerCpuPercent: number,
 *   routerCpuMsPerRequest: number,
 *   routerPeakRssMb: number,
 *   backendCpuPercent: number,
 *   loadCpuPercent: number,
 *   databaseCpuPercent?: number,
 *   othersCpuPercent: number,
 *   bytes: number,
 * }} Row
 * @typedef {{ title: string, columns: string[], rows: string[][], notes: string[] }} Table
 */

/** @param {number} value @param {number} [digits] */
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
/** @param {number} ms */
const latency = (ms) => (!Number.isFinite(ms) ? '–' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
/** @param {Row} row */
const errors = (row) => String(row.non2xx + row.failed + row.graphqlErrors);

/** What the machine is, and which code was measured, for the report's header. @param {string} root */
export function describeMachine(root) {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  /** @param {string} command @param {string[]} args */
  const tryRun = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  // A snapshot (bench/src/snapshot.mjs) says what it is; a checkout asks git.
  let source;
  /** The commit of a snapshot, to name in the command that reproduces the run. */
  let snapshot;
  try {
    const text = readFileSync(join(root, '.bench-source'), 'utf8').trim();
    snapshot = text.split(' ')[0];
    source = `commit ${text}, measured from a snapshot (bench/src/snapshot.mjs)`;
  } catch {
    const git = tryRun('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
    const dirty = tryRun('git', ['-C', root, 'status', '--porcelain', '--', 'router', 'packages/kit', 'subgraphs', 'schema']);
    source = git ? `commit ${git}${dirty ? ' with uncommitted changes in router, kit, subgraphs or schema' : ''}` : `the build in ${root}`;
  }
  return {
    cpus: availableParallelism(),
    cpu,
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
    kernel: tryRun('uname', ['-r']) ?? 'unknown',
    mariadb: /** @type {string | undefined} */ (undefined),
    source,
    snapshot,
    loadBefore: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

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

/** @param {number[]} values */
function geomean(values) {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  return finite.length ? Math.exp(finite.reduce((sum, v) => sum + Math.log(v), 0) / finite.length) : Number.NaN;
}

/** @param {Table} table */
export function printTable(table) {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').replace(/\*/g, '').length)));
  /** @param {string[]} cells */
  const line = (cells) => cells.map((c, i) => c.replace(/\*/g, '').padStart(/** @type {number} */ (widths[i]))).join('  ');
  const out = [`\n${table.title}`, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line), ...table.notes.map((n) => `  ${n.replace(/`/g, '')}`)];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** @param {Table} table */
function markdownTable(table) {
  return [
    `### ${table.title}`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...table.notes.map((n) => `- ${n}`),
  ].join('\n');
}

/**
 * @param {{
 *   path: string,
 *   machine: ReturnType<typeof describeMachine>,
 *   commands: string[],
 *   settings: string,
 *   queries: { id: string, title: string, fetches: string, size: string }[],
 *   tables: Table[],
 *   notes: string[],
 *   startedAt: Date,
 *   seconds: number,
 * }} report
 */
export function writeMarkdown(report) {
  const { machine } = report;
  const text = `# Benchmarks

Written by \`npm run bench\` (bench/); do not edit by hand — run it again. What the benchmark does,
its settings and how to profile: [bench/README.md](../bench/README.md).

- **Date**: ${report.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, ${Math.round(report.seconds)} s in all
- **Machine**: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb.toFixed(1)} GB RAM, Linux ${machine.kernel}, Node ${machine.node}${machine.mariadb ? `, ${machine.mariadb}` : ''}; load average before the run ${machine.loadBefore}
- **Code**: ${machine.source}
- **Command**: ${report.commands.map((c) => `\`${c}\``).join(', then ')}
- **Settings**: ${report.settings}

## Queries

| query | what it asks | planned fetches | response |
| --- | --- | --- | ---: |
${report.queries.map((q) => `| ${q.id} | ${q.title} | ${q.fetches} | ${q.size} |`).join('\n')}

The exact operations are in [bench/src/queries.mjs](../bench/src/queries.mjs). Requests for (c) rotate over
1,000 SKUs and for (d) over 200 shoppers' tokens.

## Results

${report.tables.map(markdownTable).join('\n\n')}

## How the figures are taken

${report.notes.map((n) => `- ${n}`).join('\n')}
`;
  writeFileSync(report.path, text);
}
