import type { Redis } from 'ioredis';
import type { Logger } from '@storefront/kit';

/** Where the response cache keeps its entries: serialized responses by key, each with a TTL. */
export interface ResponseStore {
  /** The entry, or undefined on a miss; never rejects (a failing store is a miss). */
  get(key: string): Promise<string | undefined>;
  /** Stores an entry for `ttlSeconds`; never rejects (a failing store just does not keep it). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  readonly kind: 'memory' | 'redis';
}

interface MemoryEntry {
  value: string;
  bytes: number;
  expiresAt: number;
}

/**
 * An LRU bounded in bytes (UTF-16 string sizes, close to what V8 holds), for a single router.
 * A Map keeps insertion order: a hit moves its entry to the end, eviction takes from the front.
 * Expired entries go when read or when they reach the front; one entry larger than an eighth of
 * the budget is not kept at all, so one huge response cannot flush everything else.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, MemoryEntry>();
  private total = 0;

  constructor(
    readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes held now, keys included. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.total -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const bytes = 2 * (key.length + value.length);
    this.remove(key);
    if (ttlSeconds <= 0 || bytes > this.maxBytes / 8) return;
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlSeconds * 1000 });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  private remove(key: string): void {
    const existing = this.entries.get(key);
    if (!existing) return;
    this.entries.delete(key);
    this.total -= existing.bytes;
  }
}

export interface RedisResponseStoreOptions {
  /** Prefix of every key. @default storefront:rc: */
  prefix?: string;
  /** A read slower than this counts as a miss, so a hung Redis cannot hold requests up. @default 250 */
  timeoutMs?: number;
}

/**
 * Entries in Redis, shared by every router replica. Redis failing (down, refusing, slow) turns
 * hits into misses and stores into no-ops, logged at most every 30 s: requests never fail for it.
 * The connection is the router's (`connectRedis`: no offline queue, so a down Redis fails fast).
 */
export class RedisResponseStore implements ResponseStore {
  readonly kind = 'redis';
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private lastLogged = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly onError: (operation: 'get' | 'set') => void = () => undefined,
    options: RedisResponseStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'storefront:rc:';
    this.timeoutMs = options.timeoutMs ?? 250;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.withTimeout(this.redis.get(this.prefix + key))) ?? undefined;
    } catch (error) {
      this.failed('get', error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      await this.withTimeout(this.redis.set(this.prefix + key, value, 'EX', ttlSeconds));
    } catch (error) {
      this.failed('set', error);
    }
  }

  private withTimeout<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    // The command may still settle after the timeout: its rejection must not go unhandled.
    command.catch(() => undefined);
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }

  private failed(operation: 'get' | 'set', error: unknown): void {
    this.onError(operation);
    if (Date.now() - this.lastLogged < 30_000) return;
    this.lastLogged = Date.now();
    this.log.warn({ err: (error as Error).message, operation }, 'response cache: redis failed, serving without it');
  }
}
