import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../logger';
import { MemoryNonceStore, RedisNonceStore } from '../nonce-store';
import { closeRedis, connectRedis } from '../redis';

const REDIS_URL = 'redis://127.0.0.1:6379';
const log = createLogger('test', 'silent');

describe('MemoryNonceStore', () => {
  it('refuses a nonce claimed twice within its time, accepts it again after, and forgets expired ones', async () => {
    let now = 1_000_000;
    const store = new MemoryNonceStore(() => now);
    expect(await store.claim('a', 120_000)).toBe(true);
    expect(await store.claim('a', 120_000)).toBe(false);
    now += 120_001;
    expect(await store.claim('a', 120_000)).toBe(true);
    now += 120_001;
    await store.claim('b', 1000);
    expect(store.size).toBe(1);
  });
});

describe('RedisNonceStore against a real Redis', () => {
  let redis: Redis;
  let other: Redis;
  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL, log);
    other = await connectRedis(REDIS_URL, log);
  });
  afterAll(async () => {
    await closeRedis(redis);
    await closeRedis(other);
  });

  it('accepts a nonce once across two replicas (two connections), and Redis expires it with the window', async () => {
    const prefix = `test:nonce:${randomUUID()}:`;
    const a = new RedisNonceStore(redis, log, prefix);
    const b = new RedisNonceStore(other, log, prefix);
    expect(await a.claim('n1', 60_000)).toBe(true);
    expect(await b.claim('n1', 60_000)).toBe(false);
    expect(await a.claim('n1', 60_000)).toBe(false);
    const ttl = await redis.pttl(`${prefix}n1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('when Redis fails, falls back to this replica: the same replica still refuses, another accepts once', async () => {
    const prefix = `test:nonce:${randomUUID()}:`;
    // A real connection that went away: every command fails at once (no offline queue).
    const down = await connectRedis(REDIS_URL, log);
    down.disconnect();
    try {
      const a = new RedisNonceStore(down, log, prefix);
      const b = new RedisNonceStore(down, log, prefix);
      expect(await a.claim('n2', 60_000)).toBe(true);
      expect(await a.claim('n2', 60_000)).toBe(false);
      expect(await b.claim('n2', 60_000)).toBe(true);
      // Nothing reached the real Redis.
      expect(await redis.exists(`${prefix}n2`)).toBe(0);
    } finally {
      await closeRedis(down);
    }
  });
});
