import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger, parseTraceparent, SIGNATURE_HEADERS } from '@storefront/kit';
import type { GraphQLError } from 'graphql';
import type { RouterContext } from '../context';
import { RouterMetrics } from '../metrics';
import { RetryBudget } from '../retry-budget';
import { operationType, SubgraphClient } from '../subgraph-client';
import { SubgraphPolicy, type SubgraphPolicyOptions } from '../subgraph-policy';

const QUERY = 'query Storefront__reviews__1($representations:[_Any!]!){_entities(representations:$representations){__typename}}';
const MUTATION = 'mutation Storefront__reviews__0{addReview(input:{productId:"p",rating:5,body:"b"}){id}}';
const TRACE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true };

interface Seen {
  query: string;
  headers: IncomingHttpHeaders;
}

/**
 * A stand-in subgraph that answers each request with the next planned status (200 once the plan
 * runs out), after an optional delay, and records what it received.
 */
async function fakeSubgraph() {
  const seen: Seen[] = [];
  let plan: number[] = [];
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ query: (JSON.parse(body) as { query: string }).query, headers: req.headers });
      const status = plan.shift() ?? 200;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? JSON.stringify({ data: { _entities: [] } }) : JSON.stringify({ errors: [{ message: 'unavailable' }] }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    respond(statuses: number[]) {
      plan = [...statuses];
    },
    delay(ms: number) {
      delayMs = ms;
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

type Fake = Awaited<ReturnType<typeof fakeSubgraph>>;

const POLICY: Omit<SubgraphPolicyOptions, 'name'> = {
  breakerFailures: 0,
  halfOpenAfterMs: 100,
  retries: 2,
  retryDelayMs: 1,
  retryBudget: 0.2,
};

function clientFor(fake: Fake, policy: Partial<SubgraphPolicyOptions> = {}, timeoutMs = 2_000) {
  const metrics = new RouterMetrics();
  const subgraphPolicy = new SubgraphPolicy({ name: 'reviews', ...POLICY, ...policy, metrics, log: createLogger('test', 'silent') });
  const client = new SubgraphClient({ name: 'reviews', url: fake.url, timeoutMs, serviceSecret: 'x'.repeat(32), policy: subgraphPolicy, metrics });
  return { client, policy: subgraphPolicy, metrics };
}

/** A fetch of a client's operation, as the gateway hands it to the data source. */
function fetchOf(query: string): GraphQLDataSourceProcessOptions<RouterContext> {
  const context: RouterContext = { requestId: 'req-1', log: createLogger('test', 'silent'), caller: null, clientAddress: '203.0.113.1', trace: TRACE };
  return {
    kind: 'incoming operation',
    request: { query, variables: { representations: [] } },
    context,
    incomingRequestContext: { context },
  } as unknown as GraphQLDataSourceProcessOptions<RouterContext>;
}

async function failure(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected the fetch to fail');
}

const metricValue = async (metrics: RouterMetrics, name: string, labels: Record<string, string>): Promise<number> => {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
};

describe('subgraph fetch retries', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await fakeSubgraph();
  });
  afterEach(() => fake.close());

  it('retries a query fetch that got 503 and serves the answer of the attempt that got through, each attempt signed anew', async () => {
    const { client, metrics } = clientFor(fake);
    fake.respond([503, 503]);
    const response = await client.process(fetchOf(QUERY));
    expect(response.data).toEqual({ _entities: [] });
    expect(fake.seen).toHaveLength(3);
    // A signature's nonce is accepted once, so a retry that resent the same headers would be refused.
    expect(new Set(fake.seen.map((s) => s.headers[SIGNATURE_HEADERS.nonce])).size).toBe(3);
    expect(await metricValue(metrics, 'subgraph_fetch_retries_total', { subgraph: 'reviews' })).toBe(2);
    expect(await metricValue(metrics, 'subgraph_fetch_errors_total', { subgraph: 'reviews', kind: 'http_5xx' })).toBe(2);
  });

  it('never retries a mutation fetch, even when the subgraph says 503', async () => {
    const { client } = clientFor(fake);
    fake.respond([503, 503, 503]);
    await failure(client.process(fetchOf(MUTATION)));
    expect(fake.seen.map((s) => s.query)).toEqual([MUTATION]);
  });

  it('gives up after SUBGRAPH_RETRIES retries', async () => {
    const { client } = clientFor(fake, { retries: 1 });
    fake.respond([503, 503, 503]);
    await failure(client.process(fetchOf(QUERY)));
    expect(fake.seen).toHaveLength(2);
  });

  it('does not retry a fetch that timed out: its time is spent', async () => {
    const { client } = clientFor(fake, {}, 100);
    fake.delay(400);
    const error = await failure(client.process(fetchOf(QUERY)));
    expect(error.message).toBe('The reviews service timed out after 100 ms');
    expect(fake.seen).toHaveLength(1);
  });

  it('stops retrying once the retry budget is spent', async () => {
    // Ratio 0: only the budget's minimum of 10 retries per window is available.
    const { client } = clientFor(fake, { retries: 1, retryBudget: 0 });
    fake.respond(new Array(40).fill(503));
    for (let i = 0; i < 15; i++) await failure(client.process(fetchOf(QUERY)));
    expect(fake.seen).toHaveLength(15 + 10);
  });
});

