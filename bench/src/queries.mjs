// The four operations of the benchmark, what each request sends, and how a response is judged.
import { deterministicId, signToken } from '@storefront/kit';

/**
 * @typedef {{ body: string, headers: Record<string, string> }} Request
 * @typedef {{
 *   id: string,
 *   title: string,
 *   operationName: string,
 *   query: string,
 *   requests: Request[],
 *   next: () => Request,
 *   check: (json: any) => string | null,
 * }} Query
 */

const STOREFRONT = /* GraphQL */ `
query StorefrontPage {
  products(first: 20) {
    edges {
      node {
        id
        name
        price { amountCents currency }
        averageRating
        reviews(first: 3) {
          edges { node { id rating author { id name } } }
        }
      }
    }
  }
}`;

// The shape of graphql-gateways-benchmark's query (users → reviews → product → reviews → author
// → reviews → product, beside topProducts → reviews → author → reviews → product) on our schema.
// The planner gives it 13 fetches: each chain's reviews, authors and products come in one reviews
// fetch (Review.author, User.reviews and Product.reviews all live there), then every level goes
// back to users for names, to products for product fields and to orders for shippingEstimate
// (which @requires price and weight from products). About 110 KB of response.
const DEEP = /* GraphQL */ `
fragment UserFields on User { id name }
fragment ReviewFields on Review { id rating body }
fragment ProductFields on Product {
  id
  sku
  name
  price { amountCents currency }
  weightGrams
  shippingEstimate { amountCents currency }
}

query DeepNested($userId: ID!) {
  user(id: $userId) {
    ...UserFields
    reviews {
      ...ReviewFields
      product {
        ...ProductFields
        reviews(first: 2) {
          edges {
            node {
              ...ReviewFields
              author {
                ...UserFields
                reviews { ...ReviewFields product { ...ProductFields } }
              }
            }
          }
        }
      }
    }
  }
  products(first: 5) {
    edges {
      node {
        ...ProductFields
        reviews(first: 2) {
          edges {
            node {
              ...ReviewFields
              author {
                ...UserFields
                reviews { ...ReviewFields product { ...ProductFields } }
              }
            }
          }
        }
      }
    }
  }
}`;

const PRODUCT_PAGE = /* GraphQL */ `
query ProductPage($sku: String!) {
  productBySku(sku: $sku) {
    id
    sku
    name
    description
    price { amountCents currency }
    stock
    shippingEstimate { amountCents currency }
    averageRating
    reviewCount
    reviews(first: 5) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id rating body createdAt author { id name } } }
    }
  }
}`;

const ACCOUNT_PAGE = /* GraphQL */ `
query AccountPage {
  me {
    id
    name
    email
    createdAt
    orders(first: 10) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          status
          createdAt
          total { amountCents currency }
          items {
            quantity
            unitPrice { amountCents currency }
            product { id sku name }
          }
        }
      }
    }
  }
}`;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** @param {string} query @param {string} operationName @param {Record<string, unknown>} [variables] */
const body = (query, operationName, variables) => JSON.stringify(variables ? { query, operationName, variables } : { query, operationName });

/** @param {unknown} value @returns {value is any[]} */
const nonEmpty = (value) => Array.isArray(value) && value.length > 0;

/** Products the page queries rotate through, and shoppers the account page signs in as. */
export const ROTATION = { products: 1000, users: 200 };

/**
 * Builds the four queries. Requests rotate over products and users, so nothing later (a response
 * cache, say) can answer every request from one entry. (c)'s SKUs are spread over the first
 * `catalogue` products (10,000: the large set; 1,000: SKUs that exist in both scale sets).
 * @param {import('node:crypto').KeyObject} signingKey signs the account page's tokens
 * @param {{ catalogue?: number }} [options]
 * @returns {Promise<Query[]>}
 */
