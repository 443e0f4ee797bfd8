import { BadUserInputError, decodeCursor, encodeCursor, fromSqlDateTime, newId, sqlDateTime } from '@storefront/kit';
import { In, type DataSource } from 'typeorm';
import { Review } from './entities/review.entity';

/** Where a newest-first page starts: strictly after this (createdAt, id). */
export interface ReviewPosition {
  createdAt: Date;
  id: string;
}

/** How many reviews a product has and the sum of their ratings (the mean is computed exactly in JS). */
export interface ReviewStats {
  count: number;
  ratingSum: number;
}

const COLUMNS = 'id, productId, authorId, rating, body, createdAt';

export const reviewCursor = (review: Review): string => encodeCursor([review.createdAt.toISOString(), review.id]);

export function decodeReviewCursor(after: string): ReviewPosition {
  const [createdAt, id] = decodeCursor(after, 2);
  const date = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || typeof id !== 'string' || id.length === 0 || id.length > 36) {
    throw new BadUserInputError('"after" is not a valid cursor', 'after');
  }
  return { createdAt: date, id };
}

interface ReviewRow {
  id: string;
  productId: string;
  authorId: string;
  rating: number | string;
  body: string;
  createdAt: Date | string;
}

/** Raw rows (from window-function SQL that the query builder cannot express) as entities. */
function toReview(row: ReviewRow): Review {
  const review = new Review();
  review.id = row.id;
  review.productId = row.productId;
  review.authorId = row.authorId;
  review.rating = Number(row.rating);
  review.body = row.body;
  review.createdAt = fromSqlDateTime(row.createdAt);
  return review;
}

const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

function groupBy<K, V>(rows: V[], keyOf: (row: V) => K): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const row of rows) {
    const group = groups.get(keyOf(row));
    if (group) group.push(row);
    else groups.set(keyOf(row), [row]);
  }
  return groups;
}

export async function findReviewsByIds(db: DataSource, ids: readonly string[]): Promise<Map<string, Review>> {
  const rows = await db.getRepository(Review).findBy({ id: In([...ids]) });
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The newest `limit` reviews of every author, in one statement: ROW_NUMBER() numbers each author's
 * reviews newest first and the outer filter keeps the first `limit`, so neither the rows read back
 * nor the response grow with how many reviews an author has written.
 */
export async function findReviewsByAuthors(
  db: DataSource,
  authorIds: readonly string[],
  limit: number,
): Promise<Map<string, Review[]>> {
  const rows: ReviewRow[] = await db.query(
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS}, ROW_NUMBER() OVER (PARTITION BY authorId ORDER BY createdAt DESC, id DESC) AS rn
       FROM reviews
       WHERE authorId IN (${placeholders(authorIds)})
     ) ranked
     WHERE rn <= ?
     ORDER BY authorId, rn`,
    [...authorIds, limit],
  );
  return groupBy(rows.map(toReview), (review) => review.authorId);
}

/**
 * The next `size + 1` reviews (newest first) after `position` of every product, in one statement:
 * ROW_NUMBER() numbers each product's reviews, and the outer filter keeps the first `size + 1` of
 * each, the extra one only telling that a next page exists.
 */
export async function findReviewPages(
  db: DataSource,
  productIds: readonly string[],
  size: number,
  position: ReviewPosition | null,
): Promise<Map<string, Review[]>> {
  const parameters: unknown[] = [...productIds];
  let keyset = '';
  if (position) {
    const createdAt = sqlDateTime(position.createdAt);
    keyset = ' AND (createdAt < ? OR (createdAt = ? AND id < ?))';
    parameters.push(createdAt, createdAt, position.id);
  }
  parameters.push(size + 1);
  const rows: ReviewRow[] = await db.query(
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS}, ROW_NUMBER() OVER (PARTITION BY productId ORDER BY createdAt DESC, id DESC) AS rn
       FROM reviews
       WHERE productId IN (${placeholders(productIds)})${keyset}
     ) ranked
     WHERE rn <= ?
     ORDER BY productId, rn`,
    parameters,
  );
  return groupBy(rows.map(toReview), (review) => review.productId);
}

/** Count and rating sum of every product, in one statement; products without reviews are absent. */
export async function findReviewStats(db: DataSource, productIds: readonly string[]): Promise<Map<string, ReviewStats>> {
  const rows: { productId: string; reviewCount: number | string; ratingSum: number | string }[] = await db.query(
    `SELECT productId, COUNT(*) AS reviewCount, SUM(rating) AS ratingSum
     FROM reviews
     WHERE productId IN (${placeholders(productIds)})
     GROUP BY productId`,
    [...productIds],
  );
  // mysql2 returns BIGINT/DECIMAL aggregates as strings (TypeORM turns on bigNumberStrings).
  return new Map(rows.map((row) => [row.productId, { count: Number(row.reviewCount), ratingSum: Number(row.ratingSum) }]));
}

export interface NewReview {
  authorId: string;
  productId: string;
  rating: number;
  body: string;
}

/** Inserts a review; a second one by the same author for the same product fails on the unique index. */
export async function addReview(db: DataSource, input: NewReview): Promise<Review> {
  const repo = db.getRepository(Review);
  const review = repo.create({ ...input, id: newId(), createdAt: new Date() });
  await repo.insert(review);
  return review;
}
