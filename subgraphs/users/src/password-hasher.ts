import { RateLimitedError } from '@storefront/kit';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, type ScryptParams } from './password';

export interface PasswordHashingOptions {
  /** Sign-up hashes running at once in this process. @default 1 */
  signUpConcurrency: number;
  /** Sign-ups waiting for a hash; one more is refused with RATE_LIMITED at once. @default 8 */
  signUpQueue: number;
  /** Log-in password checks running at once in this process (the rest wait their turn). @default 2 */
  logInConcurrency: number;
}

/** The defaults of the users env (`SIGNUP_MAX_CONCURRENT_HASHES`, `SIGNUP_MAX_QUEUED_HASHES`, `LOGIN_MAX_CONCURRENT_HASHES`). */
export const DEFAULT_PASSWORD_HASHING: PasswordHashingOptions = { signUpConcurrency: 1, signUpQueue: 8, logInConcurrency: 2 };

/** At most `concurrency` holders at a time, first come first served; past `maxQueued` waiters, no more. */
class Lane {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued = Infinity,
  ) {}

  /** A release function once a place is free, or null at once when the queue is full. */
  acquire(): Promise<() => void> | null {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueued) return null;
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The place passes straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }
}

/**
 * Every password hash of the request path goes through here, so the CPU that sign-ups and
 * log-ins burn is bounded for the process as a whole, whatever the number of clients: scrypt runs
 * on libuv's small thread pool (4 threads by default), and without a bound a flood of sign-ups
 * fills it and queues every log-in behind it. Sign-up and log-in get separate lanes, so a flood of
 * one cannot starve the other; sign-ups also have a short queue, past which they are refused at
 * once (RATE_LIMITED) instead of piling up.
 */
export class PasswordHasher {
  /** What the hashes cost so far: runs started, running now, and the most that ever ran at once. */
  readonly stats = { hashes: 0, inFlight: 0, peakInFlight: 0 };
  private readonly signUpLane: Lane;
  private readonly logInLane: Lane;

  constructor(
    options: Partial<PasswordHashingOptions> = {},
    private readonly params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
  ) {
    const { signUpConcurrency, signUpQueue, logInConcurrency } = { ...DEFAULT_PASSWORD_HASHING, ...options };
    this.signUpLane = new Lane(signUpConcurrency, signUpQueue);
    this.logInLane = new Lane(logInConcurrency);
  }

  /**
   * Runs `work` holding a sign-up place; `work` may hash once with the `hash` it is given. The
   * place is taken before `work` looks anything up, so a refusal for a busy service comes before
   * the email is checked and says nothing about it.
   */
  async forSignUp<T>(work: (hash: (password: string) => Promise<string>) => Promise<T>): Promise<T> {
    const place = this.signUpLane.acquire();
    if (!place) throw new RateLimitedError('Too many sign-ups in progress: try again in 1 s', 1);
    const release = await place;
    try {
      return await work((password) => this.run(() => hashPassword(password, this.params)));
    } finally {
      release();
    }
  }

  /** True when the password matches the stored hash; waits for a log-in place first. */
  async verifyForLogIn(password: string, stored: string): Promise<boolean> {
    const release = await this.logInLane.acquire()!;
    try {
      return await this.run(() => verifyPassword(password, stored));
    } finally {
      release();
    }
  }

  private async run<T>(hash: () => Promise<T>): Promise<T> {
    this.stats.hashes += 1;
    this.stats.inFlight += 1;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
    try {
      return await hash();
    } finally {
      this.stats.inFlight -= 1;
    }
  }
}
