import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import pino from 'pino';
import { HttpError, startHttpServer, type RequestInfo, type RunningHttpServer } from '../http-server';
import { ServiceMetrics } from '../metrics';
import type { TraceContext } from '../trace-context';

interface Context {
  trace: TraceContext;
  log: RequestInfo['log'];
}

/** The value of the sample of `name` with (at least) these labels in a Prometheus text exposition. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Log lines the server wrote, parsed. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let http: RunningHttpServer;
let apollo: ApolloServer<Context>;
let metrics: ServiceMetrics;

beforeAll(async () => {
  metrics = new ServiceMetrics('test');
  apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(`type Query { trace: String!, refuse: String }`),
        resolvers: {
          Query: {
            trace: (_: unknown, __: unknown, ctx: Context) => {
              ctx.log.info('resolving trace');
              return `${ctx.trace.traceId}/${ctx.trace.spanId}`;
            },
            refuse: () => {
              throw new GraphQLError('no', { extensions: { code: 'BAD_USER_INPUT' } });
            },
          },
        },
      },
    ]),
    plugins: [metrics.plugin<Context>(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  http = await startHttpServer<Context>(
    {
      log: pino({ level: 'info' }, sink),
      graphql: { server: apollo, context: async (_req, info) => ({ trace: info.trace, log: info.log }) },
      ready: () => true,
      // Refuses everything it sees: only the probes and /metrics get past it.
      guard: () => {
        throw new HttpError(401, 'signed calls only', 'UNAUTHENTICATED');
      },
      metrics,
    },
    0,
  );
});

afterAll(async () => {
  await http.close(100);
  await apollo.stop();
});

/** The same server without the refusing guard, to reach /graphql. */
async function query(text: string, headers: Record<string, string> = {}) {
  const open = await startHttpServer<Context>(
    {
      log: pino({ level: 'info' }, sink),
      graphql: { server: apollo, context: async (_req, info) => ({ trace: info.trace, log: info.log }) },
      ready: () => true,
      metrics,
    },
    0,
  );
  try {
    const response = await fetch(`${open.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: text }),
    });
    return (await response.json()) as { data?: { trace?: string }; errors?: unknown[] };
  } finally {
    await open.close(100);
  }
}

describe('/metrics on the kit’s HTTP front', () => {
  it('is served to a scraper without credentials, past a guard that refuses everything else', async () => {
    const refused = await fetch(`${http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ trace }"}' });
    expect(refused.status).toBe(401);
    const scrape = await fetch(`${http.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await scrape.text()).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('records each request’s latency by route, method and status, with unknown paths under one label', async () => {
    await fetch(`${http.url}/graphql`, { method: 'POST', body: '{}' });
    await fetch(`${http.url}/wp-admin/${Math.random()}`);
    await fetch(`${http.url}/health`);
    const text = await (await fetch(`${http.url}/metrics`)).text();
    const count = (labels: Record<string, string>) => sample(text, 'http_request_duration_seconds_count', { service: 'test', ...labels });
    expect(count({ route: '/graphql', method: 'POST', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(count({ route: 'unmatched', method: 'GET', status: '401' })).toBe(1);
    expect(count({ route: '/health', method: 'GET', status: '200' })).toBe(1);
    expect(text).not.toContain('wp-admin');
  });

  it('counts GraphQL errors sent to clients by code', async () => {
    await query('{ refuse }');
    await query('{ refuse }');
    await query('{ nope }');
    const text = await (await fetch(`${http.url}/metrics`)).text();
    expect(sample(text, 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(2);
    expect(sample(text, 'graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  });
});

describe('W3C trace context on the kit’s HTTP front', () => {
  it('continues the caller’s trace: same trace id, a span of its own', async () => {
    const { data } = await query('{ trace }', { traceparent: TRACEPARENT });
    const [traceId, spanId] = data!.trace!.split('/');
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe('00f067aa0ba902b7');
  });

  it('starts a new trace when the traceparent is absent or malformed', async () => {
    const first = (await query('{ trace }', { traceparent: '00-zzzz-00f067aa0ba902b7-01' })).data!.trace!.split('/')[0];
    const second = (await query('{ trace }')).data!.trace!.split('/')[0];
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(first).not.toBe(second);
  });

  it('stamps the request’s log lines with its request id and trace id', async () => {
    await query('{ trace }', { traceparent: TRACEPARENT, 'x-request-id': 'req-trace-1' });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'resolving trace', requestId: 'req-trace-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    );
  });
});
