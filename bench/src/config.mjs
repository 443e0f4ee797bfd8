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
 *   parts: ('isolation' | 'e2e')[],
 *   output: string | null,
 *   mysqlUrl: string,
 *   dbPrefix: string,
 *   pin: boolean,
 *   root: string,
 *   routerEntry: string,
 *   supergraphPath: string,
 *   profile: boolean,
 * }} BenchConfig
 */

export const USAGE = `npm run bench [--workspace @storefront/bench]

Environment:
  BENCH_DURATION     seconds of measured load per query and router   (default 10)
  BENCH_WARMUP       seconds of unmeasured load before each run       (default 3)
  BENCH_ROUNDS       windows the measured time is cut into, routers   (default 5)
                     taking turns (ours, stock, ours, stock)
  BENCH_CONNECTIONS  concurrent keep-alive connections                (default 50)
  BENCH_QUERIES      which queries, e.g. "a,b"                        (default a,b,c,d)
  BENCH_PARTS        "isolation", "e2e" or both                       (default isolation,e2e)
  BENCH_OUTPUT       the Markdown report, or "none"                   (default docs/benchmarks.md;
                     "none" by default when BENCH_PROFILE is set)
  BENCH_PIN          0 to run without taskset pinning                 (default 1)
  BENCH_ROOT         the checkout whose built router, subgraphs, SDLs and supergraph are
                     measured (default this repository; e.g. a built copy of another commit)
  BENCH_ROUTER       our router's entry point                         (default <root>/router/dist/index.js)
  BENCH_PROFILE      1: profile both routers (--cpu-prof) in isolation and print where their time goes
  SUPERGRAPH_PATH    the supergraph both routers serve                (default <root>/schema/supergraph.graphql)
  MYSQL_URL          MariaDB/MySQL server for the end-to-end part     (default mysql://root@127.0.0.1:3306)
  BENCH_DB_PREFIX    prefix of the cached large-seed databases        (default bench_)`;

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
    parts: list('BENCH_PARTS', /** @type {('isolation' | 'e2e')[]} */ (['isolation', 'e2e']), ['isolation', 'e2e']),
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
