// The router settings the levers part measures: each lever is an environment variable of our
// router (one it does not know is ignored, so a lever still being built measures as off).

/**
 * @typedef {{ id: string, title: string, adds: string, env: Record<string, string>, pinned: boolean, target?: { ratio: number, queries: string[] } }} LeverConfig
 */

/** Every lever of the router off. ROUTER_WORKERS=1: a pinned router has one core anyway. */
export const ALL_OFF = {
  SUBGRAPH_DEDUPE: 'false',
  INBOUND_DEDUPE: 'false',
  ENTITY_DEDUPE: 'false',
  RESPONSE_CACHE: 'false',
  COMPRESSION: 'false',
  QUERY_PLAN_WARMUP: 'false',
  ROUTER_WORKERS: '1',
};
/** Every lever on (compression acts only on clients that ask for it, which the ratio rows do not). */
export const ALL_ON = { ...ALL_OFF, SUBGRAPH_DEDUPE: 'true', INBOUND_DEDUPE: 'true', ENTITY_DEDUPE: 'true', RESPONSE_CACHE: 'true', COMPRESSION: 'true', QUERY_PLAN_WARMUP: 'true' };

/** The lever-by-lever rows, each adding one lever to the one before. @type {LeverConfig[]} */
export const LEVER_ROWS = [
  {
    id: 'all off, stock executor',
    title: 'all off, EXECUTOR=gateway (the stock executor, the row below runs ours)',
    adds: 'EXECUTOR=gateway',
    env: { ...ALL_OFF, EXECUTOR: 'gateway' },
    pinned: true,
  },
  { id: 'all off', title: 'all off', adds: Object.entries(ALL_OFF).filter(([k]) => k !== 'ROUTER_WORKERS').map(([k, v]) => `${k}=${v}`).join(' '), env: ALL_OFF, pinned: true },
  { id: '+ entity dedup', title: '+ entity representation dedup', adds: 'ENTITY_DEDUPE=true', env: { ...ALL_OFF, ENTITY_DEDUPE: 'true' }, pinned: true },
  {
    id: '+ subgraph dedup',
    title: '+ subgraph fetch dedup (no response cache, no inbound dedup)',
    adds: 'SUBGRAPH_DEDUPE=true',
    env: { ...ALL_OFF, ENTITY_DEDUPE: 'true', SUBGRAPH_DEDUPE: 'true' },
    pinned: true,
    target: { ratio: 2, queries: ['a', 'b'] },
  },
  { id: '+ inbound dedup', title: '+ inbound dedup', adds: 'INBOUND_DEDUPE=true', env: { ...ALL_OFF, ENTITY_DEDUPE: 'true', SUBGRAPH_DEDUPE: 'true', INBOUND_DEDUPE: 'true' }, pinned: true },
  {
    id: 'every lever on',
    title: '+ response cache = every lever on',
    adds: 'RESPONSE_CACHE=true (and COMPRESSION=true, QUERY_PLAN_WARMUP=true)',
    env: ALL_ON,
    pinned: true,
    target: { ratio: 4, queries: ['b'] },
  },
];
/** One worker per core: every lever on, two workers, not pinned. @type {LeverConfig} */
export const WORKERS_ROW = { id: 'workers=2', title: 'every lever on, ROUTER_WORKERS=2, not pinned', adds: 'ROUTER_WORKERS=2', env: { ...ALL_ON, ROUTER_WORKERS: '2' }, pinned: false };
/** Compression, with every other lever on. @type {LeverConfig[]} */
export const COMPRESSION_ROWS = [
  { id: 'COMPRESSION=false', title: 'every lever on but compression', adds: 'COMPRESSION=false', env: { ...ALL_ON, COMPRESSION: 'false' }, pinned: true },
  { id: 'COMPRESSION=true', title: 'every lever on', adds: 'COMPRESSION=true', env: ALL_ON, pinned: true },
];
/** What the load generator sends in the compression block, to every router. */
export const ACCEPT_COMPRESSED = { 'accept-encoding': 'gzip, br' };
