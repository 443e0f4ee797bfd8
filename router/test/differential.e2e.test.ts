/**
 * The differential test of issue 14, item 4: every operation goes through two routers on the same
 * subgraph servers, one with EXECUTOR=router (our executor), one with EXECUTOR=gateway (the stock
 * `@apollo/gateway` executor), and their answers must be equal: `data` deep-equal, and errors by
 * message, path and `extensions.code` as a multiset (see compare.ts), and the HTTP status. Not
 * failures, but counted and logged: our executor's intended differences (known-differences.ts:
 * entity error paths, and the concrete `__typename` under an `@interfaceObject`). Operations: the client operations of
 * `schema/operations/`, the bench queries, the README's example and seeded random ones, on our
 * supergraph (real subgraphs on MariaDB) and on two foreign supergraphs (fixtures in this
 * process), with faults injected: subgraph errors, nulls in non-null fields, timeouts and
 * subgraphs down.
 *
 * `npm test` runs 100 random operations per supergraph from seed 14; `npm run fuzz:executor` runs
 * FUZZ_OPERATIONS (5000) from FUZZ_SEED (a fresh one when unset, printed). A mismatch prints the
 * seed, operation, variables, fault and both answers; DIFFERENTIAL_NOTES=1 prints one example of
 * each note, DIFFERENTIAL_LOG_LEVEL=error the routers' own logs.
 */
import { testKeys } from '@storefront/testing';
import type { GraphQLSchema } from 'graphql';
import { TEST_SERVICE_SECRET } from './harness';
import { supergraphCorpus, type CorpusEntry } from './differential/corpus';
import { DELAY_PAST_TIMEOUT_MS, DifferentialRun, FIXTURE_TIMEOUT_MS, type Case } from './differential/differential-run';
import type { Fault } from './differential/fault-server';
import { startFixtureGraph, type Fixture, type FixtureGraph } from './differential/fixture-graph';
import { interfaceObjectFixture } from './differential/fixtures/interface-object';
import { providesFixture } from './differential/fixtures/provides';
import { OUR_DELAY_MS, OUR_GENERATOR, startOurSupergraph, type OurSupergraph } from './differential/our-supergraph';
import { operationSeed } from './differential/prng';
import { executorOf, introspect, ISOLATED_ENV, startRouterPair, type RouterPair } from './differential/routers';

const COUNT = Number(process.env.FUZZ_OPERATIONS ?? 100);
const RUN_SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_OPERATIONS ? Math.floor(Math.random() * 2 ** 31) : 14));
/** Random operations in the fault sections (each run under every fault). */
const PER_FAULT = process.env.FUZZ_OPERATIONS ? 30 : 6;
const LONG = Math.max(60_000, COUNT * 250);

function expectAlike(run: DifferentialRun): void {
  if (process.env.FUZZ_OPERATIONS || run.mismatches.length || run.notes.length) console.log(`FUZZ_SEED=${RUN_SEED} ${run.summary()}`);
  if (process.env.DIFFERENTIAL_NOTES && run.notes.length) console.log(run.noteReport());
  if (run.mismatches.length) {
    throw new Error(`${run.mismatches.length} answers differ (FUZZ_SEED=${RUN_SEED}, FUZZ_OPERATIONS=${COUNT}):\n\n${run.report()}`);
  }
  expect(run.rejected).toBe(0);
}

/** `count` random cases for a fault section, from seeds of their own. */
function faultCases(run: DifferentialRun, schema: GraphQLSchema, label: string, generator: Parameters<DifferentialRun['generate']>[2], count: number): Case[] {
  return Array.from({ length: count }, (_, i) => run.generate(schema, operationSeed(RUN_SEED, label, i), generator, `${label} random #${i}`)).filter(
    (c): c is Case => c !== undefined,
  );
}

const asCase = (e: CorpusEntry): Case => ({ label: e.label, request: e.request, token: e.token, mutation: e.mutation });