export async function buildQueries(signingKey, { catalogue = 10_000 } = {}) {
  const skus = Array.from({ length: ROTATION.products }, (_, i) => `SKU-${String(1 + ((i * 7) % catalogue)).padStart(5, '0')}`);
  // Shoppers 2…201 (user 1 is the admin, who may read everyone's orders).
  const tokens = await Promise.all(
    Array.from({ length: ROTATION.users }, (_, i) =>
      signToken(signingKey, { userId: deterministicId('user', i + 2), roles: [], scopes: [] }, 3600),
    ),
  );
  const accountPage = body(ACCOUNT_PAGE, 'AccountPage');
  /** @type {Record<string, Request[]>} */
  const requests = {
    a: [{ body: body(STOREFRONT, 'StorefrontPage'), headers: JSON_HEADERS }],
    b: [{ body: body(DEEP, 'DeepNested', { userId: deterministicId('user', 2) }), headers: JSON_HEADERS }],
    c: skus.map((sku) => ({ body: body(PRODUCT_PAGE, 'ProductPage', { sku }), headers: JSON_HEADERS })),
    d: tokens.map((token) => ({ body: accountPage, headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` } })),
  };
  /** In turn, from the first, for every router alike. @param {string} id */
  const rotation = (id) => {
    const list = /** @type {Request[]} */ (requests[id]);
    let i = 0;
    return { requests: list, next: () => /** @type {Request} */ (list[i++ % list.length]) };
  };
  return [
    {
      id: 'a',
      title: 'storefront page: products(first: 20) + price, averageRating, reviews(first: 3) { author { name } }',
      operationName: 'StorefrontPage',
      query: STOREFRONT,
      ...rotation('a'),
      check: (json) => {
        const edges = json?.data?.products?.edges;
        if (!Array.isArray(edges) || edges.length !== 20) return 'expected 20 products';
        const bad = edges.find((e) => !e.node?.price || !Array.isArray(e.node.reviews?.edges) || e.node.reviews.edges.some((/** @type {any} */ r) => !r.node?.author?.name));
        return bad ? `incomplete product ${bad.node?.id}` : null;
      },
    },
    {
      id: 'b',
      title: "deep nested, graphql-gateways-benchmark's shape: user → reviews → product → reviews → author → reviews → product, beside products(first: 5) → reviews → author → reviews → product",
      operationName: 'DeepNested',
      query: DEEP,
      ...rotation('b'),
      check: (json) => {
        const user = json?.data?.user;
        const products = json?.data?.products?.edges;
        if (!nonEmpty(user?.reviews) || !nonEmpty(products)) return 'expected a user with reviews and products';
        const deepest = user.reviews[0]?.product?.reviews?.edges?.[0]?.node?.author?.reviews?.[0]?.product;
        return deepest?.shippingEstimate && deepest.name ? null : 'the deepest product is incomplete';
      },
    },
    {
      id: 'c',
      title: 'product page: productBySku with shippingEstimate, rating and reviews(first: 5) { author { name } }',
      operationName: 'ProductPage',
      query: PRODUCT_PAGE,
      ...rotation('c'),
      check: (json) => {
        const product = json?.data?.productBySku;
        if (!product?.sku || !product.shippingEstimate) return 'expected the product with its shipping estimate';
        return nonEmpty(product.reviews?.edges) && product.reviews.edges.every((/** @type {any} */ e) => e.node?.author?.name)
          ? null
          : 'expected reviews with their authors';
      },
    },
    {
      id: 'd',
      title: 'account page with a token: me → orders(first: 10) → items → product',
      operationName: 'AccountPage',
      query: ACCOUNT_PAGE,
      ...rotation('d'),
      check: (json) => {
        const me = json?.data?.me;
        if (!me?.email) return 'expected the signed-in user with their email';
        const orders = me.orders?.edges;
        if (!nonEmpty(orders)) return 'expected orders';
        return orders.every((/** @type {any} */ o) => nonEmpty(o.node?.items) && o.node.items.every((/** @type {any} */ i) => i.product?.name))
          ? null
          : 'expected order lines with their products';
      },
    },
  ];
}
