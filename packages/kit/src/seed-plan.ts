/** How many of each entity a seed makes; every subgraph seeds its own part of the same plan. */
export interface SeedPlan {
  users: number;
  products: number;
  reviews: number;
  orders: number;
}

/** The plans a subgraph can seed (`SEED=<name>`). */
export const SEED_PLAN_NAMES = ['demo', 'large', 'scale1k', 'scale100k'] as const;
export type SeedPlanName = (typeof SEED_PLAN_NAMES)[number];

/**
 * The contract's demo set, the large set the benchmark uses, and the benchmark's two scale sets,
 * so a page's cost can be compared at 1,000 and 100,000 products. They differ in products and
 * reviews only: every product has one review, by the user of the same number, in both, so the
 * data around any of the first 1,000 products (its review, its reviewer, their other reviews) is
 * the same in both sets and only the size of the catalogue differs.
 */
export const SEED_PLANS: Record<SeedPlanName, SeedPlan> = {
  demo: { users: 10, products: 50, reviews: 200, orders: 30 },
  large: { users: 20_000, products: 10_000, reviews: 200_000, orders: 20_000 },
  scale1k: { users: 100_000, products: 1_000, reviews: 1_000, orders: 10_000 },
  scale100k: { users: 100_000, products: 100_000, reviews: 100_000, orders: 10_000 },
};

/** Deterministic pseudo-random numbers (mulberry32), so seeds are identical on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inserts rows in chunks so a large seed stays within statement-size limits. */
export async function insertInChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}
