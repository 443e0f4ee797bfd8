import type { Redis } from 'ioredis';
import type { Logger } from './logger';

/**
 * Where a service remembers the nonces of the signatures it accepted, for as long as their
 * timestamp is inside the window: a nonce claimed once is refused after (a replay).
 */
export interface NonceStore {
  /** Records `key` for `ttlMs`; false when it was already recorded, i.e. the signature was seen before. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * The nonces one process saw. Alone, it stops a replay to this process only: another replica of
 * the same service accepts the same signed call once, within the signature window.
 */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + ttlMs);
    return true;
  }

  /** How many nonces are remembered now (for tests). */
  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    // A full pass at most once a second: memory stays bounded by the nonces of one window.
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1000;
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
  }
}

/**
 * Nonces in Redis, shared by every replica of a service: `SET key 1 NX PX ttl`, one round trip, so
 * a signed call is accepted once across all of them. Each replica also remembers its own nonces in
 * memory, checked first, so a replay to the same replica is refused even while Redis is down.
 *
 * When Redis fails, the call is accepted on the memory check alone (fail open to the per-replica
 * window) rather than refused: every call between our services is signed, so failing closed would
 * turn a Redis outage into an outage of the whole API, and the degraded posture is exactly the
 * documented one of a deployment without Redis (a replay needs a captured call from inside the
 * network, reaches each other replica at most once, and only within the signature window).
 * Each fall back is logged (at most every 30 s) so an operator sees the window open.
 */
export class RedisNonceStore implements NonceStore {
  private readonly local: MemoryNonceStore;
  private lastWarned = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly prefix = 'storefront:nonce:',
    now: () => number = Date.now,
  ) {
    this.local = new MemoryNonceStore(now);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (!(await this.local.claim(key, ttlMs))) return false;
    try {
      return (await this.redis.set(this.prefix + key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    } catch (error) {
      if (Date.now() - this.lastWarned >= 30_000) {
        this.lastWarned = Date.now();
        this.log.warn({ err: (error as Error).message }, 'redis failed: signature nonces are checked per replica until it is back');
      }
      return true;
    }
  }
}
