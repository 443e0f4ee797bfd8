// The canned data of the stand-ins: the large seed plan (SEED_PLANS.large), built in memory with
// the same rules as the subgraphs' seeds (same deterministic ids, SKUs, names, prices, who
// reviewed what, who bought what), so responses have the sizes and fan-outs they have end to end.
import { deterministicId, seededRandom } from '@storefront/kit';

const FIRST_NAMES = ['Alan', 'Barbara', 'Claude', 'Dorothy', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'Joan', 'Ken', 'Lynn'];
const LAST_NAMES = ['Turing', 'Liskov', 'Shannon', 'Vaughan', 'Dijkstra', 'Allen', 'Hopper', 'Lamarr', 'Sutherland', 'Clarke', 'Thompson'];
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Everyday', 'Heavy-duty', 'Mini', 'Pro', 'Smart', 'Travel'];
const NOUNS = ['Backpack', 'Blender', 'Desk Lamp', 'Headphones', 'Kettle', 'Keyboard', 'Mug', 'Notebook', 'Sneakers', 'Water Bottle'];
const BODIES = [
  'Does exactly what it says, no complaints.',
  'Good value for the price; I would buy it again.',
  'Arrived quickly and well packed.',
  'Solid build quality, feels like it will last.',
  'A bit smaller than I expected from the photos.',
  'Works fine, but the instructions could be clearer.',
  'My second one: the first still works after years.',
  'Not for me, but my partner loves it.',
  'Stopped working after a month; support replaced it.',
  'Exceeded my expectations in every way.',
];
const RATINGS = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5];
const USERS_EPOCH = Date.UTC(2024, 11, 1);
const PRODUCTS_EPOCH = Date.UTC(2025, 0, 1);
const REVIEWS_EPOCH = Date.UTC(2025, 1, 1);
const REVIEWS_WINDOW_MS = 180 * 24 * 3600 * 1000;
const ORDERS_EPOCH = Date.UTC(2025, 2, 1);
const ORDER_SPACING_MS = 2_837_123;

/**
 * @typedef {{ id: string, name: string, email: string, isAdmin: boolean, createdAt: Date }} User
 * @typedef {{ id: string, sku: string, name: string, description: string, priceCents: number, currency: string, stock: number, weightGrams: number, createdAt: Date }} Product
 * @typedef {{ id: string, authorId: string, productId: string, rating: number, body: string, createdAt: Date }} Review
 * @typedef {{ id: string, buyerId: string, status: string, totalCents: number, currency: string, createdAt: Date }} Order
 * @typedef {{ orderId: string, productId: string, quantity: number, unitPriceCents: number, currency: string }} OrderItem
 * @typedef {{
 *   users: Map<string, User>,
 *   products: Product[],
 *   productById: Map<string, Product>,
 *   productBySku: Map<string, Product>,
 *   reviewById: Map<string, Review>,
 *   reviewsByProduct: Map<string, Review[]>,
 *   reviewsByAuthor: Map<string, Review[]>,
 *   orderById: Map<string, Order>,
 *   ordersByBuyer: Map<string, Order[]>,
 *   itemsByOrder: Map<string, OrderItem[]>,
 * }} Catalogue
 */

