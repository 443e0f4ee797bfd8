import { gql, startTcpProxy, type TcpProxy } from '@storefront/testing';
import { startTestSupergraph, type TestSupergraph } from './harness';

const QUERY = `{ products(first: 5) { totalCount edges { node { sku name reviewCount reviews(first: 2) { totalCount } } } } }`;

describe('one subgraph down, the rest keep working', () => {
  let graph: TestSupergraph;

  beforeAll(async () => {
    graph = await startTestSupergraph('outage');
  });

  afterAll(async () => {
    await graph?.close();
  });

  it('serves products with null review fields while reviews is down, and full answers once it is back', async () => {
    const healthy = await gql(graph.router.url, QUERY);
    expect(healthy.body.errors).toBeUndefined();

    await graph.stop('reviews');
    const during = await gql(graph.router.url, QUERY);
    expect(during.status).toBe(200);
    expect(during.body.data!.products.totalCount).toBe(50);
    for (const { node } of during.body.data!.products.edges) {
      expect(node.name).toEqual(expect.any(String));
      expect(node.reviewCount).toBeNull();
      expect(node.reviews).toBeNull();
    }
    expect(during.body.errors).toEqual([
      expect.objectContaining({
        message: 'The reviews service is unavailable',
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' },
      }),
    ]);

    await graph.start('reviews');
    const after = await gql(graph.router.url, QUERY);
    expect(after.body).toEqual(healthy.body);
  });
});

describe('a slow subgraph', () => {
  let graph: TestSupergraph;
  let proxy: TcpProxy;

  beforeAll(async () => {
    // The proxy starts first; it finds the reviews port once reviews is up.
    proxy = await startTcpProxy('127.0.0.1', () => graph.subgraphs.reviews.port);
    graph = await startTestSupergraph('slow', {
      routerEnv: { SUBGRAPH_TIMEOUT_MS: '300' },
      routeVia: (name, url) => {
        if (name !== 'reviews') return url;
        const parsed = new URL(url);
        parsed.port = String(proxy.port);
        return parsed.toString();
      },
    });
  });

  afterAll(async () => {
    await graph?.close();
    await proxy?.close();
  });

  it('times out at the configured time and still returns the other subgraphs’ data', async () => {
    proxy.setDelay(5_000);
    const started = Date.now();
    const response = await gql(graph.router.url, QUERY);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(200);
    expect(response.body.data!.products.edges).toHaveLength(5);
    expect(response.body.data!.products.edges[0].node.reviewCount).toBeNull();
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' });
    expect(response.body.errors?.[0]?.message).toBe('The reviews service timed out after 300 ms');
    // Not before the timeout, and before the proxy's delay could have let any answer through.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000);
  });
});
