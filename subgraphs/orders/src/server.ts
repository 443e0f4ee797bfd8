import { join } from 'node:path';
import { DateTimeScalar, loadTypeDefs, type SubgraphDefinition } from '@storefront/kit';
import { OrderItem } from './entities/order-item.entity';
import { Order } from './entities/order.entity';
import { CreateOrders1732233600000 } from './migrations/1732233600000-create-orders.migration';
import { createOrderLoaders } from './order.loaders';
import { resolvers, type OrdersContext } from './order.resolvers';
import { hasData, seed } from './seed';
import { shippingResolvers } from './shipping.resolvers';

/**
 * The orders subgraph: orders and their lines, each user's order history, and shipping estimates.
 * placeOrder/cancelOrder (the checkout saga with products) are declared in the SDL but not yet
 * resolved here; until then they answer with an error.
 */
export const ordersSubgraph: SubgraphDefinition<OrdersContext> = {
  name: 'orders',
  typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
  resolvers: { DateTime: DateTimeScalar, ...resolvers, ...shippingResolvers },
  entities: [Order, OrderItem],
  migrations: [CreateOrders1732233600000],
  createContext: (base) => ({ ...base, loaders: createOrderLoaders(base.db) }),
  seed,
  hasData,
};
