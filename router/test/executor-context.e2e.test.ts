import { parse } from 'graphql';
import { testKeys } from '@storefront/testing';
import type { RunningRouter } from '../src/server';
import { TEST_SERVICE_SECRET } from './harness';
import { supergraphForGateway } from '../src/supergraph';
import { startFixtureGraph, type Fixture, type FixtureGraph } from './differential/fixture-graph';
import { ISOLATED_ENV, startWithExecutor } from './differential/routers';

/**
 * `@context` / `@fromContext` (federation 2.8): a field's argument is set from an ancestor in the
 * response. The planner says where in `contextRewrites`; the stock gateway refuses to load such a
 * supergraph at all (the context feature is `for: SECURITY` and unknown to it), our executor sets
 * the arguments. `field(a:)` answers `<U.id>:<a>`, so each entity shows which value reached it.
 */
const fixture: Fixture = {
  name: 'context',
  subgraphs: [
    {
      name: 'catalog',
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key"])
        type Query { t: T! ts: [T!]! }
        type T @key(fields: "id") { id: ID! prop: String! }
      `),
      resolvers: {
        Query: { t: () => ({ id: 't1' }), ts: () => [{ id: 't1' }, { id: 't2' }, { id: 't3' }] },
        T: { __resolveReference: (ref: { id: string }) => ref, prop: (t: { id: string }) => (t.id === 't3' ? 'p1' : `p${t.id.slice(1)}`) },
      },
      faultKeys: [],
    },
    {
      name: 'scoped',
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@context", "@fromContext", "@external"])
        type Query { root: T! roots: [T!]! }
        type T @key(fields: "id") @context(name: "parent") { id: ID! prop: String! @external u: U! us: [U!]! }
        type U @key(fields: "id") { id: ID! field(a: String @fromContext(field: "$parent { prop }")): String }
      `),
      resolvers: {
        Query: { root: () => ({ id: 't2' }), roots: () => [{ id: 't1' }, { id: 't2' }] },
        T: {
          __resolveReference: (ref: { id: string }) => ref,
          u: (t: { id: string }) => ({ id: `u-${t.id}` }),
          us: (t: { id: string }) => [{ id: `u-${t.id}-a` }, { id: `u-${t.id}-b` }],
        },
        U: { __resolveReference: (ref: { id: string }) => ref, field: (u: { id: string }, args: { a?: string | null }) => `${u.id}:${args.a ?? 'none'}` },
      },
      faultKeys: [],
    },
  ],
  samples: {},
  probe: '{ t { id } }',
};

let graph: FixtureGraph;
let router: RunningRouter;

const env = () => ({
  NODE_ENV: 'test',
  PORT: '0',
  LOG_LEVEL: 'silent',
  JWT_PUBLIC_KEY: testKeys().publicKeyPem,
  SERVICE_SECRET: TEST_SERVICE_SECRET,
  SUPERGRAPH_PATH: graph.supergraphPath,
  QUERY_PLAN_WARMUP: 'false',
  ...ISOLATED_ENV,
});

beforeAll(async () => {
  graph = await startFixtureGraph(fixture);
  router = await startWithExecutor(env(), 'router', graph.urls);
});

afterAll(async () => {
  await router?.close();
  await graph?.close();
});

async function ask(query: string, variables?: Record<string, unknown>) {
  const response = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; path?: unknown[] }[] } };
}

describe('@fromContext arguments through our executor', () => {
  it('sets the argument from the entity the context is on (the context on the fetched entity itself)', async () => {
    const { status, body } = await ask('{ t { id u { field } } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { t: { id: 't1', u: { field: 'u-t1:p1' } } } });
  });

  it('goes up from a nested entity to its parent (`..`), through lists', async () => {
    const { body } = await ask('{ root { u { field } } roots { us { id field } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      root: { u: { field: 'u-t2:p2' } },
      roots: [
        { us: [{ id: 'u-t1-a', field: 'u-t1-a:p1' }, { id: 'u-t1-b', field: 'u-t1-b:p1' }] },
        { us: [{ id: 'u-t2-a', field: 'u-t2-a:p2' }, { id: 'u-t2-b', field: 'u-t2-b:p2' }] },
      ],
    });
  });

  it('sends entities whose values differ in one request, grouped by value (t1 and t3 share p1)', async () => {
    const before = graph.servers.scoped!.requests;
    const { body } = await ask('{ ts { id us { field } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      ts: [
        { id: 't1', us: [{ field: 'u-t1-a:p1' }, { field: 'u-t1-b:p1' }] },
        { id: 't2', us: [{ field: 'u-t2-a:p2' }, { field: 'u-t2-b:p2' }] },
        { id: 't3', us: [{ field: 'u-t3-a:p1' }, { field: 'u-t3-b:p1' }] },
      ],
    });
    // One `_entities` request to the subgraph for the three Ts, whatever their values.
    expect(graph.servers.scoped!.requests - before).toBe(1);
  });

  it('never takes a contextual argument from the client: an undeclared variable of that name is ignored', async () => {
    const { body } = await ask('{ t { u { field } } }', { contextualArgument_1_0: 'forged', contextualArgument_2_0: 'forged' });
    expect(body).toEqual({ data: { t: { u: { field: 'u-t1:p1' } } } });
  });
});

describe('loading a supergraph with @context', () => {
  it('the stock executor refuses to load it, rather than answer without the arguments', async () => {
    await expect(startWithExecutor(env(), 'gateway', graph.urls)).rejects.toThrow(/context\/v0\.1 is for: SECURITY but is unsupported/);
  });

  it('the link loses `for: SECURITY` only for our executor', () => {
    const sdl = '@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)';
    expect(supergraphForGateway(sdl)).toBe(sdl);
    expect(supergraphForGateway(sdl, { contexts: true })).toBe('@link(url: "https://specs.apollo.dev/context/v0.1")');
  });
});
