/**
 * Fixed-window rate limiting: at most `limit` hits per key in each window of `windowMs`. The
 * counters live in a store, in memory here; the router adds a Redis store so replicas share them.
 */

/** Counts hits per key in fixed windows. */
export interface RateLimitStore {
  /** Adds `cost` hits to the key's current window; the window's count after it, and ms until it ends. */
  hit(key: string, windowMs: number, cost?: number): Promise<{ count: number; resetInMs: number }>;
  /** Forgets the key's current window (e.g. after a successful log-in). */
  reset(key: string): Promise<void>;
}

export interface RateLimitDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** When the current window ends: how long a refused client should wait. */
  retryAfterMs: number;
}

/** The counters of one process. Expired windows are swept as keys are hit, so memory stays bounded by active keys. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number, cost = 1): Promise<{ count: number; resetInMs: number }> {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += cost;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** How many keys are counted now (for tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 10_000;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

export interface RateLimiterOptions {
  /** Hits allowed per key and window; 0 turns the limiter off. */
  limit: number;
  windowMs: number;
  /** Prefix of the keys in a shared store, so limiters of different purpose never collide. */
  prefix: string;
}

/** A limit over a store: `consume` counts a hit and says whether it is within the limit. */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    readonly options: RateLimiterOptions,
  ) {}

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    if (!this.enabled) return { allowed: true, count: 0, limit: 0, retryAfterMs: 0 };
    const { count, resetInMs } = await this.store.hit(`${this.options.prefix}:${key}`, this.options.windowMs, cost);
    return { allowed: count <= this.options.limit, count, limit: this.options.limit, retryAfterMs: resetInMs };
  }

  /** Takes back one hit, e.g. an attempt that turned out legitimate. */
  async refund(key: string): Promise<void> {
    if (this.enabled) await this.store.hit(`${this.options.prefix}:${key}`, this.options.windowMs, -1);
  }

  async reset(key: string): Promise<void> {
    if (this.enabled) await this.store.reset(`${this.options.prefix}:${key}`);
  }
}
