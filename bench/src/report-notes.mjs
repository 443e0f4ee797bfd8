// What docs/benchmarks.md says about the run besides its tables: the settings, the command that
// reproduces it, and how the figures are taken.

/** Variables that change what a run measures, named in the report's command when set. */
const COMMAND_VARIABLES = /^(BENCH_(?!OUTPUT$|PROFILE$)[A-Z_]+|SUBGRAPH_DEDUPE|INBOUND_DEDUPE)$/;

/**
 * @param {import('./config.mjs').BenchConfig} config @param {{ pinned: boolean, router?: string, rest?: string }} cpus
 */
export function settingsLine(config, cpus) {
  const has = (/** @type {import('./config.mjs').Part} */ part) => config.parts.includes(part);
  return [
    `${config.connections} connections`,
    has('isolation') || has('e2e')
      ? `${config.warmup} s warm-up and ${config.duration} s measured per query and router (in isolation as ${config.rounds} windows of ${+(config.duration / config.rounds).toFixed(1)} s, the routers taking turns)`
      : '',
    has('levers')
      ? `levers: queries ${config.leverQueries.join(', ')}, ${config.leverWarmup} s warm-up and ${config.leverDuration} s measured per query, router and configuration, as ${config.leverRounds} windows of ${+(config.leverDuration / config.leverRounds).toFixed(1)} s`
      : '',
    has('scale') ? `scale: ${config.scaleWarmup} s warm-up and ${config.scaleDuration} s measured per query and size` : '',
    has('memory') ? `memory: ${config.memorySeconds} s of mixed load, sampled every ${config.memorySample} s` : '',
    has('security') ? `security: ${config.securityMs} ms of looping per stage` : '',
    cpus.pinned ? `router on core ${cpus.router}, everything else on ${cpus.rest}` : 'no CPU pinning',
    'NODE_ENV=development, LOG_LEVEL=warn',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * The command(s) that reproduce the run.
 * @param {{ snapshot?: string }} machine @param {Record<string, string | undefined>} [env]
 */
export function reproduceCommands(machine, env = process.env) {
  const variables = Object.entries(env)
    .filter(([name, value]) => COMMAND_VARIABLES.test(name) && value)
    .map(([name, value]) => `${name}=${name === 'BENCH_ROOT' && machine.snapshot ? '<its folder>' : value}`)
    .sort();
  return [...(machine.snapshot ? [`npm run snapshot --workspace @storefront/bench -- ${machine.snapshot}`] : []), [...variables, 'npm run bench'].join(' ')];
}

/** How the figures are taken, for the report's last section. */
export const METHOD_NOTES = [
  'Load: autocannon 8 (programmatic API) in the benchmark process, keep-alive connections, a warm-up of each router before each query; the routers are driven one at a time, in turns (ours, stock, ours, stock, or the reverse for every other query; in the levers part every configuration of ours and the stock gateway in turn), so a change in the machine\'s load falls on all. Latency percentiles are exact, from every response\'s time.',
  'Errors: non-2xx responses, connection errors and timeouts, plus GraphQL errors: every uncompressed response is screened for `"errors"` and a missing `data`, and every 20th is parsed and checked for the shape the query expects (e.g. 20 products with their reviews\' authors). Before any load, all routers must return the same data for the same request.',
  'Fetches per request: GraphQL requests counted at the stand-ins (or the real subgraphs) over requests counted at the router, from the moment everything is quiet before the window to the moment it is quiet again after it, so requests in flight when the load stops count on both sides. SQL statements per request likewise, from the statements each subgraph ran (the kit\'s StatementCounter, the hook the integration tests read). The counting is a `--import` preload (bench/src/child-guard.mjs); the services run their own unmodified dist.',
  'Router CPU: user + system time from `/proc/<pid>/stat` before and after the window, of the router\'s process and every process it started, as a share of one core and per request. Peak RSS: `VmHWM` from `/proc/<pid>/status`, reset (`clear_refs`) before each window, summed over the router\'s processes.',
  'The stock gateway is `new ApolloGateway({ supergraphSdl, buildService })` with `startStandaloneServer` defaults; buildService only points it at the same subgraph URLs and forwards `Authorization` (bench/src/stock-gateway.mjs). Our router also verifies the token at the edge, which the stock gateway does not.',
  'The stand-ins (bench/src/standins/) serve each subgraph\'s own SDL with the kit\'s HTTP front and Apollo Server, like the real subgraphs, with resolvers over the large seed plan held in memory.',
];
