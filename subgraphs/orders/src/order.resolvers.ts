import type { GraphQLResolverMap } from '@apollo/subgraph';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  isAdmin,
  pageSize,
  toConnection,
  type BaseContext,
  type Caller,
} from '@storefront/kit';
import type { Checkout } from './checkout.service';
import type { OrderItem } from './entities/order-item.entity';
import type { Order } from './entities/order.entity';
import type { OrderLoaders } from './order.loaders';
import { decodeOrderCursor, encodeOrderCursor } from './order.service';

export interface OrdersContext extends BaseContext {
  loaders: OrderLoaders;
  /** The checkout saga (placeOrder, cancelOrder), shared by all requests. */
  checkout: Checkout;
}

/** The SDL's default for User.orders(first:), also used when a client passes null. */
const DEFAULT_ORDERS_PAGE = 10;

/** Orders are private: only their buyer or an admin may see them. */
function assertMayReadOrdersOf(caller: Caller | null, buyerId: string, what: string): void {
  if (!caller) throw new UnauthenticatedError();
  if (caller.userId !== buyerId && !isAdmin(caller)) {
    throw new ForbiddenError(`Only the buyer or an admin may read ${what}`);
  }
}

export const resolvers: GraphQLResolverMap<OrdersContext> = {
  Query: {
    order: async (_: unknown, { id }: { id: string }, ctx: OrdersContext) => {
      // Checked before the lookup, so an anonymous caller learns nothing about which ids exist.
      if (!ctx.caller) throw new UnauthenticatedError();
      const order = await ctx.loaders.orderById.load(id);
      if (!order) throw new NotFoundError('Order', id);
      assertMayReadOrdersOf(ctx.caller, order.buyerId, 'this order');
      return order;
    },
  },
  Order: {
    // Through the loader, so one `_entities` call is one statement. A reference to someone
    // else's order fails with FORBIDDEN (the entity becomes null) rather than leaking it.
    __resolveReference: async (ref: { id: string }, ctx: OrdersContext) => {
      if (!ctx.caller) throw new UnauthenticatedError();
      const order = await ctx.loaders.orderById.load(ref.id);
      if (!order) return null;
      assertMayReadOrdersOf(ctx.caller, order.buyerId, 'this order');
      return order;
    },
    buyer: (order: Order) => ({ __typename: 'User', id: order.buyerId }),
    items: (order: Order, _: unknown, ctx: OrdersContext) => ctx.loaders.itemsByOrderId.load(order.id),
    total: (order: Order) => ({ amountCents: order.totalCents, currency: order.currency }),
    // A cancellation whose stock is not back yet still holds its stock: it shows as CONFIRMED.
    status: (order: Order) => (order.status === 'CANCELLING' ? 'CONFIRMED' : order.status),
  },
  OrderItem: {
    product: (item: OrderItem) => ({ __typename: 'Product', id: item.productId }),
    unitPrice: (item: OrderItem) => ({ amountCents: item.unitPriceCents, currency: item.currency }),
  },
  User: {
    orders: async (
      user: { id: string },
      args: { first?: number | null; after?: string | null },
      ctx: OrdersContext,
    ) => {
      assertMayReadOrdersOf(ctx.caller, user.id, "this user's orders");
      const size = pageSize(args.first, DEFAULT_ORDERS_PAGE);
      const after = args.after ? decodeOrderCursor(args.after) : null;
      // One row more than the page tells whether a next page exists.
      const rows = await ctx.loaders.ordersOfBuyer(size + 1, after).load(user.id);
      return toConnection(rows, size, encodeOrderCursor, () => ctx.loaders.orderCountByBuyer.load(user.id));
    },
  },
};
