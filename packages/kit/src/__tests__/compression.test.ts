import { request, type IncomingHttpHeaders } from 'node:http';
import zlib from 'node:zlib';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import { HttpError, startHttpServer, type RunningHttpServer } from '../http-server';
import { compressBody, negotiateCoding } from '../http-io';
import { createLogger } from '../logger';

/**
 * Response compression of the HTTP front, over real HTTP: raw bytes as they leave the server (not
 * through fetch, which would ask for gzip itself and decode it silently).
 */

const typeDefs = `
  type Item { id: ID! name: String! description: String! }
  type Query { items(n: Int!): [Item!]! held(n: Int!): [Item!]! }
`;
const itemsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: String(i), name: `Item ${i}`, description: `A fine thing, number ${i} of ${n}, in stock.` }));

let executions = 0;
let shareKeys = 0;
let release: (() => void) | undefined;

function apolloServer() {
  return new ApolloServer({
    typeDefs,
    resolvers: {
      Query: {
        items: (_: unknown, { n }: { n: number }) => itemsOf(n),
        held: async (_: unknown, { n }: { n: number }) => {
          executions += 1;
          await new Promise<void>((resolve) => (release = resolve));
          return itemsOf(n);
        },
      },
    },
  });
}

let apollo: ApolloServer;
let compressing: RunningHttpServer;
let plain: RunningHttpServer;

beforeAll(async () => {
  apollo = apolloServer();
  await apollo.start();
  const graphql = {
    server: apollo,
    context: async () => ({}),
    preflight: (_request: unknown, req: { headers: IncomingHttpHeaders }) => {
      if (req.headers['x-refuse']) throw new HttpError(429, `Too many requests. ${'Slow down. '.repeat(200)}`, 'RATE_LIMITED', { 'retry-after': '7' });
    },
    // Identical bodies share one execution, as the router's inbound dedup does.
    shareKey: (_request: unknown, raw: string) => {
      shareKeys += 1;
      return raw;
    },
  };
  const log = createLogger('test', 'silent');
  compressing = await startHttpServer({ log, graphql, ready: () => true, corsOrigins: '*', compression: { minBytes: 1024 } }, 0);
  plain = await startHttpServer({ log, graphql, ready: () => true }, 0);
});

