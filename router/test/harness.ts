import {
  createLogger,
  parseEnv,
  startSubgraph,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphDefinition,
  type SubgraphEnv,
} from '@storefront/kit';
import { createTestDatabase, testKeys, testSubgraphEnv, type TestDatabase } from '@storefront/testing';
import { createUsersSubgraph } from '../../subgraphs/users/src/server';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { reviewsSubgraph } from '../../subgraphs/reviews/src/server';
import { ordersSubgraph } from '../../subgraphs/orders/src/server';
import { envSchema } from '../src/env';
import { startRouter, type RunningRouter } from '../src/server';

export type SubgraphName = 'users' | 'products' | 'reviews' | 'orders';

/** One secret for every service of a test graph, as a deployment shares SERVICE_SECRET. */
export const TEST_SERVICE_SECRET = 'supergraph-e2e-service-secret-0123456789abcdef';

export interface TestSupergraphOptions {
  /** Extra router environment, e.g. `SUBGRAPH_TIMEOUT_MS`. */
  routerEnv?: Record<string, string>;
  /** Rewrites the URL the router uses for a subgraph, e.g. to put a proxy in between. */
  routeVia?: (name: SubgraphName, url: string) => string;
}

export interface TestSupergraph {
  router: RunningRouter;
  /** The environment the router was started with (before parsing), for starting a twin of it. */
  routerEnv: Record<string, string>;
  /** The subgraph URLs the router was given (after `routeVia`), by subgraph name. */
  routerUrls: Record<SubgraphName, string>;
  subgraphs: Record<'users' | 'products' | 'reviews' | 'orders', RunningSubgraph>;
  keys: ReturnType<typeof testKeys>;
  /** SQL statements run by all four subgraphs so far. */
  statements(): number;
  /** Stops one subgraph (as an outage would). */
  stop(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the same port and database. */
  start(name: SubgraphName): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole supergraph in this process, as in production but on port 0: four subgraphs, each on a
 * fresh MariaDB database seeded with the demo set, and the router on the committed supergraph.
 */
export async function startTestSupergraph(label: string, options: TestSupergraphOptions = {}): Promise<TestSupergraph> {
  const keys = testKeys();
  const names = ['users', 'products', 'reviews', 'orders'] as const;
  const databases: TestDatabase[] = await Promise.all(names.map((name) => createTestDatabase(`${label}_${name}`)));
  const definitions: SubgraphDefinition<BaseContext>[] = [
    createUsersSubgraph({ signingKey: keys.privateKey, tokenTtlSeconds: 600 }) as unknown as SubgraphDefinition<BaseContext>,
    productsSubgraph as unknown as SubgraphDefinition<BaseContext>,
    reviewsSubgraph as unknown as SubgraphDefinition<BaseContext>,
    ordersSubgraph as unknown as SubgraphDefinition<BaseContext>,
  ];
  const envs: SubgraphEnv[] = definitions.map((_, i) =>
    testSubgraphEnv({
      DATABASE_URL: databases[i]!.url,
      SEED: 'demo',
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_SECRET: TEST_SERVICE_SECRET,
    }),
  );
  // Products first: orders calls its reservation API and reviews its product lookup at the port it got.
  const products = await startSubgraph(definitions[1]!, envs[1]!);
  envs[2] = { ...envs[2]!, PRODUCTS_SERVICE_URL: products.http.url } as SubgraphEnv;
  envs[3] = { ...envs[3]!, PRODUCTS_SERVICE_URL: products.http.url } as SubgraphEnv;
  const [users, reviews, orders] = await Promise.all([0, 2, 3].map((i) => startSubgraph(definitions[i]!, envs[i]!)));
  const running = [users!, products, reviews!, orders!];
  const subgraphs = Object.fromEntries(names.map((name, i) => [name, running[i]!])) as TestSupergraph['subgraphs'];
  const routerEnv: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    SERVICE_SECRET: TEST_SERVICE_SECRET,
    // The response cache is off unless a test asks for it (routerEnv): many tests write, then read
    // at once, and a cached answer would rightly serve them the value from before the write.
    RESPONSE_CACHE: 'false',
    ...options.routerEnv,
  };
  const routerUrls = Object.fromEntries(
    names.map((name) => [name, options.routeVia?.(name, subgraphs[name].url) ?? subgraphs[name].url]),
  ) as Record<SubgraphName, string>;
  const router = await startRouter(parseEnv(envSchema, routerEnv), createLogger('router', 'silent'), routerUrls);
  const stopped = new Set<SubgraphName>();
  return {
    router,
    routerEnv,
    routerUrls,
    subgraphs,
    keys,
    statements: () => running.reduce((sum, s) => sum + s.database.statements.count, 0),
    async stop(name) {
      stopped.add(name);
      await subgraphs[name].close();
    },
    async start(name) {
      const i = names.indexOf(name);
      const restarted = await startSubgraph(definitions[i]!, { ...envs[i]!, PORT: subgraphs[name].port, SEED: 'none' });
      running[i] = restarted;
      subgraphs[name] = restarted;
      stopped.delete(name);
    },
    async close() {
      await router.close();
      await Promise.all(running.filter((_, i) => !stopped.has(names[i]!)).map((s) => s.close()));
      await Promise.all(databases.map((d) => d.drop()));
    },
  };
}
