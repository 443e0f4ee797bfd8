import { deterministicId, insertInChunks, seededRandom, type Logger, type SeedPlan } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { Review } from './entities/review.entity';

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
/** Skewed towards good ratings, as in real shops, so averages are not all 3. */
const RATINGS = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5];
/** After the demo catalogue's products were created (products' seed starts on 2025-01-01). */
const EPOCH = Date.UTC(2025, 1, 1);
/** Reviews are spread over this window whatever their number, at least a second apart (so distinct). */
const WINDOW_MS = 180 * 24 * 3600 * 1000;

/** deterministicId hashes; a large plan refers to the same ids 10–20 times each. */
function idsOf(kind: string): (n: number) => string {
  const ids: string[] = [];
  return (n) => (ids[n] ??= deterministicId(kind, n));
}

/**
 * The plan's reviews, the same on every machine. Review i is by user ((i-1) mod users) + 1, so
 * everyone reviews; its product starts at ((i-1) + round) mod products, where round is how many
 * times the authors have cycled, which spreads each author's reviews and every product's reviews
 * evenly. A pair already taken moves on to the next product, so (author, product) never repeats
 * for any plan; a plan asking for more reviews than users × products gets users × products.
 */
export function demoReviews(plan: SeedPlan): Review[] {
  const count = Math.min(plan.reviews, plan.users * plan.products);
  const userId = idsOf('user');
  const productId = idsOf('product');
  const taken = new Set<number>();
  const spacing = Math.max(1000, Math.floor(WINDOW_MS / Math.max(count, 1)));
  const reviews: Review[] = [];
  for (let i = 1; i <= count; i++) {
    const k = i - 1;
    const author = k % plan.users;
    let product = (k + Math.floor(k / plan.users)) % plan.products;
    // Terminates: an author has at most ceil(count / users) <= products reviews.
    while (taken.has(author * plan.products + product)) product = (product + 1) % plan.products;
    taken.add(author * plan.products + product);
    const random = seededRandom(i * 104_729);
    const review = new Review();
    review.id = deterministicId('review', i);
    review.authorId = userId(author + 1);
    review.productId = productId(product + 1);
    review.rating = RATINGS[Math.floor(random() * RATINGS.length)]!;
    review.body = BODIES[Math.floor(random() * BODIES.length)]!;
    review.createdAt = new Date(EPOCH + i * spacing);
    reviews.push(review);
  }
  return reviews;
}

export async function hasData(db: DataSource): Promise<boolean> {
  return (await db.getRepository(Review).count({ take: 1 })) > 0;
}

export async function seed(db: DataSource, plan: SeedPlan, log: Logger): Promise<void> {
  const rows = demoReviews(plan);
  await db.transaction(async (manager) => {
    await insertInChunks(rows, 500, (chunk) => manager.insert(Review, chunk));
  });
  log.info({ reviews: rows.length }, 'seeded reviews');
}
