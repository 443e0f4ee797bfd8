// Resolvers of the four stand-ins: the real subgraphs' behaviour (pagination rules, cursors,
// ordering, permission checks, null for a missing entity, NOT_FOUND for a missing root lookup)
// answered from the in-memory catalogue instead of SQL.
import {
  BadUserInputError,
  DateTimeScalar,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  decodeCursor,
  encodeCursor,
  isAdmin,
  pageSize,
  toConnection,
} from '@storefront/kit';

/**
 * @typedef {import('./data.mjs').Catalogue} Catalogue
 * @typedef {{ caller: { userId: string, roles: string[], scopes: string[] } | null }} Context
 * @typedef {Record<string, Record<string, unknown>>} ResolverMap
 */

const notServed = () => {
  throw new Error('The benchmark stand-in serves reads only');
};

/** @template T @param {T | undefined} value @param {string} what @param {string} key @returns {T} */
function found(value, what, key) {
  if (value === undefined) throw new NotFoundError(what, key);
  return value;
}

/**
 * The page after `after` of a list sorted newest first, `size + 1` rows like the SQL (the extra
 * row only says a next page exists).
 * @template {{ createdAt: Date, id: string }} T
 * @param {T[]} list @param {number} size @param {{ at: number, id: string } | null} after
 */
function newestFirstPage(list, size, after) {
  let start = 0;
  if (after) {
    start = list.findIndex((row) => row.createdAt.getTime() < after.at || (row.createdAt.getTime() === after.at && row.id < after.id));
    if (start < 0) start = list.length;
  }
  return list.slice(start, start + size + 1);
}

/** @param {Catalogue} data @returns {ResolverMap} */
export function usersResolvers(data) {
  /** @param {Context} ctx @param {{ id: string, email: string }} user */
  const mayReadEmail = (ctx, user) => ctx.caller?.userId === user.id || isAdmin(ctx.caller);
  return {
    DateTime: /** @type {never} */ (DateTimeScalar),
    Query: {
      me: (/** @type {unknown} */ _, /** @type {unknown} */ __, /** @type {Context} */ ctx) =>
        ctx.caller ? (data.users.get(ctx.caller.userId) ?? null) : null,
      user: (/** @type {unknown} */ _, /** @type {{ id: string }} */ { id }) => found(data.users.get(id), 'User', id),
    },
    Mutation: { signUp: notServed, logIn: notServed },
    User: {
      __resolveReference: (/** @type {{ id: string }} */ ref) => data.users.get(ref.id) ?? null,
      email: (/** @type {{ id: string, email: string }} */ user, /** @type {unknown} */ _, /** @type {Context} */ ctx) =>
        mayReadEmail(ctx, user) ? user.email : null,
    },
  };
}

/** @param {Catalogue} data @returns {ResolverMap} */
export function productsResolvers(data) {
  return {
    Query: {
      product: (/** @type {unknown} */ _, /** @type {{ id: string }} */ { id }) => found(data.productById.get(id), 'Product', id),
      productBySku: (/** @type {unknown} */ _, /** @type {{ sku: string }} */ { sku }) =>
        found(data.productBySku.get(sku), 'Product with SKU', sku),
      products: (/** @type {unknown} */ _, /** @type {{ first?: number | null, after?: string | null, search?: string | null }} */ args) => {
        const size = pageSize(args.first);
        if (args.search && args.search.length > 100) throw new BadUserInputError('must be at most 100 characters', 'search');
        const search = args.search?.trim().toLowerCase();
        const matching = search ? data.products.filter((p) => p.name.toLowerCase().includes(search)) : data.products;
        let start = 0;
        if (args.after) {
          const [lastId] = decodeCursor(args.after, 1);
          start = matching.findIndex((p) => p.id > String(lastId));
          if (start < 0) start = matching.length;
        }
        const rows = matching.slice(start, start + size + 1);
        return toConnection(rows, size, (p) => encodeCursor([p.id]), matching.length);
      },
    },
    Mutation: { createProduct: notServed, setStock: notServed },
    Product: {
      __resolveReference: (/** @type {{ id?: string, sku?: string }} */ ref) =>
        (ref.id !== undefined ? data.productById.get(ref.id) : data.productBySku.get(ref.sku ?? '')) ?? null,
      price: (/** @type {{ priceCents: number, currency: string }} */ p) => ({ amountCents: p.priceCents, currency: p.currency }),
    },
  };
}

