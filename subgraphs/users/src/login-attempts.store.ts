import { createHash } from 'node:crypto';
import type { connectRedis, Logger } from '@storefront/kit';

/** A connection from kit's `connectRedis` (typed from it, so users needs no Redis dependency of its own). */
export type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** How log-in failures are throttled; every duration in ms. */
export interface LoginAttemptRules {
  /** Failures of one (account, address) pair before it must wait between attempts. */
  failuresBeforeBackoff: number;
  /** The first wait; each further failure doubles it. */
  backoffBaseMs: number;
  /** The longest wait. */
  backoffMaxMs: number;
  /** Failures allowed per client address (on any accounts) and window. */
  perAddress: number;
  /** The address window; also how long a pair's failures are remembered after its last wait ends. */
  windowMs: number;
}

/** What an attempt may do now. */
export type AttemptDecision = { allowed: true } | { allowed: false; limit: 'pair' | 'address'; retryAfterMs: number };

/**
 * Counters of log-in failures, per (account, address) pair and per address. Both operations are
 * atomic, so parallel guesses are counted one by one and none slips past a limit.
 */
export interface LoginAttemptStore {
  /** Counts an attempt as a failure of the pair and the address, unless one of them must wait. */
  attempt(account: string, address: string, now: number, rules: LoginAttemptRules): Promise<AttemptDecision>;
  /** The attempt was a correct password: the pair starts afresh and the address gets its attempt back. */
  succeeded(account: string, address: string, now: number): Promise<void>;
}

interface PairState {
  failures: number;
  /** Until when the pair must wait (0: no wait). */
  blockedUntil: number;
  lastFailureAt: number;
}

interface AddressState {
  failures: number;
  windowEndsAt: number;
}

/** The wait after a pair's `failures`-th failure: none before the threshold, then doubling up to the cap. */
export function backoffMs(failures: number, rules: LoginAttemptRules): number {
  if (failures < rules.failuresBeforeBackoff) return 0;
  return Math.min(rules.backoffMaxMs, rules.backoffBaseMs * 2 ** (failures - rules.failuresBeforeBackoff));
}

/** When a pair's failures are forgotten: a window after its last failure or the end of its wait. */
const pairForgottenAt = (pair: PairState, rules: LoginAttemptRules) => Math.max(pair.lastFailureAt, pair.blockedUntil) + rules.windowMs;

/**
 * One process's counters (a single replica, or the fallback while Redis is down). Entries past
 * their time are swept as attempts come in, so memory follows the active clients.
 */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  private readonly pairs = new Map<string, PairState & { forgetAt: number }>();
  private readonly addresses = new Map<string, AddressState>();
  private nextSweep = 0;

  async attempt(account: string, address: string, now: number, rules: LoginAttemptRules): Promise<AttemptDecision> {
    this.sweep(now);
    const pairKey = `${account}\n${address}`;
    let pair = this.pairs.get(pairKey);
    if (!pair || pair.forgetAt <= now) pair = { failures: 0, blockedUntil: 0, lastFailureAt: 0, forgetAt: 0 };
    if (pair.blockedUntil > now) return { allowed: false, limit: 'pair', retryAfterMs: pair.blockedUntil - now };
    let counted = this.addresses.get(address);
    if (!counted || counted.windowEndsAt <= now) counted = { failures: 0, windowEndsAt: now + rules.windowMs };
    if (counted.failures >= rules.perAddress) return { allowed: false, limit: 'address', retryAfterMs: counted.windowEndsAt - now };
    counted.failures += 1;
    this.addresses.set(address, counted);
    pair.failures += 1;
    pair.lastFailureAt = now;
    const wait = backoffMs(pair.failures, rules);
    pair.blockedUntil = wait > 0 ? now + wait : 0;
    pair.forgetAt = pairForgottenAt(pair, rules);
    this.pairs.set(pairKey, pair);
    return { allowed: true };
  }

  async succeeded(account: string, address: string, now: number): Promise<void> {
    this.pairs.delete(`${account}\n${address}`);
    const counted = this.addresses.get(address);
    if (counted && counted.windowEndsAt > now && counted.failures > 0) counted.failures -= 1;
  }

  /** Pairs and addresses held now (for tests). */
  get size(): number {
    return this.pairs.size + this.addresses.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 10_000;
    for (const [key, pair] of this.pairs) if (pair.forgetAt <= now) this.pairs.delete(key);
    for (const [key, counted] of this.addresses) if (counted.windowEndsAt <= now) this.addresses.delete(key);
  }
}

