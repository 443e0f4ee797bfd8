import { SEED_PLANS, deterministicId, type SeedPlan } from '@storefront/kit';
import { demoReviews } from '../seed';

describe('demoReviews', () => {
  it.each(Object.entries(SEED_PLANS))('never repeats an (author, product) pair or a timestamp in the %s plan', (_, plan) => {
    const reviews = demoReviews(plan);
    expect(reviews).toHaveLength(plan.reviews);
    expect(new Set(reviews.map((r) => `${r.authorId}|${r.productId}`)).size).toBe(plan.reviews);
    expect(new Set(reviews.map((r) => r.createdAt.getTime())).size).toBe(plan.reviews);
    expect(new Set(reviews.map((r) => r.id)).size).toBe(plan.reviews);
  });

  it.each(Object.entries(SEED_PLANS))('spreads the %s plan over every user and product with valid ratings', (_, plan) => {
    const reviews = demoReviews(plan);
    const perProduct = new Map<string, number>();
    for (const r of reviews) perProduct.set(r.productId, (perProduct.get(r.productId) ?? 0) + 1);
    expect(new Set(reviews.map((r) => r.authorId)).size).toBe(Math.min(plan.users, plan.reviews));
    expect(perProduct.size).toBe(Math.min(plan.products, plan.reviews));
    const average = plan.reviews / plan.products;
    for (const count of perProduct.values()) expect(Math.abs(count - average)).toBeLessThanOrEqual(average);
    expect(reviews.every((r) => Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5)).toBe(true);
  });

  it('refers to the ids the users and products seeds create, and is the same on every run', () => {
    const plan = SEED_PLANS.demo;
    const first = demoReviews(plan);
    expect(first[0]!.authorId).toBe(deterministicId('user', 1));
    expect(first[0]!.id).toBe(deterministicId('review', 1));
    expect(first.map((r) => r.productId)).toEqual(expect.arrayContaining([deterministicId('product', plan.products)]));
    expect(demoReviews(plan)).toEqual(first);
  });

  it('falls back to probing when the formula would repeat a pair, and caps at users × products', () => {
    const dense: SeedPlan = { users: 4, products: 6, reviews: 1000, orders: 0 };
    const reviews = demoReviews(dense);
    expect(reviews).toHaveLength(24);
    expect(new Set(reviews.map((r) => `${r.authorId}|${r.productId}`)).size).toBe(24);
  });
});
