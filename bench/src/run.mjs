#!/usr/bin/env node
// `npm run bench`: our router against the stock @apollo/gateway in isolation, then the whole
// supergraph end to end on MariaDB; prints the tables and writes docs/benchmarks.md.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readConfig } from './config.mjs';
import { runEndToEnd } from './end-to-end.mjs';
import { runIsolation } from './isolation.mjs';
import { fetchPlanner } from './plan.mjs';
import { cpuPlan, pinSelf } from './proc.mjs';
import { summarizeProfiles } from './profile.mjs';
import { buildQueries } from './queries.mjs';
import { describeMachine, endToEndTable, isolationTable, printTable, writeMarkdown } from './report.mjs';

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
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** The environment of every process we start: nothing inherited but the basics. */
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: process.env.LANG,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  APOLLO_TELEMETRY_DISABLED: 'true',
  SUPERGRAPH_PATH: supergraphPath,
  JWT_PUBLIC_KEY: publicKeyPem,
  DATA_DIR: join(runDir, 'data'),
  SERVICE_SECRET: randomBytes(32).toString('hex'),
  BENCH_ROOT: config.root,
  // Our router's levers, to measure each one (the stock gateway ignores them).
  ...Object.fromEntries(['SUBGRAPH_DEDUPE', 'INBOUND_DEDUPE'].filter((name) => process.env[name]).map((name) => [name, process.env[name]])),
};
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const queries = (await buildQueries(privateKey)).filter((q) => config.queries.includes(q.id));
const planned = fetchPlanner(readFileSync(supergraphPath, 'utf8'));
const setup = { config, cpus, queries, runDir, baseEnv, log };

/** @type {import('./report.mjs').Table[]} */
const tables = [];
/** @type {string[]} */
const failures = [];
/** Size of each query's first answer, for the queries table. @type {Map<string, number>} */
const sizes = new Map();
let isolationAnswers;
if (config.parts.includes('isolation')) {
  const isolation = await runIsolation(setup);
  isolationAnswers = isolation.answers;
  for (const row of isolation.rows) sizes.set(row.query, row.bytes);
  const table = isolationTable(isolation.rows, cpus.pinned);
  table.notes.push(...isolation.notes);
  printTable(table);
  tables.push(table);
  if (config.profile) {
    process.stdout.write(`\nOur router — ${summarizeProfiles(join(runDir, 'profile', 'ours'))}\n`);
    process.stdout.write(`\nStock gateway — ${summarizeProfiles(join(runDir, 'profile', 'stock'))}\n`);
  }
}
if (config.parts.includes('e2e')) {
  try {
    const e2e = await runEndToEnd({ ...setup, privateKeyPem, isolationAnswers });
    for (const row of e2e.rows) if (!sizes.has(row.query)) sizes.set(row.query, row.bytes);
    const table = endToEndTable(e2e.rows);
    table.notes.push(...e2e.notes);
    machine.mariadb = e2e.server;
    printTable(table);
    tables.push(table);
  } catch (error) {
    const message = `end to end: ${/** @type {Error} */ (error).message}`;
    failures.push(message);
    log(message);
  }
}

const seconds = (Date.now() - startedAt.getTime()) / 1000;
if (config.output && tables.length) {
  const settings = [
    `${config.connections} connections`,
    `${config.warmup} s warm-up and ${config.duration} s measured per query and router (in isolation as ${config.rounds} windows of ${+(config.duration / config.rounds).toFixed(1)} s, the two routers taking turns)`,
    cpus.pinned ? `router on core ${cpus.router}, everything else on ${cpus.rest}` : 'no CPU pinning',
    'NODE_ENV=development, LOG_LEVEL=warn',
  ].join('; ');
  const env = [
    process.env.BENCH_DURATION ? `BENCH_DURATION=${config.duration}` : '',
    process.env.BENCH_QUERIES ? `BENCH_QUERIES=${config.queries.join(',')}` : '',
    process.env.BENCH_PARTS ? `BENCH_PARTS=${config.parts.join(',')}` : '',
    process.env.BENCH_ROOT ? `BENCH_ROOT=${machine.snapshot ? '<its folder>' : process.env.BENCH_ROOT}` : '',
  ].filter(Boolean);
  writeMarkdown({
    path: config.output,
    machine,
    commands: [
      ...(machine.snapshot ? [`npm run snapshot --workspace @storefront/bench -- ${machine.snapshot}`] : []),
      [...env, 'npm run bench'].join(' '),
    ],
    settings,
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
    tables,
    notes: [
      'Load: autocannon 8 (programmatic API) in the benchmark process, keep-alive connections, a warm-up of each router before each query; the routers are driven one at a time, in turns (ours, stock, ours, stock, or the reverse for every other query), so a change in the machine\'s load falls on both. Latency percentiles are exact, from every response\'s time.',
      'Errors: non-2xx responses, connection errors and timeouts, plus GraphQL errors: every response is screened for `"errors"` and a missing `data`, and every 20th is parsed and checked for the shape the query expects (e.g. 20 products with their reviews\' authors). Before any load, both routers must return the same data for the same request.',
      'Fetches per request: GraphQL requests counted at the stand-ins (or the real subgraphs) over requests counted at the router, from the moment everything is quiet before the window to the moment it is quiet again after it, so requests in flight when the load stops count on both sides. SQL statements per request likewise, from the statements each subgraph ran (the kit\'s StatementCounter, the hook the integration tests read). The counting is a `--import` preload (bench/src/child-guard.mjs); the services run their own unmodified dist.',
      'Router CPU: user + system time from `/proc/<pid>/stat` before and after the window, as a share of one core and per request. Peak RSS: `VmHWM` from `/proc/<pid>/status`, reset (`clear_refs`) before each window.',
      'The stock gateway is `new ApolloGateway({ supergraphSdl, buildService })` with `startStandaloneServer` defaults; buildService only points it at the same subgraph URLs and forwards `Authorization` (bench/src/stock-gateway.mjs). Our router also verifies the token at the edge, which the stock gateway does not.',
      'The stand-ins (bench/src/standins/) serve each subgraph\'s own SDL with the kit\'s HTTP front and Apollo Server, like the real subgraphs, with resolvers over the large seed plan held in memory.',
      ...(failures.length ? failures.map((f) => `**Not measured**: ${f}`) : []),
    ],
    startedAt,
    seconds,
  });
  log(`wrote ${relative(process.cwd(), config.output) || config.output}`);
}
if (!config.profile && failures.length === 0) rmSync(runDir, { recursive: true, force: true });
log(`done in ${seconds.toFixed(0)} s`);
if (failures.length) process.exitCode = 1;
