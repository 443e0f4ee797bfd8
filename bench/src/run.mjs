#!/usr/bin/env node
// `npm run bench`: our router against the stock @apollo/gateway in isolation, the whole supergraph
// end to end on MariaDB, the levers one by one, a page's cost at 1,000 and 100,000 products, and
// the router's memory under five minutes of load; prints the tables and writes docs/benchmarks.md.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { estimateSeconds, readConfig, STANDALONE_PARTS } from './config.mjs';
import { runEndToEnd } from './end-to-end.mjs';
import { runIsolation } from './isolation.mjs';
import { leverTables } from './lever-tables.mjs';
import { runLevers } from './levers.mjs';
import { runMemory } from './memory.mjs';
import { memoryTable, scaleTable, targetsTable } from './outcome-tables.mjs';
import { fetchPlanner } from './plan.mjs';
import { cpuPlan, pinSelf } from './proc.mjs';
import { summarizeProfiles } from './profile.mjs';
import { buildQueries } from './queries.mjs';
import { describeMachine, printTable, spliceMarkdown, writeMarkdown } from './report.mjs';
import { METHOD_NOTES, reproduceCommands, settingsLine } from './report-notes.mjs';
import { createRig } from './rig.mjs';
import { runScale } from './scale.mjs';
import { runSecurityCosts, securityTables } from './security-costs.mjs';
import { endToEndTable, isolationTable } from './tables.mjs';

const startedAt = new Date();
const config = (() => {
  try {
    return readConfig();
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
    process.exit(2);
  }
})();
const log = (/** @type {string} */ line) => process.stderr.write(`[bench] ${line}\n`);

for (const [what, path] of [
  ['our router', config.routerEntry],
  ...['users', 'products', 'reviews', 'orders'].map((name) => [`the ${name} subgraph`, join(config.root, 'subgraphs', name, 'dist', 'index.js')]),
]) {
  if (!existsSync(/** @type {string} */ (path))) {
    throw new Error(`${what} is not built (${path} is missing): run \`npm run build\` first, or use the root \`npm run bench\`.`);
  }
}

const estimate = estimateSeconds(config);
log(
  `parts ${config.parts.join(', ')}: about ${Math.round(estimate.total / 60)} min (${config.parts.map((p) => `${p} ~${Math.round(estimate.parts[p])} s`).join(', ')}), plus up to a minute per data set the first time it is seeded`,
);
const machine = describeMachine(config.root);
const cpus = cpuPlan(config.pin);
// The load generator (autocannon, in this process) stays off the router's core.
pinSelf(cpus.rest);
const runDir = mkdtempSync(join(tmpdir(), 'storefront-bench-'));
mkdirSync(join(runDir, 'data'));
// A copy, so an edit of the file during the run cannot make our router (which watches it) reload.
const supergraphPath = join(runDir, 'supergraph.graphql');
copyFileSync(config.supergraphPath, supergraphPath);
log(`logs and scratch files in ${runDir}`);

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
/** The environment of every process we start: nothing inherited but the basics. */
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: process.env.LANG,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  APOLLO_TELEMETRY_DISABLED: 'true',
  SUPERGRAPH_PATH: supergraphPath,
  JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  DATA_DIR: join(runDir, 'data'),
  SERVICE_SECRET: randomBytes(32).toString('hex'),
  BENCH_ROOT: config.root,
  // Our router's levers, to measure the isolation and end-to-end parts with one (the stock gateway ignores them).
  ...Object.fromEntries(
    ['SUBGRAPH_DEDUPE', 'INBOUND_DEDUPE', 'ENTITY_DEDUPE', 'RESPONSE_CACHE', 'COMPRESSION', 'QUERY_PLAN_WARMUP', 'QUERY_PLAN_CACHE_MB']
      .filter((name) => process.env[name])
      .map((name) => [name, process.env[name]]),
  ),
};
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const allQueries = await buildQueries(privateKey);
const queries = allQueries.filter((q) => config.queries.includes(q.id));
const planned = fetchPlanner(readFileSync(supergraphPath, 'utf8'));
const setup = { config, cpus, queries, runDir, baseEnv, supergraphPath, log, privateKeyPem };

/** @type {Record<string, import('./report.mjs').Table[]>} */
const tables = { security: [], isolation: [], e2e: [], levers: [], scale: [], memory: [] };
/** @type {Parameters<typeof targetsTable>[0]} */
const outcomes = { memorySeconds: config.memorySeconds };
/** @type {string[]} */
const failures = [];
/** Size of each query's first answer, for the queries table. @type {Map<string, number>} */
const sizes = new Map();
/** @type {Map<string, unknown> | undefined} */
let isolationAnswers;

