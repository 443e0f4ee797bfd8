// The benchmark's settings, all from the environment, checked up front with every problem listed.
import { join, resolve } from 'node:path';
import { projectRoot } from './paths.mjs';

/**
 * @typedef {{
 *   duration: number,
 *   warmup: number,
 *   rounds: number,
 *   connections: number,
 *   queries: string[],
 *   parts: Part[],
 *   leverDuration: number,
 *   leverWarmup: number,
 *   leverRounds: number,
 *   leverQueries: string[],
 *   scaleDuration: number,
 *   scaleWarmup: number,
 *   memorySeconds: number,
 *   memorySample: number,
 *   securityMs: number,
 *   output: string | null,
 *   mysqlUrl: string,
 *   dbPrefix: string,
 *   pin: boolean,
 *   root: string,
 *   routerEntry: string,
 *   supergraphPath: string,
 *   profile: boolean,
 * }} BenchConfig
 * @typedef {'security' | 'isolation' | 'e2e' | 'levers' | 'scale' | 'memory'} Part
 */

/** Every part, in the order they run. @type {Part[]} */
export const PARTS = ['security', 'isolation', 'e2e', 'levers', 'scale', 'memory'];

/** Parts measured apart from the load: run alone, they rewrite only their own section of the report. @type {Part[]} */
export const STANDALONE_PARTS = ['security'];

export const USAGE = `npm run bench [--workspace @storefront/bench]

Environment:
  BENCH_DURATION     seconds of measured load per query and router   (default 10)
  BENCH_WARMUP       seconds of unmeasured load before each run       (default 3)
  BENCH_ROUNDS       windows the measured time is cut into, routers   (default 5)
                     taking turns (ours, stock, ours, stock)
  BENCH_CONNECTIONS  concurrent keep-alive connections                (default 50)
  BENCH_QUERIES      which queries, e.g. "a,b"                        (default a,b,c,d)
  BENCH_PARTS        which parts: security, isolation, e2e, levers,   (default all six)
                     scale, memory
  BENCH_LEVER_DURATION  levers: seconds measured per query, router    (default 6)
                     and configuration
  BENCH_LEVER_WARMUP levers: seconds of warm-up of each router         (default 1)
  BENCH_LEVER_ROUNDS levers: windows the measured time is cut into     (default 2)
  BENCH_LEVER_QUERIES levers: which queries                            (default a,b)
  BENCH_SCALE_DURATION  scale: seconds measured per query and size     (default 6)
  BENCH_SCALE_WARMUP scale: seconds of warm-up per query and size      (default 2)
  BENCH_MEMORY_SECONDS  memory: seconds of mixed load                  (default 300)
  BENCH_MEMORY_SAMPLE memory: seconds between memory samples           (default 15)
  BENCH_SECURITY_MS  security: ms of looping per stage (a third warm-up) (default 600)
  BENCH_OUTPUT       the Markdown report, or "none"                   (default docs/benchmarks.md;
                     "none" by default when BENCH_PROFILE is set)
  BENCH_PIN          0 to run without taskset pinning                 (default 1)
  BENCH_ROOT         the checkout whose built router, subgraphs, SDLs and supergraph are
                     measured (default this repository; e.g. a built copy of another commit)
  BENCH_ROUTER       our router's entry point                         (default <root>/router/dist/index.js)
  BENCH_PROFILE      1: profile both routers (--cpu-prof) in isolation and print where their time goes
  SUPERGRAPH_PATH    the supergraph both routers serve                (default <root>/schema/supergraph.graphql)
  MYSQL_URL          MariaDB/MySQL server for the end-to-end part     (default mysql://root@127.0.0.1:3306)
  BENCH_DB_PREFIX    prefix of the cached large-seed databases        (default bench_;
                     the scale part's are <prefix without _>1k_ and …100k_)`;