/** @template T @param {Map<string, T[]>} map @param {string} key @param {T} value */
function push(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Newest first, ties by id descending: the order of Product.reviews, User.reviews and User.orders. */
const newestFirst = (/** @type {{ createdAt: Date, id: string }} */ a, /** @type {{ createdAt: Date, id: string }} */ b) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * @param {{ users: number, products: number, reviews: number, orders: number }} plan
 * @returns {Catalogue}
 */
export function buildCatalogue(plan) {
  /** @type {string[]} */
  const userIds = [];
  /** @type {Map<string, User>} */
  const users = new Map();
  for (let n = 1; n <= plan.users; n++) {
    const id = deterministicId('user', n);
    userIds[n] = id;
    users.set(id, {
      id,
      name: n === 1 ? 'Ada Admin' : `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[n % LAST_NAMES.length]}`,
      email: n === 1 ? 'admin@example.com' : `user${n}@example.com`,
      isAdmin: n === 1,
      createdAt: new Date(USERS_EPOCH + n * 60_000),
    });
  }

  /** @type {Product[]} */
  const products = [];
  for (let n = 1; n <= plan.products; n++) {
    const random = seededRandom(n * 7919);
    const name = `${ADJECTIVES[n % ADJECTIVES.length]} ${NOUNS[Math.floor(n / ADJECTIVES.length) % NOUNS.length]} ${n}`;
    products.push({
      id: deterministicId('product', n),
      sku: `SKU-${String(n).padStart(5, '0')}`,
      name,
      description: `A dependable ${name.toLowerCase()} from the demo catalogue.`,
      priceCents: 499 + Math.floor(random() * 20_000),
      currency: 'USD',
      stock: 20 + Math.floor(random() * 200),
      weightGrams: 100 + Math.floor(random() * 5_000),
      createdAt: new Date(PRODUCTS_EPOCH + n * 60_000),
    });
  }
  const productIds = products.map((p) => p.id);
  // Catalogue order, as products serves it: by id.
  products.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  /** @type {Map<string, Review>} */
  const reviewById = new Map();
  /** @type {Map<string, Review[]>} */
  const reviewsByProduct = new Map();
  /** @type {Map<string, Review[]>} */
  const reviewsByAuthor = new Map();
  // The reviews seed's assignment; with the large plan no (author, product) pair repeats.
  const reviewCount = Math.min(plan.reviews, plan.users * plan.products);
  const spacing = Math.max(1000, Math.floor(REVIEWS_WINDOW_MS / Math.max(reviewCount, 1)));
  for (let i = 1; i <= reviewCount; i++) {
    const k = i - 1;
    const random = seededRandom(i * 104_729);
    const review = {
      id: deterministicId('review', i),
      authorId: /** @type {string} */ (userIds[(k % plan.users) + 1]),
      productId: /** @type {string} */ (productIds[(k + Math.floor(k / plan.users)) % plan.products]),
      rating: /** @type {number} */ (RATINGS[Math.floor(random() * RATINGS.length)]),
      body: /** @type {string} */ (BODIES[Math.floor(random() * BODIES.length)]),
      createdAt: new Date(REVIEWS_EPOCH + i * spacing),
    };
    reviewById.set(review.id, review);
    push(reviewsByProduct, review.productId, review);
    push(reviewsByAuthor, review.authorId, review);
  }
  for (const list of reviewsByProduct.values()) list.sort(newestFirst);
  for (const list of reviewsByAuthor.values()) list.sort(newestFirst);

  /** @type {Map<string, Order>} */
  const orderById = new Map();
  /** @type {Map<string, Order[]>} */
  const ordersByBuyer = new Map();
  /** @type {Map<string, OrderItem[]>} */
  const itemsByOrder = new Map();
  for (let i = 1; i <= plan.orders; i++) {
    const random = seededRandom(i * 104_729);
    const id = deterministicId('order', i);
    const lineCount = Math.min(1 + Math.floor(random() * 3), plan.products);
    const picked = new Set();
    while (picked.size < lineCount) picked.add(1 + Math.floor(random() * plan.products));
    const items = [...picked].map((n) => ({
      orderId: id,
      productId: deterministicId('product', n),
      quantity: 1 + Math.floor(random() * 3),
      unitPriceCents: 499 + Math.floor(random() * 20_000),
      currency: 'USD',
    }));
    const order = {
      id,
      buyerId: /** @type {string} */ (userIds[((i - 1) % plan.users) + 1]),
      status: i % 7 === 0 ? 'CANCELLED' : 'CONFIRMED',
      totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
      currency: 'USD',
      createdAt: new Date(ORDERS_EPOCH + i * ORDER_SPACING_MS),
    };
    orderById.set(id, order);
    itemsByOrder.set(id, items);
    push(ordersByBuyer, order.buyerId, order);
  }
  for (const list of ordersByBuyer.values()) list.sort(newestFirst);

  return {
    users,
    products,
    productById: new Map(products.map((p) => [p.id, p])),
    productBySku: new Map(products.map((p) => [p.sku, p])),
    reviewById,
    reviewsByProduct,
    reviewsByAuthor,
    orderById,
    ordersByBuyer,
    itemsByOrder,
  };
}
