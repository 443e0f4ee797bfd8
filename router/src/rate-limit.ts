import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import {
  HttpError,
  MemoryRateLimitStore,
  RateLimiter,
  type Logger,
  type RateLimitStore,
} from '@storefront/kit';
import { clientAddress } from './client-address';
import { callerOf } from './context';

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
 * Counters in Redis, shared by every router replica. When Redis fails, the hit is counted in this
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

export interface ClientRateLimitOptions {
  limiter: RateLimiter;
  publicKey: KeyObject;
  trustedProxyHops: number;
}

/**
 * The per-client rate limit at the edge, before anything is parsed: a signed-in client is counted
 * by its user id (so a shared office address does not throttle its users together), anyone else by
 * address. An invalid token counts against the address and is refused later with 401.
 */
export function clientRateLimit(options: ClientRateLimitOptions) {
  return async (req: IncomingMessage): Promise<void> => {
    if (!options.limiter.enabled) return;
    const caller = await callerOf(req, options.publicKey).catch(() => null);
    const key = caller ? `user:${caller.userId}` : `ip:${clientAddress(req, options.trustedProxyHops)}`;
    const decision = await options.limiter.consume(key);
    if (decision.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HttpError(429, `Too many requests: at most ${decision.limit} per ${options.limiter.options.windowMs / 1000} s; retry in ${retryAfter} s`, 'RATE_LIMITED', {
      'retry-after': String(retryAfter),
    });
  };
}
