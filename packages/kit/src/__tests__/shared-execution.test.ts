import { ApolloServer } from '@apollo/server';
import { createLogger } from '../logger';
import { startHttpServer, type RunningHttpServer } from '../http-server';

describe('requests that share one execution', () => {
  let calls = 0;
  let releases: (() => void)[] = [];
  let apollo: ApolloServer;
  let http: RunningHttpServer;

  beforeAll(async () => {
    apollo = new ApolloServer({
      typeDefs: 'type Query { slow(n: Int): Int }',
      resolvers: {
        Query: {
          slow: async (_: unknown, { n }: { n: number }) => {
            calls += 1;
            await new Promise<void>((resolve) => releases.push(resolve));
            return n;
          },
        },
      },
    });
    await apollo.start();
    http = await startHttpServer(
      {
        log: createLogger('test', 'silent'),
        graphql: { server: apollo, context: async () => ({}), shareKey: (_request, raw) => raw },
        ready: () => true,
      },
      0,
    );
  });

  afterAll(async () => {
    await http.close();
    await apollo.stop();
  });

  const post = (n: number) =>
    fetch(`${http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($n: Int) { slow(n: $n) }', variables: { n } }),
    }).then((r) => r.json());

  it('executes identical requests in flight once and answers each of them', async () => {
    calls = 0;
    releases = [];
    let arrived = 0;
    const count = () => (arrived += 1);
    http.server.on('request', count);
    const same = Array.from({ length: 5 }, () => post(1));
    const other = post(2);
    // Hold every execution until all six requests have arrived and been handed to Apollo.
    while (arrived < 6 || calls < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    http.server.off('request', count);
    for (const release of releases) release();
    expect(await Promise.all(same)).toEqual(Array(5).fill({ data: { slow: 1 } }));
    expect(await other).toEqual({ data: { slow: 2 } });
    expect(calls).toBe(2);
  });
});
