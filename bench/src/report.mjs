// The results as tables on the terminal and as docs/benchmarks.md: the machine, the date, the
// command, then each part's tables under its section.
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
 *   routerProcesses?: number,
 *   backendCpuPercent: number,
 *   loadCpuPercent: number,
 *   databaseCpuPercent?: number,
 *   othersCpuPercent: number,
 *   bytes: number,
 * }} Row
 * @typedef {{ title: string, columns: string[], rows: string[][], notes: string[], section?: string, intro?: string, left?: number }} Table
 *   section: the report's `##` heading it goes under (default "Results"); left: how many leading
 *   columns are text (default 2)
 */

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

/** @param {Table} table */
export function printTable(table) {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').replace(/\*/g, '').length)));
  /** @param {string[]} cells */
  const line = (cells) =>
    cells.map((c, i) => (i < (table.left ?? 2) && i > 0 ? c.replace(/\*/g, '').padEnd(/** @type {number} */ (widths[i])) : c.replace(/\*/g, '').padStart(/** @type {number} */ (widths[i])))).join('  ');
  const out = [`\n${table.title}`, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line), ...table.notes.map((n) => `  ${n.replace(/`/g, '')}`)];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** @param {Table} table */
function markdownTable(table) {
  return [
    `### ${table.title}`,
    '',
    ...(table.intro ? [table.intro, ''] : []),
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map((_, i) => (i < (table.left ?? 2) ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...table.notes.map((n) => `- ${n}`),
  ].join('\n');
}

/** The tables under their `##` sections, in the order given. @param {Table[]} tables */
function sections(tables) {
  /** @type {string[]} */
  const out = [];
  let current;
  for (const table of tables) {
    const section = table.section ?? 'Results';
    if (section !== current) out.push(`## ${section}`);
    current = section;
    out.push(markdownTable(table));
  }
  return out.join('\n\n');
}

/**
 * Rewrites only the sections of these tables in an existing report (a part measured apart from the
 * load, run alone), adding a new one before "How the figures are taken"; the rest of the page
 * stays as the last full run wrote it. False when there is no report yet.
 * @param {string} path @param {Table[]} tables
 */
export function spliceMarkdown(path, tables) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  for (const section of [...new Set(tables.map((t) => t.section ?? 'Results'))]) {
    const block = `${sections(tables.filter((t) => (t.section ?? 'Results') === section))}

`;
    const start = text.indexOf(`\n## ${section}\n`);
    if (start >= 0) {
      const next = text.indexOf('\n## ', start + 1);
      text = `${text.slice(0, start + 1)}${block}${next >= 0 ? text.slice(next + 1) : ''}`;
    } else {
      const at = text.indexOf('\n## How the figures are taken');
      text = at >= 0 ? `${text.slice(0, at + 1)}${block}${text.slice(at + 1)}` : `${text.trimEnd()}\n\n${block}`;
    }
  }
  writeFileSync(path, text);
  return true;
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

${sections(report.tables)}

## How the figures are taken

${report.notes.map((n) => `- ${n}`).join('\n')}
`;
  writeFileSync(report.path, text);
}