describe('subgraph circuit breaker', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await fakeSubgraph();
  });
  afterEach(() => fake.close());

  it('opens after consecutive failures, then fails fast with DOWNSTREAM_SERVICE_ERROR without calling the subgraph', async () => {
    const { client, policy, metrics } = clientFor(fake, { breakerFailures: 3, retries: 0, halfOpenAfterMs: 60_000 });
    fake.respond([503, 503, 503]);
    for (let i = 0; i < 3; i++) await failure(client.process(fetchOf(QUERY)));
    expect(policy.state).toBe('open');

    const error = await failure(client.process(fetchOf(QUERY)));
    expect(error.message).toBe('The reviews service is unavailable (circuit open)');
    expect(error.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' });
    expect(fake.seen).toHaveLength(3);
    expect(await metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'reviews' })).toBe(2);
    expect(await metricValue(metrics, 'subgraph_fetch_errors_total', { subgraph: 'reviews', kind: 'circuit_open' })).toBe(1);
  });

  it('does not count answers (a 400, GraphQL errors) as outages', async () => {
    const { client, policy } = clientFor(fake, { breakerFailures: 2, retries: 0 });
    fake.respond([400, 400, 400]);
    for (let i = 0; i < 3; i++) await failure(client.process(fetchOf(QUERY)));
    expect(policy.state).toBe('closed');
  });

  it('lets one trial through after the half-open delay and closes when it succeeds', async () => {
    const { client, policy, metrics } = clientFor(fake, { breakerFailures: 2, retries: 0, halfOpenAfterMs: 150 });
    fake.respond([503, 503]);
    for (let i = 0; i < 2; i++) await failure(client.process(fetchOf(QUERY)));
    expect(policy.state).toBe('open');
    await failure(client.process(fetchOf(QUERY)));

    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await client.process(fetchOf(QUERY));
    expect(response.data).toEqual({ _entities: [] });
    expect(policy.state).toBe('closed');
    expect(await metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'reviews' })).toBe(0);
    expect(fake.seen).toHaveLength(3);
  });

  it('opens again when the half-open trial fails', async () => {
    const { client, policy } = clientFor(fake, { breakerFailures: 2, retries: 0, halfOpenAfterMs: 100 });
    fake.respond([503, 503, 503]);
    for (let i = 0; i < 2; i++) await failure(client.process(fetchOf(QUERY)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await failure(client.process(fetchOf(QUERY)));
    expect(policy.state).toBe('open');
    expect(fake.seen).toHaveLength(3);
  });

  it('fails other fetches fast while the half-open trial is in flight, instead of queueing them behind it', async () => {
    const { client, policy } = clientFor(fake, { breakerFailures: 2, retries: 0, halfOpenAfterMs: 100 });
    fake.respond([503, 503]);
    for (let i = 0; i < 2; i++) await failure(client.process(fetchOf(QUERY)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    fake.delay(500);
    const trial = client.process(fetchOf(QUERY));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(policy.state).toBe('half_open');
    const started = Date.now();
    const error = await failure(client.process(fetchOf(QUERY)));
    expect(error.message).toBe('The reviews service is unavailable (circuit open)');
    expect(Date.now() - started).toBeLessThan(200);
    await trial;
    expect(policy.state).toBe('closed');
  });
});

describe('what a subgraph fetch carries', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await fakeSubgraph();
  });
  afterAll(() => fake.close());

  it('forwards a traceparent in the request’s trace, as a new child span, and the request id', async () => {
    const { client } = clientFor(fake);
    await client.process(fetchOf(QUERY));
    const headers = fake.seen.at(-1)!.headers;
    const forwarded = parseTraceparent(headers.traceparent);
    expect(forwarded?.traceId).toBe(TRACE.traceId);
    expect(forwarded?.spanId).not.toBe(TRACE.spanId);
    expect(forwarded?.sampled).toBe(true);
    expect(headers['x-request-id']).toBe('req-1');
  });
});

describe('operationType', () => {
  it.each([
    ['{ products { id } }', 'query'],
    ['query Q__products__0 { products { id } }', 'query'],
    ['mutation Q__reviews__0{addReview(input:{}){id}}', 'mutation'],
    ['  # a comment\n mutation { x }', 'mutation'],
    ['subscription { x }', 'subscription'],
    ['fragment F on T { x }', undefined],
  ])('reads %j as %s', (text, expected) => {
    expect(operationType(text)).toBe(expected);
  });
});

describe('RetryBudget', () => {
  it('allows the minimum plus a share of the requests in the window, and forgets requests that left it', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.5, minimum: 2, windowMs: 10_000, now: () => now });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    for (let i = 0; i < 4; i++) budget.recordRequest();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    now += 11_000;
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
  });
});
