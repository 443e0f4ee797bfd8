import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger } from '@storefront/kit';
import type { RouterContext } from '../context';
import { dedupeRepresentations, expandEntities } from '../entity-dedupe';
import { SubgraphClient } from '../subgraph-client';

const ada = { __typename: 'User', id: 'u1' };
const bob = { __typename: 'User', id: 'u2' };

describe('dedupeRepresentations', () => {
  it('keeps each distinct representation once, in first-seen order, and maps every position to it', () => {
    const result = dedupeRepresentations({ representations: [ada, bob, { ...ada }, bob, ada] });
    expect(result).toEqual({ unique: [ada, bob], positions: [0, 1, 0, 1, 0] });
  });

  it('leaves fetches without repeats, without representations, or with one alone untouched', () => {
    expect(dedupeRepresentations({ representations: [ada, bob] })).toBeUndefined();
    expect(dedupeRepresentations({ representations: [ada] })).toBeUndefined();
    expect(dedupeRepresentations({ first: 3 })).toBeUndefined();
    expect(dedupeRepresentations(undefined)).toBeUndefined();
  });

  it('tells apart representations that differ in any field, e.g. a @requires input', () => {
    const light = { __typename: 'Product', id: 'p1', weightGrams: 100 };
    const heavy = { __typename: 'Product', id: 'p1', weightGrams: 9000 };
    expect(dedupeRepresentations({ representations: [light, heavy, light] })?.unique).toEqual([light, heavy]);
  });
});

describe('expandEntities', () => {
  const deduped = { unique: [ada, bob], positions: [0, 1, 0, 0] };

  it('puts one answer at every original position', () => {
    const adaAnswer = { name: 'Ada' };
    const bobAnswer = { name: 'Bob' };
    const expanded = expandEntities({ data: { _entities: [adaAnswer, bobAnswer] } }, deduped);
    expect(expanded.data?._entities).toEqual([adaAnswer, bobAnswer, adaAnswer, adaAnswer]);
  });

  it('repeats an error about one distinct entity for each position that shared it, and keeps the others', () => {
    const response = {
      data: { _entities: [null, { name: 'Bob' }] },
      errors: [
        { message: 'gone', path: ['_entities', 0, 'name'] },
        { message: 'whole request', path: undefined },
      ],
    };
    const expanded = expandEntities(response, deduped);
    expect(expanded.data?._entities).toEqual([null, { name: 'Bob' }, null, null]);
    expect(expanded.errors?.map((e) => [e.message, e.path])).toEqual([
      ['gone', ['_entities', 0, 'name']],
      ['gone', ['_entities', 2, 'name']],
      ['gone', ['_entities', 3, 'name']],
      ['whole request', undefined],
    ]);
  });

  it('leaves a response of another shape for the gateway to reject', () => {
    const wrongLength = { data: { _entities: [{ name: 'Ada' }] } };
    expect(expandEntities(wrongLength, deduped)).toBe(wrongLength);
    const noData = { data: null, errors: [{ path: ['_entities'] }] };
    expect(expandEntities(noData, deduped)).toBe(noData);
  });
});

describe('SubgraphClient with entity de-duplication', () => {
  let server: Server;
  let url: string;
  const received: unknown[][] = [];

  beforeAll(async () => {
    // Answers each representation with its id upper-cased, so a wrong fan-out shows.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const representations = (JSON.parse(body) as { variables: { representations: { id: string }[] } }).variables.representations;
        received.push(representations);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { _entities: representations.map((r) => ({ name: r.id.toUpperCase() })) } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

  const fetchOf = (representations: unknown[]) => {
    const context: RouterContext = { requestId: 'r', log: createLogger('test', 'silent'), caller: null, clientAddress: '203.0.113.1' };
    return {
      kind: 'incoming operation',
      request: { query: 'query Q($representations:[_Any!]!){_entities(representations:$representations){...on User{name}}}', variables: { representations } },
      context,
      incomingRequestContext: { context },
    } as unknown as GraphQLDataSourceProcessOptions<RouterContext>;
  };

  it('sends each distinct representation once and answers every position', async () => {
    received.length = 0;
    const client = new SubgraphClient({ name: 'users', url, timeoutMs: 2_000, serviceSecret: 'x'.repeat(32) });
    const response = await client.process(fetchOf([ada, bob, ada, ada, bob]));
    expect(received).toEqual([[ada, bob]]);
    expect(response.data?._entities).toEqual([{ name: 'U1' }, { name: 'U2' }, { name: 'U1' }, { name: 'U1' }, { name: 'U2' }]);
  });

  it('sends them all when turned off', async () => {
    received.length = 0;
    const client = new SubgraphClient({ name: 'users', url, timeoutMs: 2_000, serviceSecret: 'x'.repeat(32), dedupeEntities: false });
    const response = await client.process(fetchOf([ada, bob, ada]));
    expect(received).toEqual([[ada, bob, ada]]);
    expect(response.data?._entities).toEqual([{ name: 'U1' }, { name: 'U2' }, { name: 'U1' }]);
  });
});
