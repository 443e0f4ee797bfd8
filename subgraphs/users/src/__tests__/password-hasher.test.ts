import { RateLimitedError } from '@storefront/kit';
import { PasswordHasher } from '../password-hasher';
import { hashPassword } from '../password';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('PasswordHasher', () => {
  it('runs at most signUpConcurrency sign-up hashes at once and refuses past the queue before hashing', async () => {
    const hasher = new PasswordHasher({ signUpConcurrency: 2, signUpQueue: 3, logInConcurrency: 1 }, FAST);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => hasher.forSignUp((hash) => hash(`password-${i}`))),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toHaveLength(5);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
    expect(hasher.stats).toEqual({ hashes: 5, inFlight: 0, peakInFlight: 2 });
  });

  it('queues log-in checks without refusing any, at most logInConcurrency at once', async () => {
    const hasher = new PasswordHasher({ signUpConcurrency: 1, signUpQueue: 0, logInConcurrency: 2 }, FAST);
    const stored = await hashPassword('right-password', FAST);
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => hasher.verifyForLogIn(i === 3 ? 'right-password' : 'wrong', stored)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(hasher.stats).toEqual({ hashes: 7, inFlight: 0, peakInFlight: 2 });
  });

  it('gives the sign-up place back when the work fails, so later sign-ups are not refused', async () => {
    const hasher = new PasswordHasher({ signUpConcurrency: 1, signUpQueue: 0, logInConcurrency: 1 }, FAST);
    await expect(hasher.forSignUp(async () => Promise.reject(new Error('email taken')))).rejects.toThrow('email taken');
    await expect(hasher.forSignUp((hash) => hash('password-x'))).resolves.toMatch(/^scrypt\$/);
    expect(hasher.stats.hashes).toBe(1);
  });
});
