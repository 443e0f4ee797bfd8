import { MemoryRateLimitStore, RateLimitedError, RateLimiter, type RateLimitStore } from '@storefront/kit';
import { normalizeEmail } from './user.service';

export interface LoginThrottleOptions {
  /** Failed log-ins allowed per email address and window. @default 5 */
  perAccount: number;
  /** Failed log-ins allowed per client address and window, whatever the emails. @default 50 */
  perAddress: number;
  /** @default 15 minutes */
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { perAccount: 5, perAddress: 50, windowMs: 15 * 60_000 };

/**
 * Slows password guessing: against one account (from anywhere) and from one client address
 * (against any accounts). Every attempt is counted before its password is checked, so a burst of
 * parallel guesses cannot slip through while the first ones are still hashing; a successful
 * log-in takes its attempt back. Keyed on the email as typed (normalized), whether or not an
 * account has it, so the limit answers the same for unknown emails and reveals nothing.
 */
export class LoginThrottle {
  private readonly account: RateLimiter;
  private readonly address: RateLimiter;

  constructor(options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE, store: RateLimitStore = new MemoryRateLimitStore()) {
    this.account = new RateLimiter(store, { limit: options.perAccount, windowMs: options.windowMs, prefix: 'login-account' });
    this.address = new RateLimiter(store, { limit: options.perAddress, windowMs: options.windowMs, prefix: 'login-address' });
  }

  /** Counts an attempt; RATE_LIMITED when the account or the address has had too many. */
  async attempt(email: string, clientAddress: string): Promise<void> {
    const [account, address] = await Promise.all([this.account.consume(normalizeEmail(email)), this.address.consume(clientAddress)]);
    const refused = [account, address].filter((d) => !d.allowed);
    if (refused.length === 0) return;
    const retryAfter = Math.max(1, Math.ceil(Math.max(...refused.map((d) => d.retryAfterMs)) / 1000));
    throw new RateLimitedError(`Too many log-in attempts: try again in ${retryAfter} s`, retryAfter);
  }

  /** A correct password: the account starts afresh and the address gets its attempt back. */
  async succeeded(email: string, clientAddress: string): Promise<void> {
    await Promise.all([this.account.reset(normalizeEmail(email)), this.address.refund(clientAddress)]);
  }
}