afterAll(async () => {
  await compressing.close();
  await plain.close();
  await apollo.stop();
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

function post(server: RunningHttpServer, body: unknown, headers: Record<string, string> = {}, path = '/graphql'): Promise<RawResponse> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The JSON of a response, decoded as its Content-Encoding says; checks Content-Length against the bytes sent. */
function json(response: RawResponse): unknown {
  expect(Number(response.headers['content-length'])).toBe(response.raw.length);
  const coding = response.headers['content-encoding'];
  const decoded = coding === 'br' ? brotliDecompressSync(response.raw) : coding === 'gzip' ? gunzipSync(response.raw) : response.raw;
  if (coding !== undefined) expect(['br', 'gzip']).toContain(coding);
  return JSON.parse(decoded.toString('utf8'));
}

const vary = (response: RawResponse) => String(response.headers.vary ?? '').split(/,\s*/).filter(Boolean);
const items = (n: number) => ({ query: 'query($n: Int!) { items(n: $n) { id name description } }', variables: { n } });

/** Polls a condition on the event loop; the test waits on state, never on a fixed delay. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('Accept-Encoding negotiation', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['GZIP;Q=0.8, BR;Q=0.9', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['br;q=0.0, gzip;q=0.000', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['*;q=0, gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['br;q=nonsense, gzip;q=2', undefined],
  ])('%p answers with %p', (header, coding) => {
    expect(negotiateCoding(header)).toBe(coding);
  });
});

describe('response compression', () => {
  it('answers a client that accepts br with brotli, its Content-Length the compressed size and Vary: Accept-Encoding', async () => {
    const response = await post(compressing, items(100), { 'accept-encoding': 'gzip, deflate, br' });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(vary(response)).toContain('Accept-Encoding');
    expect(json(response)).toEqual({ data: { items: itemsOf(100) } });
    expect(response.raw.length).toBeLessThan(JSON.stringify({ data: { items: itemsOf(100) } }).length / 3);
  });

  it('answers with gzip when the client accepts gzip and not br, or ranks gzip higher', async () => {
    for (const header of ['gzip', 'gzip, deflate', 'gzip;q=1, br;q=0.5', 'br;q=0, gzip']) {
      const response = await post(compressing, items(100), { 'accept-encoding': header });
      expect([header, response.headers['content-encoding']]).toEqual([header, 'gzip']);
      expect(json(response)).toEqual({ data: { items: itemsOf(100) } });
    }
  });

  it('never compresses for a client that did not ask, or refused both codings with q=0', async () => {
    const refusals: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }, { 'accept-encoding': '*;q=0' }];
    for (const headers of refusals) {
      const response = await post(compressing, items(100), headers);
      expect(response.headers['content-encoding']).toBeUndefined();
      // The answer still varies with the header, so a cache must not hand it to every client.
      expect(vary(response)).toContain('Accept-Encoding');
      expect(json(response)).toEqual({ data: { items: itemsOf(100) } });
    }
  });

  it('sends a body below minBytes as it is', async () => {
    const response = await post(compressing, items(1), { 'accept-encoding': 'br, gzip' });
    expect(response.raw.length).toBeLessThan(1024);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(json(response)).toEqual({ data: { items: itemsOf(1) } });
  });

  it('compresses a large body on the thread pool, not the event loop, correctly', async () => {
    const sync = [jest.spyOn(zlib, 'brotliCompressSync'), jest.spyOn(zlib, 'gzipSync')];
    const pooled = [jest.spyOn(zlib, 'brotliCompress'), jest.spyOn(zlib, 'gzip')];
    try {
      expect(JSON.stringify(itemsOf(3000)).length).toBeGreaterThan(64 * 1024);
      for (const coding of ['br', 'gzip']) {
        const response = await post(compressing, items(3000), { 'accept-encoding': coding });
        expect(response.headers['content-encoding']).toBe(coding);
        expect(json(response)).toEqual({ data: { items: itemsOf(3000) } });
      }
      expect(sync.map((spy) => spy.mock.calls.length)).toEqual([0, 0]);
      expect(pooled.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    } finally {
      for (const spy of [...sync, ...pooled]) spy.mockRestore();
    }
  });

  it('has at most two compressions on the thread pool at once, the others waiting their turn', async () => {
    const original = zlib.brotliCompress;
    let running = 0;
    let most = 0;
    const spy = jest.spyOn(zlib, 'brotliCompress').mockImplementation(((buffer: Buffer, options: zlib.BrotliOptions, callback: zlib.CompressCallback) => {
      running += 1;
      most = Math.max(most, running);
      original(buffer, options, (error, result) => {
        running -= 1;
        callback(error, result);
      });
    }) as typeof zlib.brotliCompress);
    try {
      const body = JSON.stringify(itemsOf(2000));
      const compressed = await Promise.all(Array.from({ length: 6 }, () => compressBody(body, 'br')));
      expect(spy).toHaveBeenCalledTimes(6);
      expect(most).toBe(2);
      for (const one of compressed) expect(brotliDecompressSync(one).toString('utf8')).toBe(body);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the CORS Vary: Origin beside Vary: Accept-Encoding', async () => {
    const response = await post(compressing, items(100), { 'accept-encoding': 'br', origin: 'https://shop.example' });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(vary(response)).toEqual(['Origin', 'Accept-Encoding']);
  });

  it('encodes each of several requests sharing one in-flight execution as that request asked, compressing once per coding', async () => {
    executions = 0;
    shareKeys = 0;
    const brotli = jest.spyOn(zlib, 'brotliCompressSync');
    const gzip = jest.spyOn(zlib, 'gzipSync');
    const query = { query: 'query($n: Int!) { held(n: $n) { id name description } }', variables: { n: 100 } };
    const asked = ['br', 'gzip', undefined, 'br;q=0, gzip;q=0', 'gzip, br'];
    const responses = asked.map((header) => post(compressing, query, header ? { 'accept-encoding': header } : {}));
    // Every request has joined the one execution, which is still running.
    await until(() => shareKeys === asked.length && release !== undefined, 'all requests to share the execution');
    release!();
    release = undefined;
    const answers = await Promise.all(responses);
    expect(executions).toBe(1);
    expect(answers.map((r) => r.headers['content-encoding'])).toEqual(['br', 'gzip', undefined, undefined, 'br']);
    // Two answers in br, one in gzip: each body made once.
    expect([brotli.mock.calls.length, gzip.mock.calls.length]).toEqual([1, 1]);
    brotli.mockRestore();
    gzip.mockRestore();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(vary(answer)).toContain('Accept-Encoding');
      expect(json(answer)).toEqual({ data: { held: itemsOf(100) } });
    }
  });

  it('compresses error answers too: a GraphQL error, and a refusal with its own headers', async () => {
    const invalid = await post(compressing, { query: `{ ${'unknownField'.repeat(200)} }` }, { 'accept-encoding': 'br' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers['content-encoding']).toBe('br');
    expect(json(invalid)).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });

    const refused = await post(compressing, items(1), { 'accept-encoding': 'gzip', 'x-refuse': '1' });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.headers['content-encoding']).toBe('gzip');
    expect(json(refused)).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });

    // Small errors stay as they are.
    const missing = await post(compressing, {}, { 'accept-encoding': 'br' }, '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-encoding']).toBeUndefined();
    expect(json(missing)).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('is off unless configured: a server without the option never compresses (subgraphs)', async () => {
    const response = await post(plain, items(100), { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers.vary).toBeUndefined();
    expect(json(response)).toEqual({ data: { items: itemsOf(100) } });
  });
});