/** @param {Catalogue} data @returns {ResolverMap} */
export function reviewsResolvers(data) {
  /** @param {string} productId */
  const stats = (productId) => {
    const list = data.reviewsByProduct.get(productId) ?? [];
    return { count: list.length, ratingSum: list.reduce((sum, r) => sum + r.rating, 0) };
  };
  return {
    DateTime: /** @type {never} */ (DateTimeScalar),
    Query: {
      review: (/** @type {unknown} */ _, /** @type {{ id: string }} */ { id }) => found(data.reviewById.get(id), 'Review', id),
    },
    Mutation: { addReview: notServed },
    Review: {
      __resolveReference: (/** @type {{ id: string }} */ ref) => data.reviewById.get(ref.id) ?? null,
      author: (/** @type {{ authorId: string }} */ r) => ({ __typename: 'User', id: r.authorId }),
      product: (/** @type {{ productId: string }} */ r) => ({ __typename: 'Product', id: r.productId }),
    },
    User: {
      // The newest `first` (default 20, at most 100), as the reviews subgraph answers it.
      reviews: (/** @type {{ id: string }} */ user, /** @type {{ first?: number | null }} */ args) =>
        (data.reviewsByAuthor.get(user.id) ?? []).slice(0, pageSize(args.first, 20)),
    },
    Product: {
      reviews: (/** @type {{ id: string }} */ product, /** @type {{ first?: number | null, after?: string | null }} */ args) => {
        const size = pageSize(args.first, 10);
        let after = null;
        if (args.after) {
          const [createdAt, id] = decodeCursor(args.after, 2);
          after = { at: new Date(String(createdAt)).getTime(), id: String(id) };
        }
        const rows = newestFirstPage(data.reviewsByProduct.get(product.id) ?? [], size, after);
        return toConnection(rows, size, (r) => encodeCursor([r.createdAt.toISOString(), r.id]), async () => stats(product.id).count);
      },
      reviewCount: (/** @type {{ id: string }} */ product) => stats(product.id).count,
      averageRating: (/** @type {{ id: string }} */ product) => {
        const { count, ratingSum } = stats(product.id);
        return count === 0 ? null : ratingSum / count;
      },
    },
  };
}

/** @param {Context['caller']} caller @param {string} buyerId */
function assertMayReadOrdersOf(caller, buyerId) {
  if (!caller) throw new UnauthenticatedError();
  if (caller.userId !== buyerId && !isAdmin(caller)) throw new ForbiddenError('Only the buyer or an admin may read orders');
}

/** The orders subgraph's rule (subgraphs/orders/src/shipping.ts). @param {{ amountCents: number, currency: string }} price @param {number} weightGrams */
function shippingEstimate(price, weightGrams) {
  if (price.amountCents >= 10_000) return { amountCents: 0, currency: price.currency };
  return { amountCents: 499 + Math.ceil(weightGrams / 10), currency: price.currency };
}

/** @param {Catalogue} data @returns {ResolverMap} */
export function ordersResolvers(data) {
  return {
    DateTime: /** @type {never} */ (DateTimeScalar),
    Query: {
      order: (/** @type {unknown} */ _, /** @type {{ id: string }} */ { id }, /** @type {Context} */ ctx) => {
        if (!ctx.caller) throw new UnauthenticatedError();
        const order = found(data.orderById.get(id), 'Order', id);
        assertMayReadOrdersOf(ctx.caller, order.buyerId);
        return order;
      },
    },
    Mutation: { placeOrder: notServed, cancelOrder: notServed },
    Order: {
      __resolveReference: (/** @type {{ id: string }} */ ref, /** @type {Context} */ ctx) => {
        if (!ctx.caller) throw new UnauthenticatedError();
        const order = data.orderById.get(ref.id);
        if (!order) return null;
        assertMayReadOrdersOf(ctx.caller, order.buyerId);
        return order;
      },
      buyer: (/** @type {{ buyerId: string }} */ o) => ({ __typename: 'User', id: o.buyerId }),
      items: (/** @type {{ id: string }} */ o) => data.itemsByOrder.get(o.id) ?? [],
      total: (/** @type {{ totalCents: number, currency: string }} */ o) => ({ amountCents: o.totalCents, currency: o.currency }),
    },
    OrderItem: {
      product: (/** @type {{ productId: string }} */ item) => ({ __typename: 'Product', id: item.productId }),
      unitPrice: (/** @type {{ unitPriceCents: number, currency: string }} */ item) => ({ amountCents: item.unitPriceCents, currency: item.currency }),
    },
    User: {
      orders: (/** @type {{ id: string }} */ user, /** @type {{ first?: number | null, after?: string | null }} */ args, /** @type {Context} */ ctx) => {
        assertMayReadOrdersOf(ctx.caller, user.id);
        const size = pageSize(args.first, 10);
        let after = null;
        if (args.after) {
          const [at, id] = decodeCursor(args.after, 2);
          after = { at: Number(at), id: String(id) };
        }
        const all = data.ordersByBuyer.get(user.id) ?? [];
        const rows = newestFirstPage(all, size, after);
        return toConnection(rows, size, (o) => encodeCursor([o.createdAt.getTime(), o.id]), all.length);
      },
    },
    Product: {
      shippingEstimate: (/** @type {{ id: string, price?: { amountCents: number, currency: string }, weightGrams?: number }} */ product) => {
        if (!product.price || product.weightGrams == null) throw new Error(`Product ${product.id} came without its @requires fields`);
        return shippingEstimate(product.price, product.weightGrams);
      },
    },
  };
}

export const RESOLVERS = { users: usersResolvers, products: productsResolvers, reviews: reviewsResolvers, orders: ordersResolvers };
