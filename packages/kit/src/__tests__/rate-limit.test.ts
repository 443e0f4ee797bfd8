import { MemoryRateLimitStore, RateLimiter } from '../rate-limit';

describe('RateLimiter over the memory store', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('allows `limit` hits per key and window, then refuses with the time left in the window', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(clock), { limit: 3, windowMs: 60_000, prefix: 't' });
    for (let i = 0; i < 3; i++) expect((await limiter.consume('a')).allowed).toBe(true);
    now += 20_000;
    expect(await limiter.consume('a')).toEqual({ allowed: false, count: 4, limit: 3, retryAfterMs: 40_000 });
    expect((await limiter.consume('b')).allowed).toBe(true);
    now += 40_000;
    expect((await limiter.consume('a')).allowed).toBe(true);
  });

  it('takes a hit back on refund and forgets a key on reset', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(clock), { limit: 1, windowMs: 60_000, prefix: 't' });
    await limiter.consume('a');
    await limiter.refund('a');
    expect((await limiter.consume('a')).allowed).toBe(true);
    expect((await limiter.consume('a')).allowed).toBe(false);
    await limiter.reset('a');
    expect((await limiter.consume('a')).allowed).toBe(true);
  });

  it('is off at limit 0: everything passes and nothing is stored', async () => {
    const store = new MemoryRateLimitStore(clock);
    const limiter = new RateLimiter(store, { limit: 0, windowMs: 60_000, prefix: 't' });
    for (let i = 0; i < 100; i++) expect((await limiter.consume('a')).allowed).toBe(true);
    expect(store.size).toBe(0);
  });

  it('drops expired windows as keys are hit, so memory follows the active clients only', async () => {
    const store = new MemoryRateLimitStore(clock);
    const limiter = new RateLimiter(store, { limit: 5, windowMs: 1_000, prefix: 't' });
    for (let i = 0; i < 100; i++) await limiter.consume(`client-${i}`);
    now += 60_000;
    await limiter.consume('late');
    expect(store.size).toBe(1);
  });
});
