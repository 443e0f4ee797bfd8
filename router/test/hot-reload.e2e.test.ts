import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createLogger, parseEnv, startHttpServer, type RunningHttpServer } from '@storefront/kit';
import { gql as request, testKeys } from '@storefront/testing';
import { parse } from 'graphql';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';

const V1 = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { hello: String! }`;
const V2 = `${V1}\nextend type Query { world: String! }`;

function compose(sdl: string, url: string): string {
  const result = composeServices([{ name: 'greetings', url, typeDefs: parse(sdl) }]);
  if (result.errors) throw result.errors[0];
  return result.supergraphSdl;
}

/** Replaces the file in one step, as a ConfigMap update or `mv` does. */
function publish(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

let subgraph: RunningHttpServer;
let apollo: ApolloServer;
let router: RunningRouter;
let path: string;

beforeAll(async () => {
  // One tiny subgraph that already serves both fields; only the supergraph decides what is public.
  apollo = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(V2), resolvers: { Query: { hello: () => 'hello', world: () => 'world' } } }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const log = createLogger('greetings', 'silent');
  subgraph = await startHttpServer({ log, graphql: { server: apollo, context: async () => ({}) }, ready: () => true }, 0);
  path = join(mkdtempSync(join(tmpdir(), 'supergraph-')), 'supergraph.graphql');
  publish(path, compose(V1, `${subgraph.url}/graphql`));
  const env = parseEnv(envSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SUPERGRAPH_PATH: path,
    SUPERGRAPH_POLL_INTERVAL_MS: '50',
    JWT_PUBLIC_KEY: testKeys().publicKeyPem,
  });
  router = await startRouter(env, createLogger('router', 'silent'), {});
});

afterAll(async () => {
  await router?.close();
  await subgraph?.close();
  await apollo?.stop();
});

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('supergraph hot reload', () => {
  it('switches to a new supergraph file without failing a request, and refuses an invalid one', async () => {
    expect((await request(router.url, '{ world }')).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // Keep traffic flowing while the file changes: not one request may fail.
    let stop = false;
    const failures: unknown[] = [];
    let served = 0;
    const traffic = (async () => {
      while (!stop) {
        const response = await request(router.url, '{ hello }');
        if (response.status !== 200 || response.body.data?.hello !== 'hello') failures.push(response.body);
        served += 1;
      }
    })();

    publish(path, compose(V2, `${subgraph.url}/graphql`));
    await until(async () => (await request(router.url, '{ world }')).body.data?.world === 'world', 'the new schema');

    publish(path, 'this is not a supergraph');
    // The refused file is logged; give the watcher several polls to (not) act on it.
    const before = served;
    await until(async () => served > before + 20, 'traffic after the invalid file');
    expect((await request(router.url, '{ hello world }')).body.data).toEqual({ hello: 'hello', world: 'world' });

    stop = true;
    await traffic;
    expect(served).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});