describe('our supergraph: EXECUTOR=router and EXECUTOR=gateway answer alike', () => {
  let our: OurSupergraph;
  let schema: GraphQLSchema;
  let corpus: CorpusEntry[];

  beforeAll(async () => {
    our = await startOurSupergraph();
    schema = await introspect(our.routers.router.url);
    corpus = await supergraphCorpus(our.token, our.graph.keys.privateKeyPem);
    if (process.env.FUZZ_OPERATIONS) console.log(`EXECUTOR=router runs ${executorOf(our.graph.routerEnv, 'router')}`);
  });

  afterAll(async () => {
    await our?.close();
  });

  it('on the corpus: schema/operations, the bench queries and the README example', async () => {
    const run = new DifferentialRun('ours', our.routers);
    for (const entry of corpus) await run.compare(asCase(entry));
    expectAlike(run);
    // 12 client operations in 22 variants, 4 bench queries, the README's.
    expect(run.compared).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThanOrEqual(27);
    expect(run.clean).toBeGreaterThan(corpus.length / 2);
  });

  it(`on ${COUNT} random operations, some with a fault`, async () => {
    const run = new DifferentialRun('ours', our.routers);
    const tokens = [undefined, await our.token(2), await our.token(1)];
    await run.random(schema, { runSeed: RUN_SEED, count: COUNT, generator: OUR_GENERATOR, targets: our.targets, tokens });
    expectAlike(run);
    expect(run.compared).toBe(COUNT);
    expect(run.clean).toBeGreaterThan(COUNT / 4);
  }, LONG);

  it('with a subgraph down, timing out, failing or answering nulls', async () => {
    const run = new DifferentialRun('ours', our.routers);
    const random = faultCases(run, schema, 'ours faults', OUR_GENERATOR, PER_FAULT);
    // Healthy first: compared, and planned by both routers before any fault (see `under`).
    for (const c of random) await run.compare(c);
    const cases = [...corpus.filter((e) => !e.mutation).map(asCase), ...random];
    // A timeout costs its wait: the bench queries, the README's and the random ones, all at once.
    const slow = cases.filter((c) => /^(bench|README|ours faults)/.test(c.label));
    let expected = 0;
    const proxied: [label: string, server: 'reviews' | 'orders', fault: Fault][] = [
      ['reviews timing out', 'reviews', { kind: 'delay', ms: OUR_DELAY_MS }],
      ['orders down (connection refused)', 'orders', { kind: 'down' }],
      ['reviews failing its entities', 'reviews', { kind: 'error', key: '_entities', code: 'NOT_FOUND' }],
      ['reviews failing a field', 'reviews', { kind: 'error', key: 'reviews', code: 'FIXTURE_FAILURE' }],
      ['orders answering null statuses', 'orders', { kind: 'null', key: 'status' }],
      ['reviews answering null ratings', 'reviews', { kind: 'null', key: 'rating' }],
    ];
    for (const [label, name, fault] of proxied) {
      const server = our.proxies[name];
      const before = server.requests;
      await server.setFault(fault);
      try {
        // Four at a time otherwise: a fetch that only waits for MariaDB must not time out.
        await (fault.kind === 'delay' ? run.under(label, slow.map((c) => ({ ...c, delayed: name })), 12) : run.under(label, cases, 4));
      } finally {
        await server.setFault({ kind: 'none' });
      }
      expected += fault.kind === 'delay' ? slow.length : cases.length;
      if (fault.kind !== 'down') expect(server.requests).toBeGreaterThan(before);
    }
    await our.graph.stop('users');
    try {
      await run.under('users stopped', cases, 4);
    } finally {
      await our.graph.start('users');
    }
    expectAlike(run);
    expect(run.faulted).toBe(expected + cases.length);
  });
});

const FIXTURES: Fixture[] = [interfaceObjectFixture, providesFixture];

describe.each(FIXTURES.map((f) => [f.name, f] as const))('foreign supergraph %s: EXECUTOR=router and EXECUTOR=gateway answer alike', (_name, fixture) => {
  let graph: FixtureGraph;
  let routers: RouterPair;
  let schema: GraphQLSchema;
  const generator = { maxDepth: 4, maxFields: 3, maxRootFields: 3, samples: fixture.samples };

  beforeAll(async () => {
    graph = await startFixtureGraph(fixture);
    routers = await startRouterPair(
      {
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'silent',
        JWT_PUBLIC_KEY: testKeys().publicKeyPem,
        SERVICE_SECRET: TEST_SERVICE_SECRET,
        SUPERGRAPH_PATH: graph.supergraphPath,
        // Our manifest's operations do not exist in this supergraph.
        QUERY_PLAN_WARMUP: 'false',
        SUBGRAPH_TIMEOUT_MS: String(FIXTURE_TIMEOUT_MS),
        ...ISOLATED_ENV,
      },
      graph.urls,
    );
    schema = await introspect(routers.router.url);
  });

  afterAll(async () => {
    await routers?.close();
    await graph?.close();
  });

  it(`on ${COUNT} random operations, some with a fault`, async () => {
    const run = new DifferentialRun(fixture.name, routers, fixture.interfaceObjects);
    const targets = fixture.subgraphs.map((s) => ({ server: graph.servers[s.name]!, keys: s.faultKeys, delayMs: DELAY_PAST_TIMEOUT_MS }));
    await run.random(schema, { runSeed: RUN_SEED, count: COUNT, generator, targets });
    expectAlike(run);
    expect(run.compared).toBe(COUNT);
    expect(run.clean).toBeGreaterThan(COUNT / 4);
  }, LONG);

  it('with each subgraph failing, answering nulls, timing out and down', async () => {
    const run = new DifferentialRun(fixture.name, routers, fixture.interfaceObjects);
    const cases: Case[] = [{ label: 'probe (every subgraph)', request: { query: fixture.probe } }, ...faultCases(run, schema, `${fixture.name} faults`, generator, PER_FAULT)];
    // Healthy first: compared, and planned by both routers before any fault (see `under`).
    for (const c of cases) await run.compare(c);
    for (const subgraph of fixture.subgraphs) {
      const server = graph.servers[subgraph.name]!;
      const faults: Fault[] = [
        { kind: 'error', key: subgraph.faultKeys[0]!, code: 'FIXTURE_FAILURE' },
        { kind: 'error', key: '_entities', code: 'NOT_FOUND' },
        { kind: 'null', key: subgraph.faultKeys[0]! },
        { kind: 'delay', ms: DELAY_PAST_TIMEOUT_MS },
        { kind: 'down' },
      ];
      for (const fault of faults) {
        const label = `${subgraph.name} ${JSON.stringify(fault)}`;
        const before = server.requests;
        await server.setFault(fault);
        try {
          await (fault.kind === 'delay' ? run.under(label, cases.map((c) => ({ ...c, delayed: subgraph.name })), 12) : run.under(label, cases, 8));
        } finally {
          await server.setFault({ kind: 'none' });
        }
        if (fault.kind !== 'down') expect(server.requests).toBeGreaterThan(before);
      }
    }
    expectAlike(run);
  });
});
