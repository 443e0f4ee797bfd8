import { Redis } from 'ioredis';
import type { Logger } from './logger';
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit';

/**
 * A service's Redis connection, for state its replicas share (rate-limit counters, seen
 * signature nonces, caches). It fails fast instead of queueing while Redis is unreachable (callers
 * fall back to memory), and reconnects in the background.
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    // Reconnection errors repeat every few hundred ms; once every 30 s is enough for an operator.
    if (Date.now() - lastLogged < 30_000) return;
    lastLogged = Date.now();
    log.warn({ err: error.message }, 'redis unavailable: shared counters fall back to per-replica memory');
  });
  try {
    await redis.connect();
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'redis not reachable at start-up; retrying in the background');
  }
  return redis;
}

/** Closes a connection from `connectRedis`, whether or not it is up. */
export async function closeRedis(redis: Redis | undefined): Promise<void> {
  await redis?.quit().catch(() => redis.disconnect());
}

/** One round trip: count the hit, start the window's expiry on its first hit, report the time left. */
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}`;

/**
 * Counters in Redis, shared by every replica. When Redis fails, the hit is counted in this
 * replica's memory instead: limits loosen to per-replica for a while rather than vanish or block.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly fallback = new MemoryRateLimitStore();

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly prefix = 'storefront:rl:',
  ) {}

  async hit(key: string, windowMs: number, cost = 1): Promise<{ count: number; resetInMs: number }> {
    try {
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, cost, windowMs)) as [number, number];
      return { count, resetInMs: ttl };
    } catch (error) {
      this.log.debug({ err: (error as Error).message }, 'rate limit counted in memory: redis failed');
      return this.fallback.hit(key, windowMs, cost);
    }
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key).catch(() => undefined);
    await this.fallback.reset(key);
  }
}
