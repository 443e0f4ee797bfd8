import { MemoryRateLimitStore, RateLimitedError, RateLimiter, throttleKeyOfAddress, type RateLimitStore } from '@storefront/kit';

export interface SignUpThrottleOptions {
  /** Sign-ups allowed per client address and window, whatever their outcome. */
  perAddress: number;
  windowMs: number;
}

/** The defaults of the users env (`SIGNUP_*`). */
export const DEFAULT_SIGNUP_THROTTLE: SignUpThrottleOptions = { perAddress: 10, windowMs: 60 * 60_000 };

/**
 * Caps sign-ups per client address. Every valid sign-up counts, created or CONFLICT alike, and is
 * counted before the email is looked up or a password hashed: the cap bounds both the hashing one
 * client can cause and how many emails it can probe through CONFLICT, and a refusal reads the
 * same whether or not the email has an account.
 */
export class SignUpThrottle {
  private readonly limiter: RateLimiter;

  constructor(options: Partial<SignUpThrottleOptions> = {}, store: RateLimitStore = new MemoryRateLimitStore()) {
    const { perAddress, windowMs } = { ...DEFAULT_SIGNUP_THROTTLE, ...options };
    this.limiter = new RateLimiter(store, { limit: perAddress, windowMs, prefix: 'users-signup-address' });
  }

  async attempt(clientAddress: string): Promise<void> {
    const decision = await this.limiter.consume(throttleKeyOfAddress(clientAddress));
    if (decision.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new RateLimitedError(`Too many sign-ups from your address: try again in ${retryAfter} s`, retryAfter);
  }
}
