import { deterministicId } from '@storefront/kit';
import { gql, type GraphQLResponse } from '@storefront/testing';
import { startTestSupergraph, type TestSupergraph } from './harness';
import { startSubgraphFront, type SubgraphFront } from './subgraph-front';

const QUERY = `{ products(first: 3) { edges { node { sku name reviewCount } } } }`;
const ADD_REVIEW = `mutation($input: AddReviewInput!) { addReview(input: $input) { id rating } }`;

const isMutation = (query: string) => /^\s*mutation\b/.test(query);

/** A supergraph whose reviews subgraph sits behind a front the test can make answer 503. */
async function graphWithFront(label: string, routerEnv: Record<string, string>) {
  // The front starts first and finds reviews once the graph is up (and again after a restart).
  const started: { graph?: TestSupergraph } = {};
  const front = await startSubgraphFront(() => started.graph!.subgraphs.reviews.url);
  started.graph = await startTestSupergraph(label, { routerEnv, routeVia: (name, url) => (name === 'reviews' ? front.url(url) : url) });
  return { graph: started.graph, front };
}

async function metricsText(graph: TestSupergraph): Promise<string> {
  const response = await fetch(graph.router.url.replace('/graphql', '/metrics'));
  return response.text();
}

describe('retries of subgraph fetches, through the gateway', () => {
  let graph: TestSupergraph;
  let front: SubgraphFront;

  beforeAll(async () => {
    ({ graph, front } = await graphWithFront('retry', { SUBGRAPH_RETRIES: '2', SUBGRAPH_RETRY_DELAY_MS: '5', SUBGRAPH_BREAKER_FAILURES: '0' }));
  });
  afterAll(async () => {
    await graph?.close();
    await front?.close();
  });

  beforeEach(() => {
    front.failing = false;
    front.requests.length = 0;
  });

  it('retries a query’s fetch that failed, and serves the full answer when a retry gets through', async () => {
    front.failing = true;
    // The front recovers after the first failed attempt: the retry must get the answer.
    const recover = setInterval(() => {
      if (front.requests.length > 0) front.failing = false;
    }, 1);
    try {
      const response = await gql(graph.router.url, QUERY);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.products.edges[0].node.reviewCount).toEqual(expect.any(Number));
    } finally {
      clearInterval(recover);
    }
    expect(front.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('sends a mutation’s fetch exactly once when it fails, and reports DOWNSTREAM_SERVICE_ERROR for reviews', async () => {
    front.failing = true;
    const token = await graph.keys.token({ userId: deterministicId('user', 3) });
    const response = await gql(graph.router.url, ADD_REVIEW, { input: { productId: deterministicId('product', 1), rating: 4, body: 'Sturdy.' } }, { token });
    expect(response.status).toBe(200);
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' }]);
    expect(front.requests.filter((r) => isMutation(r.query))).toHaveLength(1);
    expect(front.requests).toHaveLength(1);
  });

  it('gives up on a query after SUBGRAPH_RETRIES retries (3 attempts in all)', async () => {
    front.failing = true;
    const response = await gql(graph.router.url, QUERY);
    expect(response.body.data!.products.edges[0].node.name).toEqual(expect.any(String));
    expect(response.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' }]);
    expect(front.requests).toHaveLength(3);
    expect(front.requests.every((r) => !isMutation(r.query))).toBe(true);
  });
});

describe('the circuit breaker of a subgraph that is down', () => {
  let graph: TestSupergraph;
  let front: SubgraphFront;

  beforeAll(async () => {
    ({ graph, front } = await graphWithFront('breaker', {
      SUBGRAPH_RETRIES: '0',
      SUBGRAPH_BREAKER_FAILURES: '3',
      SUBGRAPH_BREAKER_HALF_OPEN_MS: '500',
    }));
  });
  afterAll(async () => {
    await graph?.close();
    await front?.close();
  });

  it('opens after 3 failures and then fails fast without calling reviews, still serving products; closes by itself once reviews is back', async () => {
    await graph.stop('reviews');
    for (let i = 0; i < 3; i++) {
      const response = await gql(graph.router.url, QUERY);
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' });
    }
    expect(front.requests).toHaveLength(3);
    expect(await metricsText(graph)).toMatch(/subgraph_circuit_state\{[^}]*subgraph="reviews"[^}]*\} 2/);

    const failedFast = await gql(graph.router.url, QUERY);
    expect(failedFast.status).toBe(200);
    expect(failedFast.body.data!.products.edges).toHaveLength(3);
    expect(failedFast.body.data!.products.edges[0].node.name).toEqual(expect.any(String));
    expect(failedFast.body.data!.products.edges[0].node.reviewCount).toBeNull();
    expect(failedFast.body.errors).toEqual([
      expect.objectContaining({
        message: 'The reviews service is unavailable (circuit open)',
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' },
      }),
    ]);
    expect(front.requests).toHaveLength(3);

    await graph.start('reviews');
    const restarted = Date.now();
    let healed: GraphQLResponse | undefined;
    while (Date.now() - restarted < 5_000) {
      const response = await gql(graph.router.url, QUERY);
      if (!response.body.errors) {
        healed = response;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(healed?.body.data!.products.edges[0].node.reviewCount).toEqual(expect.any(Number));
    expect(graph.router.policies.get('reviews')?.state).toBe('closed');
    const metrics = await metricsText(graph);
    expect(metrics).toMatch(/subgraph_circuit_state\{[^}]*subgraph="reviews"[^}]*\} 0/);
    expect(metrics).toMatch(/subgraph_fetch_errors_total\{[^}]*subgraph="reviews"[^}]*kind="circuit_open"[^}]*\} [1-9]/);
  });
});