/** @param {Record<string, string | undefined>} env @returns {BenchConfig} */
export function readConfig(env = process.env) {
  /** @type {string[]} */
  const problems = [];
  /** @param {string} name @param {number} fallback @param {number} min @param {number} max */
  const number = (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) problems.push(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
  /** @template {string} T @param {string} name @param {T[]} allowed @param {T[]} fallback @returns {T[]} */
  const list = (name, allowed, fallback) => {
    const raw = env[name];
    if (!raw) return fallback;
    const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
    const unknown = values.filter((v) => !allowed.includes(/** @type {T} */ (v)));
    if (unknown.length || values.length === 0) problems.push(`${name} must list some of ${allowed.join(', ')}, got "${raw}"`);
    return /** @type {T[]} */ (values);
  };
  const profile = env.BENCH_PROFILE === '1';
  const root = resolve(env.BENCH_ROOT ?? projectRoot);
  const output = env.BENCH_OUTPUT ?? (profile ? 'none' : join(projectRoot, 'docs', 'benchmarks.md'));
  const config = {
    duration: number('BENCH_DURATION', 10, 1, 3600),
    warmup: number('BENCH_WARMUP', 3, 0, 600),
    rounds: number('BENCH_ROUNDS', 5, 1, 100),
    connections: number('BENCH_CONNECTIONS', 50, 1, 10_000),
    queries: list('BENCH_QUERIES', ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd']),
    parts: list('BENCH_PARTS', PARTS, PARTS),
    leverDuration: number('BENCH_LEVER_DURATION', 6, 1, 3600),
    leverWarmup: number('BENCH_LEVER_WARMUP', 1, 0, 600),
    leverRounds: number('BENCH_LEVER_ROUNDS', 2, 1, 100),
    leverQueries: list('BENCH_LEVER_QUERIES', ['a', 'b', 'c', 'd'], ['a', 'b']),
    scaleDuration: number('BENCH_SCALE_DURATION', 6, 1, 3600),
    scaleWarmup: number('BENCH_SCALE_WARMUP', 2, 0, 600),
    memorySeconds: number('BENCH_MEMORY_SECONDS', 300, 5, 24 * 3600),
    memorySample: number('BENCH_MEMORY_SAMPLE', 15, 1, 3600),
    securityMs: number('BENCH_SECURITY_MS', 600, 50, 60_000),
    output: output === 'none' ? null : output,
    mysqlUrl: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    dbPrefix: env.BENCH_DB_PREFIX ?? 'bench_',
    pin: env.BENCH_PIN !== '0',
    root,
    routerEntry: resolve(env.BENCH_ROUTER ?? join(root, 'router', 'dist', 'index.js')),
    supergraphPath: resolve(env.SUPERGRAPH_PATH ?? join(root, 'schema', 'supergraph.graphql')),
    profile,
  };
  if (!/^[A-Za-z0-9_]*$/.test(config.dbPrefix)) problems.push('BENCH_DB_PREFIX may hold only letters, digits and _');
  if (problems.length) throw new Error(`Invalid benchmark settings:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\n${USAGE}`);
  return config;
}

/**
 * Roughly how long a run with these settings takes, in seconds, from the durations asked for plus
 * the overheads measured on a 2-core machine (starting processes, letting everything go quiet
 * around each window). Seeding the databases the first time comes on top.
 * @param {BenchConfig} config
 */
export function estimateSeconds(config) {
  const queries = config.queries.length;
  const leverQueries = config.leverQueries.length;
  /** Warm-up and windows of `routers` routers taking turns on one query. @param {number} routers @param {number} warmup @param {number} duration @param {number} rounds */
  const turns = (routers, warmup, duration, rounds) => routers * (warmup + duration + rounds * 0.9 + 0.5);
  /** @type {Record<Part, number>} */
  const parts = {
    // About 45 stages, after building the stand-ins' data and planning the queries (~10 s).
    security: 10 + (45 * config.securityMs) / 1000,
    isolation: 15 + queries * turns(2, config.warmup, config.duration, config.rounds),
    e2e: 15 + queries * (config.warmup + config.duration + 3),
    levers: 45 + leverQueries * (turns(7, config.leverWarmup, config.leverDuration, config.leverRounds) + turns(3, config.leverWarmup, config.leverDuration, config.leverRounds)),
    scale: 30 + 2 * queries * (config.scaleWarmup + config.scaleDuration + 3),
    memory: 15 + config.memorySeconds,
  };
  return { total: config.parts.reduce((sum, part) => sum + parts[part], 0), parts };
}
