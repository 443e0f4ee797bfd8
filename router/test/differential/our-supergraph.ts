import { deterministicId } from '@storefront/kit';
import { startTestSupergraph, type TestSupergraph } from '../harness';
import { forwardTo, startFaultServer, type FaultServer } from './fault-server';
import type { FaultTarget } from './differential-run';
import type { GeneratorOptions } from './generate-operations';
import { ISOLATED_ENV, startWithExecutor, type RouterPair } from './routers';

/** SUBGRAPH_TIMEOUT_MS on our supergraph: MariaDB answers in milliseconds, so a second is no false alarm. */
export const OUR_TIMEOUT_MS = 1_000;
export const OUR_DELAY_MS = 1_800;

export interface OurSupergraph {
  graph: TestSupergraph;
  routers: RouterPair;
  /** Fault proxies in front of reviews and orders (users and products are reached directly). */
  proxies: { reviews: FaultServer; orders: FaultServer };
  targets: FaultTarget[];
  /** Demo user n's token (1 is the admin). */
  token(n: number): Promise<string>;
  close(): Promise<void>;
}

const id = deterministicId;

/** Argument values that exist in the demo data (and a few that do not). */
export const OUR_GENERATOR: GeneratorOptions = {
  // Connections take two levels (edges, node), so one more than the fixtures.
  maxDepth: 5,
  maxFields: 3,
  maxRootFields: 3,
  samples: {
    'Query.product.id': [id('product', 1), id('product', 7), id('product', 50), id('product', 999), 'not-a-uuid'],
    'Query.productBySku.sku': ['SKU-00001', 'SKU-00020', 'SKU-00099'],
    'Query.user.id': [id('user', 1), id('user', 2), id('user', 5), id('user', 404)],
    'Query.order.id': [id('order', 2), id('order', 5), id('order', 7), id('order', 404)],
    'Query.review.id': [id('review', 1), id('review', 10), id('review', 199), id('review', 404)],
    'Query.products.search': ['Mug', 'Pro', 'zzz', null],
    after: [null],
    first: [0, 1, 2, 3, 5],
  },
};

/**
 * The real four subgraphs on MariaDB (the harness), its router with EXECUTOR=router, and a twin
 * router with EXECUTOR=gateway on the same environment and the same subgraph URLs.
 */
export async function startOurSupergraph(): Promise<OurSupergraph> {
  // The proxies start first and find their subgraph's URL per request, once the harness has it.
  const started: { graph?: TestSupergraph } = {};
  const target = (name: 'reviews' | 'orders') => () => started.graph!.subgraphs[name].url;
  const proxies = {
    reviews: await startFaultServer('reviews', forwardTo(target('reviews'))),
    orders: await startFaultServer('orders', forwardTo(target('orders'))),
  };
  const graph = await startTestSupergraph('differential', {
    routerEnv: { ...ISOLATED_ENV, SUBGRAPH_TIMEOUT_MS: String(OUR_TIMEOUT_MS), EXECUTOR: 'router' },
    routeVia: (name, url) => (name === 'reviews' || name === 'orders' ? proxies[name].url : url),
  });
  started.graph = graph;
  const gateway = await startWithExecutor(graph.routerEnv, 'gateway', graph.routerUrls);
  return {
    graph,
    routers: { router: graph.router, gateway, close: () => gateway.close() },
    proxies,
    targets: [
      { server: proxies.reviews, keys: ['rating', 'body', 'author', 'reviews', 'reviewCount', 'averageRating', 'totalCount', '_entities'] },
      { server: proxies.orders, keys: ['status', 'total', 'items', 'orders', 'shippingEstimate', 'amountCents', '_entities'] },
    ],
    token: (n) => graph.keys.token({ userId: deterministicId('user', n), roles: n === 1 ? ['admin'] : [] }),
    async close() {
      await gateway.close();
      await graph.close();
      await Promise.all([proxies.reviews.close(), proxies.orders.close()]);
    },
  };
}