/** Runs a part if asked for; a part that fails is reported and the others still run. @param {import('./config.mjs').Part} part @param {() => Promise<import('./report.mjs').Table[]>} body */
async function part(part, body) {
  if (!config.parts.includes(part)) return;
  try {
    const made = await body();
    for (const table of made) printTable(table);
    tables[part] = made;
  } catch (error) {
    const message = `${part}: ${/** @type {Error} */ (error).message}`;
    failures.push(message);
    log(message);
  }
}

/** Only parts measured apart from the load: they rewrite their own sections of the report, no more. */
const standalone = config.parts.every((p) => STANDALONE_PARTS.includes(p));
// The security stages first, on a quiet machine; then the parts on the stand-ins (they share one
// set of stand-ins), then those on MariaDB.
await part('security', async () => {
  const results = await runSecurityCosts(setup);
  const when = `${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const apart = standalone
    ? `Measured apart from the rest of this page: ${when}, ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${machine.source}, \`${reproduceCommands(machine).join('`, then `')}\`.`
    : undefined;
  return securityTables(results, allQueries.map((q) => q.id), apart);
});
const rig = createRig(setup);
try {
  await part('isolation', async () => {
    const isolation = await runIsolation(setup, rig);
    isolationAnswers = isolation.answers;
    for (const row of isolation.rows) sizes.set(row.query, row.bytes);
    const table = isolationTable(isolation.rows, cpus.pinned);
    table.notes.push(...isolation.notes);
    if (config.profile) {
      process.stdout.write(`\nOur router — ${summarizeProfiles(join(runDir, 'profile', 'ours'))}\n`);
      process.stdout.write(`\nStock gateway — ${summarizeProfiles(join(runDir, 'profile', 'stock'))}\n`);
    }
    return [table];
  });
  await part('levers', async () => {
    const levers = await runLevers(setup, rig, allQueries);
    outcomes.levers = levers;
    return leverTables(levers);
  });
  await part('memory', async () => {
    const memory = await runMemory(setup, rig, allQueries);
    outcomes.memory = memory;
    return [memoryTable(memory, config.memorySeconds)];
  });
} finally {
  await rig.close();
}
await part('e2e', async () => {
  const e2e = await runEndToEnd({ ...setup, isolationAnswers });
  for (const row of e2e.rows) if (!sizes.has(row.query)) sizes.set(row.query, row.bytes);
  outcomes.e2e = e2e.rows;
  machine.mariadb = e2e.server;
  const table = endToEndTable(e2e.rows);
  table.notes.push(...e2e.notes);
  return [table];
});
await part('scale', async () => {
  // (c)'s SKUs spread over the first 1,000 products, which both sizes have.
  const scaleQueries = (await buildQueries(privateKey, { catalogue: 1000 })).filter((q) => config.queries.includes(q.id));
  const scale = await runScale(setup, scaleQueries);
  outcomes.scale = scale;
  machine.mariadb ??= scale.server;
  return [scaleTable(scale)];
});

const measured = [tables.isolation, tables.e2e, tables.levers, tables.scale, tables.memory, tables.security].flat();
if (measured.length && (outcomes.levers || outcomes.e2e || outcomes.scale || outcomes.memory)) {
  const targets = targetsTable(outcomes);
  printTable(targets);
  measured.unshift(targets);
}
const seconds = (Date.now() - startedAt.getTime()) / 1000;
if (config.output && measured.length && standalone && spliceMarkdown(config.output, measured)) {
  log(`rewrote the ${[...new Set(measured.map((t) => t.section))].join(', ')} section of ${relative(process.cwd(), config.output) || config.output}`);
} else if (config.output && measured.length) {
  writeMarkdown({
    path: config.output,
    machine,
    commands: reproduceCommands(machine),
    settings: settingsLine(config, cpus),
    queries: queries.map((q) => {
      const plan = planned(q.query, q.operationName);
      const bytes = sizes.get(q.id);
      return {
        id: q.id,
        title: q.title,
        fetches: `${plan.fetches} (${Object.entries(plan.bySubgraph).map(([k, v]) => `${k} ${v}`).join(', ')})`,
        size: bytes ? `${(bytes / 1024).toFixed(1)} KB` : '–',
      };
    }),
    tables: measured,
    notes: [...METHOD_NOTES, ...failures.map((f) => `**Not measured**: ${f}`)],
    startedAt,
    seconds,
  });
  log(`wrote ${relative(process.cwd(), config.output) || config.output}`);
}
if (!config.profile && failures.length === 0) rmSync(runDir, { recursive: true, force: true });
log(`done in ${seconds.toFixed(0)} s (estimated ${Math.round(estimate.total)} s)`);
if (failures.length) process.exitCode = 1;