/**
 * The memory store's `attempt`, in one round trip. Times are the caller's clock (passed in), so
 * replicas and tests agree on them; the keys' Redis expiry only collects what is forgotten anyway.
 */
const ATTEMPT_SCRIPT = `
local now = tonumber(ARGV[1])
local threshold, base, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local perAddress, window = tonumber(ARGV[5]), tonumber(ARGV[6])
local pair = redis.call('HMGET', KEYS[1], 'f', 'b', 't')
local f, b, t = tonumber(pair[1]) or 0, tonumber(pair[2]) or 0, tonumber(pair[3]) or 0
if math.max(t, b) + window <= now then f, b = 0, 0 end
if b > now then return {0, 'pair', b - now} end
local addr = redis.call('HMGET', KEYS[2], 'c', 'e')
local c, e = tonumber(addr[1]) or 0, tonumber(addr[2]) or 0
if e <= now then c, e = 0, now + window end
if c >= perAddress then return {0, 'address', e - now} end
f = f + 1
b = 0
if f >= threshold then b = now + math.floor(math.min(cap, base * 2 ^ (f - threshold))) end
redis.call('HSET', KEYS[1], 'f', f, 'b', b, 't', now)
redis.call('PEXPIRE', KEYS[1], math.max(now, b) + window - now)
redis.call('HSET', KEYS[2], 'c', c + 1, 'e', e)
redis.call('PEXPIRE', KEYS[2], e - now)
return {1, '', 0}`;

/** The memory store's `succeeded`, in one round trip. */
const SUCCEEDED_SCRIPT = `
redis.call('DEL', KEYS[1])
local e = tonumber(redis.call('HGET', KEYS[2], 'e') or '0')
local c = tonumber(redis.call('HGET', KEYS[2], 'c') or '0')
if e > tonumber(ARGV[1]) and c > 0 then redis.call('HINCRBY', KEYS[2], 'c', -1) end
return 1`;

/**
 * The counters in Redis, shared by every replica, so a guesser gains nothing by spreading over
 * them. When Redis fails, the attempt is counted in this replica's memory instead (as kit's
 * `RedisRateLimitStore` does): limits loosen to per-replica for a while rather than vanish, and
 * log-in keeps working.
 */
export class RedisLoginAttemptStore implements LoginAttemptStore {
  private readonly fallback = new MemoryLoginAttemptStore();

  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly prefix = 'storefront:users:login:',
  ) {}

  async attempt(account: string, address: string, now: number, rules: LoginAttemptRules): Promise<AttemptDecision> {
    try {
      const [allowed, limit, retryAfterMs] = (await this.redis.eval(
        ATTEMPT_SCRIPT,
        2,
        ...this.keys(account, address),
        now,
        rules.failuresBeforeBackoff,
        rules.backoffBaseMs,
        rules.backoffMaxMs,
        rules.perAddress,
        rules.windowMs,
      )) as [number, string, number];
      return allowed === 1 ? { allowed: true } : { allowed: false, limit: limit as 'pair' | 'address', retryAfterMs };
    } catch (error) {
      // connectRedis already warns an operator (once per 30 s); per attempt would flood the log.
      this.log.debug({ err: (error as Error).message }, 'log-in attempt counted in memory: redis failed');
      return this.fallback.attempt(account, address, now, rules);
    }
  }

  async succeeded(account: string, address: string, now: number): Promise<void> {
    await this.redis.eval(SUCCEEDED_SCRIPT, 2, ...this.keys(account, address), now).catch(() => undefined);
    await this.fallback.succeeded(account, address, now);
  }

  /**
   * The pair's and the address's keys. The email is hashed (no personal data in Redis, and a
   * fixed length); the address is a hash tag, so both keys of a script live in one cluster slot.
   */
  private keys(account: string, address: string): [string, string] {
    const email = createHash('sha256').update(account).digest('base64url');
    return [`${this.prefix}{${address}}:pair:${email}`, `${this.prefix}{${address}}:address`];
  }
}
