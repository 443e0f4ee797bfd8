import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, gql, testKeys, type TestDatabase } from '@storefront/testing';
import { startServiceProcess, type ServiceProcess } from './processes';

/**
 * OpenTelemetry over the wire, with the real OTLP/HTTP exporter: the router and two subgraphs run
 * as their own processes (dist, as deployed) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
 * stand-in collector on 127.0.0.1. (In jest's sandbox the exporter cannot load, hence processes.)
 */

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const CLIENT_SPAN = 'eee19b7ec3c1b174';
const SECRET = 'tracing-e2e-service-secret-0123456789abcdef';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

interface Received {
  service: string;
  span: OtlpSpan;
}

/** Accepts OTLP/HTTP JSON on /v1/traces, as an OpenTelemetry collector does, and keeps the spans. */
async function startCollector() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const { resource, scopeSpans } of payload.resourceSpans) {
          const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const scope of scopeSpans) for (const span of scope.spans) received.push({ service, span });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let collector: Awaited<ReturnType<typeof startCollector>>;
const databases: TestDatabase[] = [];
const services: ServiceProcess[] = [];
let router: ServiceProcess;

beforeAll(async () => {
  collector = await startCollector();
  const keys = testKeys();
  const shared = {
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    SERVICE_SECRET: SECRET,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'storefront-tracing-')),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  };
  const urls: Record<string, string> = {};
  for (const name of ['products', 'reviews']) {
    const database = await createTestDatabase(`tracing_${name}`);
    databases.push(database);
    const service = await startServiceProcess(name, `subgraphs/${name}`, { ...shared, DATABASE_URL: database.url, SEED: 'demo' });
    services.push(service);
    urls[`${name.toUpperCase()}_URL`] = `${service.url}/graphql`;
  }
  router = await startServiceProcess('router', 'router', { ...shared, ...urls });
  services.push(router);
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await Promise.all(databases.map((d) => d.drop()));
  await collector?.close();
});

describe('OpenTelemetry traces over OTLP/HTTP', () => {
  it('exports the spans of router, executor and subgraphs to the collector, all in the trace of the client’s traceparent', async () => {
    const response = await gql(`${router.url}/graphql`, `{ products(first: 2) { edges { node { name reviewCount } } } }`, {}, {
      headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` },
    });
    expect(response.body.errors).toBeUndefined();

    // Spans are exported in batches (at most a second apart).
    const inTrace = () => collector.received.filter((r) => r.span.traceId === TRACE_ID);
    const deadline = Date.now() + 10_000;
    while (new Set(inTrace().map((r) => r.service)).size < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const spans = inTrace();
    expect(new Set(spans.map((r) => r.service))).toEqual(new Set(['router', 'products', 'reviews']));
    const routerServer = spans.find((r) => r.service === 'router' && r.span.name === 'POST /graphql');
    expect(routerServer?.span.parentSpanId).toBe(CLIENT_SPAN);
    const fetches = new Set(spans.filter((r) => r.service === 'router' && r.span.name === 'router.fetch').map((r) => r.span.spanId));
    for (const subgraph of ['products', 'reviews']) {
      const server = spans.find((r) => r.service === subgraph && r.span.name === 'POST /graphql');
      expect(fetches.has(server?.span.parentSpanId ?? '')).toBe(true);
    }
  });

  it('says at start-up where it exports spans', async () => {
    const reviews = services.find((s) => s.name === 'reviews')!;
    expect(reviews.logs).toContainEqual(expect.objectContaining({ msg: 'tracing: exporting spans', otlp: `${collector.url}/v1/traces` }));
  });
});
