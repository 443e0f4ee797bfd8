import { DEFAULT_SCRYPT_PARAMS, hashPassword, UNMATCHABLE_HASH, verifyPassword, type ScryptParams } from '../password';

// Cheap parameters keep most tests fast; the default ones are exercised where they matter.
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with the default parameters, a 16-byte salt and no trace of the password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [scheme, N, r, p, salt, hash, ...rest] = stored.split('$');
    expect(scheme).toBe('scrypt');
    expect([Number(N), Number(r), Number(p)]).toEqual([DEFAULT_SCRYPT_PARAMS.N, DEFAULT_SCRYPT_PARAMS.r, DEFAULT_SCRYPT_PARAMS.p]);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(rest).toEqual([]);
    expect(stored).not.toContain('horse');
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
  });

  it('salts every hash, so equal passwords give different hashes that both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same-password', FAST), hashPassword('same-password', FAST)]);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same-password', a)).resolves.toBe(true);
    await expect(verifyPassword('same-password', b)).resolves.toBe(true);
  });

  it('refuses a wrong password, including one differing only by case or a trailing space', async () => {
    const stored = await hashPassword('Secret-password', FAST);
    for (const wrong of ['secret-password', 'Secret-password ', 'Secret-passwor', '']) {
      await expect(verifyPassword(wrong, stored)).resolves.toBe(false);
    }
  });

  it('verifies with the parameters stored in the hash, so older hashes keep working after a cost change', async () => {
    const stored = await hashPassword('pw-with-old-cost', { N: 2 ** 11, r: 4, p: 2 });
    expect(stored.startsWith('scrypt$2048$4$2$')).toBe(true);
    await expect(verifyPassword('pw-with-old-cost', stored)).resolves.toBe(true);
  });

  it('treats unicode in canonically equivalent forms as the same password', async () => {
    const stored = await hashPassword('caf\u00e9-password', FAST);
    await expect(verifyPassword('cafe\u0301-password', stored)).resolves.toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$2b$10$abcdefghijklmnopqrstuv'],
    ['missing parts', 'scrypt$1024$8$1$c2FsdA'],
    ['N not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
    ['N too large to run', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA`],
    ['p out of bounds', 'scrypt$1024$8$999$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
    ['salt too short', 'scrypt$1024$8$1$c2Fs$aGFzaGhhc2hoYXNoaGFzaA'],
  ])('answers false, without throwing, for a malformed stored hash (%s)', async (_label, stored) => {
    await expect(verifyPassword('whatever-password', stored)).resolves.toBe(false);
  });

  it('has an unmatchable hash with the default cost, so an unknown email costs what a wrong password costs', async () => {
    const [, N, r, p] = UNMATCHABLE_HASH.split('$');
    expect({ N: Number(N), r: Number(r), p: Number(p) }).toEqual(DEFAULT_SCRYPT_PARAMS);
    await expect(verifyPassword('admin-password', UNMATCHABLE_HASH)).resolves.toBe(false);
    await expect(verifyPassword('', UNMATCHABLE_HASH)).resolves.toBe(false);
  });

  it('spends real scrypt work on the unmatchable hash (not a shortcut)', async () => {
    const stored = await hashPassword('timing-password');
    const time = async (run: () => Promise<unknown>) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = process.hrtime.bigint();
        await run();
        best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
      }
      return best;
    };
    const wrong = await time(() => verifyPassword('not-the-password', stored));
    const unknown = await time(() => verifyPassword('not-the-password', UNMATCHABLE_HASH));
    // The same work within noise; a shortcut would be orders of magnitude faster.
    expect(unknown).toBeGreaterThan(wrong * 0.5);
  });
});
