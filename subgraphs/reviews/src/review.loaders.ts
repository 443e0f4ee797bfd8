import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Review } from './entities/review.entity';
import {
  findReviewPages,
  findReviewsByAuthors,
  findReviewsByIds,
  findReviewStats,
  type ReviewPosition,
  type ReviewStats,
} from './review.service';

const NO_REVIEWS: ReviewStats = { count: 0, ratingSum: 0 };

/** A loader whose batch function runs one statement for every key of the tick, results in key order. */
function batched<V>(load: (keys: readonly string[]) => Promise<Map<string, V>>, missing: () => V) {
  return new DataLoader<string, V>(async (keys) => {
    const found = await load(keys);
    return keys.map((key) => found.get(key) ?? missing());
  });
}

/** Fresh per request, so no data is cached across callers. */
export function createReviewLoaders(db: DataSource) {
  // Product.reviews takes arguments, and one statement can only serve one (first, after) pair:
  // one loader per distinct pair, so every product asking the same page shares a statement.
  const pages = new Map<string, DataLoader<string, Review[]>>();
  // User.reviews(first:) likewise: one loader (one statement) per distinct `first`.
  const byAuthor = new Map<number, DataLoader<string, Review[]>>();
  return {
    reviewById: batched<Review | null>((ids) => findReviewsByIds(db, ids), () => null),
    /** The newest `limit` reviews of each author. */
    reviewsByAuthorId(limit: number): DataLoader<string, Review[]> {
      let loader = byAuthor.get(limit);
      if (!loader) {
        loader = batched((ids) => findReviewsByAuthors(db, ids, limit), () => []);
        byAuthor.set(limit, loader);
      }
      return loader;
    },
    /** Count and rating sum per product, shared by totalCount, reviewCount and averageRating. */
    reviewStatsByProductId: batched((ids) => findReviewStats(db, ids), () => NO_REVIEWS),
    /** Up to `size + 1` reviews per product after `position`, newest first. */
    reviewPage(size: number, position: ReviewPosition | null): DataLoader<string, Review[]> {
      const key = JSON.stringify([size, position?.createdAt.getTime() ?? null, position?.id ?? null]);
      let loader = pages.get(key);
      if (!loader) {
        loader = batched((ids) => findReviewPages(db, ids, size, position), () => []);
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

export type ReviewLoaders = ReturnType<typeof createReviewLoaders>;
