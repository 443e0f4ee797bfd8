import { startTracing, type SpanExporter, type Tracing } from '@storefront/kit';
import { gql } from '@storefront/testing';
import { startTestSupergraph, type TestSupergraph } from './harness';
import { startSubgraphFront, type SubgraphFront } from './subgraph-front';

const QUERY = `{ products(first: 2) { edges { node { sku name reviewCount } } } }`;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

/** A span as the test keeps it. */
interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/**
 * An in-memory span exporter. The OTLP/HTTP exporter itself cannot run in jest's sandbox (it loads
 * `http` with a dynamic import); `tracing.e2e.test.ts` checks it with real processes.
 */
function memoryExporter() {
  const spans: RecordedSpan[] = [];
  const exporter: SpanExporter = {
    export(batch, done) {
      for (const span of batch) {
        const ids = span.spanContext();
        spans.push({ traceId: ids.traceId, spanId: ids.spanId, parentSpanId: span.parentSpanContext?.spanId, name: span.name });
      }
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  };
  return { exporter, spans };
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

const scrape = async (baseUrl: string) => (await fetch(`${baseUrl}/metrics`)).text();

let graph: TestSupergraph;
let front: SubgraphFront;
const recorded = memoryExporter();
let tracing: Tracing;

beforeAll(async () => {
  // Router and subgraphs share this process, so one provider records all of their spans.
  tracing = startTracing('storefront-e2e', { exporter: recorded.exporter });
  front = await startSubgraphFront(() => graph.subgraphs.reviews.url);
  graph = await startTestSupergraph('observe', { routeVia: (name, url) => (name === 'reviews' ? front.url(url) : url) });
});

afterAll(async () => {
  await graph?.close();
  await front?.close();
  await tracing?.shutdown();
});

describe('Prometheus metrics', () => {
  it('the router exposes request latency, GraphQL errors by code, per-subgraph fetch latency and breaker state', async () => {
    await gql(graph.router.url, QUERY);
    await gql(graph.router.url, `{ product(id: "nope") { id } }`);
    const text = await scrape(graph.router.http.url);
    expect(sample(text, 'http_request_duration_seconds_count', { service: 'router', route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'graphql_errors_total', { service: 'router', code: 'NOT_FOUND' })).toBe(1);
    for (const subgraph of ['products', 'reviews']) {
      expect(sample(text, 'subgraph_fetch_duration_seconds_count', { subgraph, outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    }
    for (const subgraph of ['users', 'products', 'reviews', 'orders']) expect(sample(text, 'subgraph_circuit_state', { subgraph })).toBe(0);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('each subgraph exposes its request latency, GraphQL errors by code and its MySQL pool', async () => {
    await gql(graph.router.url, `{ product(id: "nope") { id } }`);
    for (const [name, subgraph] of Object.entries(graph.subgraphs)) {
      const text = await scrape(subgraph.http.url);
      expect(sample(text, 'db_pool_connections', { service: name, state: 'idle' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'db_pool_connections', { service: name, state: 'in_use' })).toBeGreaterThanOrEqual(0);
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    }
    const products = await scrape(graph.subgraphs.products.http.url);
    expect(sample(products, 'http_request_duration_seconds_count', { route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(products, 'graphql_errors_total', { code: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
  });
});

describe('W3C trace context and OpenTelemetry traces', () => {
  it('forwards the client’s trace to subgraphs, and records the spans of router, executor and subgraphs as one tree', async () => {
    front.requests.length = 0;
    const response = await gql(graph.router.url, QUERY, {}, { headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` } });
    expect(response.body.errors).toBeUndefined();

    const forwarded = front.requests.map((r) => String(r.headers.traceparent));
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));

    await tracing.flush();
    const deadline = Date.now() + 5_000;
    const inTrace = () => recorded.spans.filter((s) => s.traceId === TRACE_ID);
    while (!inTrace().some((s) => s.name === 'router.fetch') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tracing.flush();
    }
    const spans = inTrace();
    const names = spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['POST /graphql', 'router.execute', 'router.fetch']));

    // The router's server span is the child of the client's span…
    const routerSpan = spans.find((s) => s.parentSpanId === CLIENT_SPAN);
    expect(routerSpan?.name).toBe('POST /graphql');
    // …and each subgraph's server span is the child of the executor's fetch that called it.
    const fetchSpans = new Set(spans.filter((s) => s.name === 'router.fetch').map((s) => s.spanId));
    const subgraphSpans = spans.filter((s) => s.name === 'POST /graphql' && s.parentSpanId && fetchSpans.has(s.parentSpanId));
    expect(subgraphSpans.length).toBeGreaterThanOrEqual(2);
    // The header the reviews subgraph received names one of those fetch spans as its parent.
    expect(fetchSpans.has(forwarded[0]!.split('-')[2]!)).toBe(true);
  });
});
