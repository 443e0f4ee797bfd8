import { RateLimitedError } from '@storefront/kit';
import { backoffMs, MemoryLoginAttemptStore } from '../login-attempts.store';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from '../login-throttle';

const RULES = { failuresBeforeBackoff: 3, backoffBaseMs: 10_000, backoffMaxMs: 60_000, perAddress: 20, windowMs: 900_000 };

/** The retry-after of a refused attempt, or null when it was let through. */
async function refusal(attempt: Promise<void>): Promise<number | null> {
  try {
    await attempt;
    return null;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    return error.extensions.retryAfterSeconds as number;
  }
}

describe('LoginThrottle over the memory store', () => {
  let now: number;
  let throttle: LoginThrottle;
  beforeEach(() => {
    now = 1_700_000_000_000;
    throttle = new LoginThrottle(RULES, new MemoryLoginAttemptStore(), () => now);
  });

  it('lets a pair fail freely up to the threshold, then makes it wait a doubling time up to the cap', async () => {
    for (let i = 0; i < 3; i++) expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const retryAfter = await refusal(throttle.attempt('a@example.com', '203.0.113.1'));
      expect(retryAfter).not.toBeNull();
      waits.push(retryAfter!);
      now += retryAfter! * 1000;
      expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBeNull();
    }
    expect(waits).toEqual([10, 20, 40, 60, 60]);
  });

  it('refuses a pair only until its wait has passed, counting nothing while it waits', async () => {
    for (let i = 0; i < 3; i++) await throttle.attempt('a@example.com', '203.0.113.1');
    now += 9_000;
    expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBe(1);
    expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBe(1);
    now += 1_000;
    expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBeNull();
    // The refused tries did not count: the next wait is the second step (20 s), not a later one.
    expect(await refusal(throttle.attempt('a@example.com', '203.0.113.1'))).toBe(20);
  });

  it('keeps the same email open from another address, and another email open from the same one', async () => {
    for (let i = 0; i < 4; i++) await refusal(throttle.attempt('Admin@Example.com ', '203.0.113.1'));
    expect(await refusal(throttle.attempt('admin@example.com', '203.0.113.1'))).not.toBeNull();
    expect(await refusal(throttle.attempt('admin@example.com', '198.51.100.2'))).toBeNull();
    expect(await refusal(throttle.attempt('other@example.com', '203.0.113.1'))).toBeNull();
  });

  it('clears a pair on success and gives the address its attempt back', async () => {
    const ceiling = new LoginThrottle({ ...RULES, perAddress: 3 }, new MemoryLoginAttemptStore(), () => now);
    await ceiling.attempt('a@example.com', '203.0.113.1');
    await ceiling.attempt('a@example.com', '203.0.113.1');
    await ceiling.attempt('a@example.com', '203.0.113.1');
    await ceiling.succeeded('a@example.com', '203.0.113.1');
    // The pair starts afresh (no wait) and the address has one attempt left of its three.
    expect(await refusal(ceiling.attempt('a@example.com', '203.0.113.1'))).toBeNull();
    expect(await refusal(ceiling.attempt('b@example.com', '203.0.113.1'))).toBe(900);
  });

  it('refuses an address past its ceiling for every email until its window ends', async () => {
    for (let i = 0; i < 20; i++) expect(await refusal(throttle.attempt(`user${i}@example.com`, '203.0.113.1'))).toBeNull();
    now += 300_000;
    expect(await refusal(throttle.attempt('fresh@example.com', '203.0.113.1'))).toBe(600);
    expect(await refusal(throttle.attempt('fresh@example.com', '198.51.100.2'))).toBeNull();
    now += 600_000;
    expect(await refusal(throttle.attempt('fresh@example.com', '203.0.113.1'))).toBeNull();
  });

  it('counts parallel attempts one by one, so a burst gets no more than the free failures', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => refusal(throttle.attempt('a@example.com', '203.0.113.1'))));
    expect(results.filter((r) => r === null)).toHaveLength(3);
  });

  it('treats every address of one IPv6 /64 as one client', async () => {
    for (let i = 0; i < 3; i++) await throttle.attempt('a@example.com', `2001:db8:0:1::${i + 1}`);
    expect(await refusal(throttle.attempt('a@example.com', '2001:db8:0:1:ffff:1:2:3'))).toBe(10);
    expect(await refusal(throttle.attempt('a@example.com', '2001:db8:0:2::1'))).toBeNull();
  });

  it('forgets a pair a window after its last wait ended, and sweeps it from memory', async () => {
    const store = new MemoryLoginAttemptStore();
    const forgetful = new LoginThrottle(RULES, store, () => now);
    for (let i = 0; i < 3; i++) await forgetful.attempt('a@example.com', '203.0.113.1');
    now += 10_000 + 900_000;
    expect(await refusal(forgetful.attempt('b@example.com', '198.51.100.9'))).toBeNull();
    // Swept: only the new pair and its address remain.
    expect(store.size).toBe(2);
    expect(await refusal(forgetful.attempt('a@example.com', '203.0.113.1'))).toBeNull();
    expect(await refusal(forgetful.attempt('a@example.com', '203.0.113.1'))).toBeNull();
  });

  it('computes the wait as base × 2^(failures − threshold), capped, and none before the threshold', () => {
    const rules = DEFAULT_LOGIN_THROTTLE;
    expect([4, 5, 6, 7, 12, 100].map((n) => backoffMs(n, rules))).toEqual([0, 10_000, 20_000, 40_000, 900_000, 900_000]);
  });
});
