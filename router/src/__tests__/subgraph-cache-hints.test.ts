import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger } from '@storefront/kit';
import type { RouterContext } from '../context';
import { SubgraphClient } from '../subgraph-client';

type Hint = { maxAge: number; scope?: string };

let server: Server;
let url: string;
let header: string | undefined;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(header ? { 'cache-control': header } : {}) });
    res.end('{"data":{"a":1}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

/** Fetches once with `Cache-Control: <sent>` and returns what reached the request's cache policy. */
async function hintsFor(sent: string | undefined): Promise<Hint[]> {
  header = sent;
  const hints: Hint[] = [];
  const context: RouterContext = { requestId: 'r', log: createLogger('test', 'silent'), caller: null, clientAddress: '203.0.113.1' };
  const options = {
    kind: 'incoming operation',
    request: { query: '{ a }' },
    context,
    // Where the gateway hands a client operation's cache policy to a data source.
    incomingRequestContext: { context, overallCachePolicy: { restrict: (hint: Hint) => hints.push(hint) } },
  } as unknown as GraphQLDataSourceProcessOptions<RouterContext>;
  const client = new SubgraphClient({ name: 'products', url, timeoutMs: 2_000, serviceSecret: 'x'.repeat(32), dedupe: false });
  await client.process(options);
  return hints;
}

describe("a subgraph's Cache-Control tightens the request's cache policy", () => {
  it('passes max-age and scope on', async () => {
    expect(await hintsFor('max-age=30, public')).toEqual([{ maxAge: 30, scope: 'PUBLIC' }]);
    expect(await hintsFor('max-age=60, private')).toEqual([{ maxAge: 60, scope: 'PRIVATE' }]);
  });

  it('makes the answer uncacheable when the subgraph sent no hint, or no-store', async () => {
    expect(await hintsFor(undefined)).toEqual([{ maxAge: 0 }]);
    expect(await hintsFor('no-store')).toEqual([{ maxAge: 0 }]);
  });
});
