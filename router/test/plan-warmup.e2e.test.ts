import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { QueryPlanner } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createLogger, parseEnv, startHttpServer, type RunningHttpServer } from '@storefront/kit';
import { gql as request, testKeys, waitFor } from '@storefront/testing';
import { parse } from 'graphql';
import pino from 'pino';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';

/** The planner every gateway schema gets: counting its calls shows when a plan is made. */
const planned = jest.spyOn(QueryPlanner.prototype, 'buildQueryPlan');

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { greeting(name: String!): String! hello: String! }
type Mutation { rename(to: String!): String! }`;

const GREETING = 'query Greeting($name: String!) {\n  greeting(name: $name)\n}';
const RENAME = 'mutation Rename($to: String!) {\n  rename(to: $to)\n}';
const HELLO = 'query Hello {\n  hello\n}';

function compose(sdl: string, url: string): string {
  const result = composeServices([{ name: 'greetings', url, typeDefs: parse(sdl) }]);
  if (result.errors) throw result.errors[0];
  return result.supergraphSdl;
}

function publish(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

let subgraph: RunningHttpServer;
let apollo: ApolloServer;
const routers: RunningRouter[] = [];
let path: string;
let manifest: string;
let subgraphRequests = 0;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  apollo = new ApolloServer({
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(SDL),
        resolvers: {
          Query: { greeting: (_: unknown, { name }: { name: string }) => `hello ${name}`, hello: () => 'hello' },
          Mutation: { rename: (_: unknown, { to }: { to: string }) => to },
        },
      },
    ]),
    plugins: [ApolloServerPluginInlineTraceDisabled(), { requestDidStart: async () => void (subgraphRequests += 1) }],
  });
  await apollo.start();
  subgraph = await startHttpServer({ log: createLogger('greetings', 'silent'), graphql: { server: apollo, context: async () => ({}) }, ready: () => true }, 0);
  const dir = mkdtempSync(join(tmpdir(), 'plan-warmup-'));
  path = join(dir, 'supergraph.graphql');
  publish(path, compose(SDL, `${subgraph.url}/graphql`));
  manifest = join(dir, 'persisted-operations.json');
  const operations = [
    { name: 'Greeting', type: 'query', body: GREETING },
    { name: 'Rename', type: 'mutation', body: RENAME },
  ];
  writeFileSync(manifest, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }));
});

afterAll(async () => {
  for (const router of routers) await router.close();
  await subgraph?.close();
  await apollo?.stop();
});

async function start(warmup: boolean): Promise<RunningRouter> {
  const env = parseEnv(envSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'info',
    SUPERGRAPH_PATH: path,
    SUPERGRAPH_POLL_INTERVAL_MS: '50',
    JWT_PUBLIC_KEY: testKeys().publicKeyPem,
    PERSISTED_OPERATIONS_MANIFEST: manifest,
    QUERY_PLAN_WARMUP: String(warmup),
    RESPONSE_CACHE: 'false',
  });
  // The warm-up's report lines, from the router's own JSON log.
  const log = pino({ level: 'info' }, {
    write(line: string) {
      const entry = JSON.parse(line) as { planWarmup?: Record<string, unknown> };
      if (entry.planWarmup) logs.push(entry.planWarmup);
    },
  });
  const router = await startRouter(env, log, {});
  routers.push(router);
  return router;
}

it('plans the manifest before serving, without calling any subgraph, so the first requests plan nothing', async () => {
  planned.mockClear();
  subgraphRequests = 0;
  const router = await start(true);
  // Greeting and Rename, each sent with and without its name (no authorization rules: one caller class).
  expect(planned).toHaveBeenCalledTimes(4);
  expect(subgraphRequests).toBe(0);
  expect(logs.at(-1)).toMatchObject({ operations: 4, plans: 4, skipped: 0, reload: false });

  const greeting = await request(router.url, GREETING, { name: 'Ada' });
  expect(greeting.body).toEqual({ data: { greeting: 'hello Ada' } });
  const renamed = await request(router.url, RENAME, { to: 'Bob' });
  expect(renamed.body).toEqual({ data: { rename: 'Bob' } });
  // As Apollo Client and urql send it: with the operation's name.
  const named = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: GREETING, operationName: 'Greeting', variables: { name: 'Cy' } }),
  });
  expect(await named.json()).toEqual({ data: { greeting: 'hello Cy' } });
  expect(planned).toHaveBeenCalledTimes(4);
  // An operation outside the manifest is planned on first use, as before.
  await request(router.url, HELLO);
  expect(planned).toHaveBeenCalledTimes(5);
});

it('after a supergraph reload, plans again the manifest and what clients ran recently', async () => {
  const router = routers[0]!;
  const before = logs.length;
  publish(path, `${compose(SDL, `${subgraph.url}/graphql`)}\n# republished\n`);
  await waitFor(() => logs.length > before && logs.at(-1)?.reload === true, 'the warm-up after the reload', 10_000);
  // Hello, Rename, Greeting as recent traffic sent them (unnamed), and the manifest's named forms.
  expect(logs.at(-1)).toMatchObject({ plans: 5, skipped: 0, reload: true });
  planned.mockClear();
  subgraphRequests = 0;
  expect((await request(router.url, HELLO)).body).toEqual({ data: { hello: 'hello' } });
  expect((await request(router.url, GREETING, { name: 'Cy' })).body).toEqual({ data: { greeting: 'hello Cy' } });
  expect(planned).not.toHaveBeenCalled();
  expect(subgraphRequests).toBe(2);
});

it('with QUERY_PLAN_WARMUP=false, plans on first use only', async () => {
  planned.mockClear();
  const router = await start(false);
  expect(planned).not.toHaveBeenCalled();
  await request(router.url, GREETING, { name: 'Ada' });
  expect(planned).toHaveBeenCalledTimes(1);
});
