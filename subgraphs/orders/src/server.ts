import { join } from 'node:path';
import { DateTimeScalar, dataDir, loadTypeDefs, serviceSecret, type SubgraphDefinition } from '@storefront/kit';
import { checkoutResolvers } from './checkout.resolvers';
import { Checkout } from './checkout.service';
import { OrderItem } from './entities/order-item.entity';
import { Order } from './entities/order.entity';
import { checkoutEnvSchema } from './env';
import { CreateOrders1732233600000 } from './migrations/1732233600000-create-orders.migration';
import { IndexOrderStatus1732320000000 } from './migrations/1732320000000-index-order-status.migration';
import { createOrderLoaders } from './order.loaders';
import { startOrderReconciler } from './order-reconciler';
import { resolvers, type OrdersContext } from './order.resolvers';
import { ProductsClient } from './products.client';
import { hasData, seed } from './seed';
import { shippingResolvers } from './shipping.resolvers';

/** What every request of a running orders subgraph shares. */
interface OrdersServices {
  checkout: Checkout;
}

/**
 * The orders subgraph: orders and their lines, each user's order history, shipping estimates, and
 * the checkout saga with products (placeOrder, cancelOrder).
 */
export const ordersSubgraph: SubgraphDefinition<OrdersContext, OrdersServices> = {
  name: 'orders',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: {
    DateTime: DateTimeScalar,
    ...resolvers,
    ...shippingResolvers,
    ...checkoutResolvers,
  },
  entities: [Order, OrderItem],
  migrations: [CreateOrders1732233600000, IndexOrderStatus1732320000000],
  // The saga needs the environment (products' URL, the service secret), so it is built here, once
  // per running subgraph; its reconciler runs as a background job.
  setup: ({ db, log, env, jobs }) => {
    const settings = checkoutEnvSchema.parse(env);
    if (settings.ORDERS_CRASH_AFTER_RESERVE === '1' && env.NODE_ENV === 'production') {
      throw new Error('ORDERS_CRASH_AFTER_RESERVE is a test switch and must not be set in production');
    }
    const products = new ProductsClient(settings.PRODUCTS_SERVICE_URL, serviceSecret(env, dataDir(env.DATA_DIR)), settings.PRODUCTS_TIMEOUT_MS);
    const checkoutOn = (source: typeof db) =>
      new Checkout(source, products, log, {
        crashAfterReserve: settings.ORDERS_CRASH_AFTER_RESERVE === '1',
        // Long enough for the first call's saga (reserve and confirm, each with its timeout).
        pendingWaitMs: 2 * settings.PRODUCTS_TIMEOUT_MS,
        reconcileAfterMs: settings.RECONCILE_AFTER_SECONDS * 1000,
      });
    startOrderReconciler(jobs, settings.RECONCILE_INTERVAL_SECONDS * 1000, checkoutOn);
    return { services: { checkout: checkoutOn(db) } };
  },
  createContext: (base, { checkout }) => ({ ...base, loaders: createOrderLoaders(base.db), checkout }),
  seed,
  hasData,
};
