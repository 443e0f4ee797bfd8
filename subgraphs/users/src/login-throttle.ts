import { RateLimitedError, throttleKeyOfAddress } from '@storefront/kit';
import { MemoryLoginAttemptStore, type LoginAttemptRules, type LoginAttemptStore } from './login-attempts.store';
import { normalizeEmail } from './user.service';

export type LoginThrottleOptions = LoginAttemptRules;

/** The defaults of the users env (`LOGIN_*`). */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  failuresBeforeBackoff: 5,
  backoffBaseMs: 10_000,
  backoffMaxMs: 15 * 60_000,
  perAddress: 50,
  windowMs: 15 * 60_000,
};

/**
 * Slows password guessing without handing anyone a way to lock an account. Failures are counted
 * per (account, client address) pair: after a few, that pair waits before each next attempt, the
 * wait doubling with every failure (up to a cap), so a guesser elsewhere slows only themself and
 * the owner, from their own address, logs in as usual. One address is also capped in failures
 * across all accounts, so it cannot spray one password over many of them.
 *
 * Every attempt is counted as a failure before its password is checked, so a burst of parallel
 * guesses cannot slip through while the first ones are still hashing; a correct password clears
 * its pair and gives the address its attempt back. Keyed on the email as typed (normalized),
 * whether or not an account has it, so the answers are the same for unknown emails.
 */
export class LoginThrottle {
  readonly options: LoginThrottleOptions;

  constructor(
    options: Partial<LoginThrottleOptions> = {},
    private readonly store: LoginAttemptStore = new MemoryLoginAttemptStore(),
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  }

  /** Counts an attempt; RATE_LIMITED (with the wait) when its pair must wait or its address is past its ceiling. */
  async attempt(email: string, clientAddress: string): Promise<void> {
    const decision = await this.store.attempt(normalizeEmail(email), throttleKeyOfAddress(clientAddress), this.now(), this.options);
    if (decision.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new RateLimitedError(
      decision.limit === 'pair'
        ? `Too many failed log-ins for this email from your address: try again in ${retryAfter} s`
        : `Too many failed log-ins from your address: try again in ${retryAfter} s`,
      retryAfter,
    );
  }

  /** A correct password: the pair starts afresh and the address gets its attempt back. */
  async succeeded(email: string, clientAddress: string): Promise<void> {
    await this.store.succeeded(normalizeEmail(email), throttleKeyOfAddress(clientAddress), this.now());
  }
}
