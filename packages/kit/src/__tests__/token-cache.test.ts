import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MAX_TOKEN_LENGTH, signToken, verifyTokenClaims, type Caller, type VerifiedToken } from '../auth';
import { callerFromHeader, TokenCache, type TokenCacheOptions } from '../token-cache';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const shopper: Caller = { userId: 'u2', roles: [], scopes: [] };
const token = (caller: Caller = shopper, ttlSeconds = 600) => signToken(privateKey, caller, ttlSeconds);

/** A cache whose verifications are counted (the real verification underneath). */
function counted(options: TokenCacheOptions = {}, key: KeyObject = publicKey) {
  const verify = jest.fn((k: KeyObject, t: string): Promise<VerifiedToken> => verifyTokenClaims(k, t));
  return { cache: new TokenCache(key, { verify, ...options }), verify };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: Error) => error.message);

describe('TokenCache', () => {
  it('verifies a token once over 100 requests with it, one after another or all at once', async () => {
    const { cache, verify } = counted();
    const t = await token();
    for (let i = 0; i < 100; i++) expect(await cache.caller(t)).toEqual(shopper);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(cache.stats).toEqual({ verifications: 1, hits: 99 });

    const other = counted();
    const callers = await Promise.all(Array.from({ length: 100 }, () => other.cache.caller(t)));
    expect(callers.every((c) => c.userId === 'u2')).toBe(true);
    expect(other.verify).toHaveBeenCalledTimes(1);
  });

  it('never serves a cached token at or past its exp: it is verified again, and refused', async () => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1, 12, 0, 0, 500), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { cache, verify } = counted();
      const t = await token(shopper, 2);
      const { expiresAt } = await verifyTokenClaims(publicKey, t);
      expect(await cache.caller(t)).toEqual(shopper);
      jest.setSystemTime(expiresAt - 1);
      expect(await cache.caller(t)).toEqual(shopper);
      expect(verify).toHaveBeenCalledTimes(1);
      jest.setSystemTime(expiresAt);
      expect(await refusal(cache.caller(t))).toBe('Token expired');
      expect(await refusal(cache.caller(t))).toBe('Token expired');
      expect(verify).toHaveBeenCalledTimes(3);
      expect(cache.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('holds an entry no longer than its exp on the injected clock, whatever the verification says', async () => {
    let now = Date.now();
    const expiresAt = now + 5_000;
    const verify = jest.fn(async (): Promise<VerifiedToken> => ({ caller: shopper, expiresAt }));
    const cache = new TokenCache(publicKey, { now: () => now, verify });
    await cache.caller('t');
    now = expiresAt - 1;
    await cache.caller('t');
    expect(verify).toHaveBeenCalledTimes(1);
    now = expiresAt;
    await cache.caller('t');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('verifies again after the max TTL even when exp is far off', async () => {
    let now = Date.now();
    const { cache, verify } = counted({ maxTtlMs: 1_000, now: () => now });
    const t = await token(shopper, 3600);
    await cache.caller(t);
    now += 999;
    await cache.caller(t);
    expect(verify).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.caller(t);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never keeps an invalid token: each request with it is verified, and refused', async () => {
    const { cache, verify } = counted();
    const good = await token();
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const foreign = await signToken(generateKeyPairSync('ed25519').privateKey, shopper, 600);
    for (const bad of [forged, foreign, 'garbage', `${header}.${payload}.`]) {
      for (let i = 0; i < 5; i++) expect(await refusal(cache.caller(bad))).toBe('Invalid token');
    }
    expect(verify).toHaveBeenCalledTimes(20);
    expect(cache.size).toBe(0);
    // Refused while the good token is cached, too.
    await cache.caller(good);
    expect(await refusal(cache.caller(forged))).toBe('Invalid token');
    expect(cache.size).toBe(1);
  });

  it('refuses a token longer than MAX_TOKEN_LENGTH, even one we signed, and keeps it not', async () => {
    const { cache } = counted();
    const long = await token({ userId: 'u2', roles: Array.from({ length: 400 }, (_, i) => `role-${i}`), scopes: [] });
    expect(long.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(await refusal(cache.caller(long))).toBe('Invalid token');
    expect(cache.size).toBe(0);
    expect((await token()).length).toBeLessThan(MAX_TOKEN_LENGTH / 8);
  });

  it('holds at most maxEntries tokens, the least recently used forgotten first', async () => {
    const { cache, verify } = counted({ maxEntries: 3 });
    const tokens = await Promise.all([1, 2, 3, 4].map((n) => token({ userId: `u${n}`, roles: [], scopes: [] })));
    for (const t of tokens.slice(0, 3)) await cache.caller(t);
    await cache.caller(tokens[0]!); // now the most recently used
    await cache.caller(tokens[3]!); // the N+1st: u2's goes
    expect(cache.size).toBe(3);
    expect(verify).toHaveBeenCalledTimes(4);
    await cache.caller(tokens[0]!);
    expect(verify).toHaveBeenCalledTimes(4);
    await cache.caller(tokens[1]!);
    expect(verify).toHaveBeenCalledTimes(5);
    expect(cache.size).toBe(3);
  });

  it('keeps nothing with maxEntries 0', async () => {
    const { cache, verify } = counted({ maxEntries: 0 });
    const t = await token();
    for (let i = 0; i < 3; i++) await cache.caller(t);
    expect(verify).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(0);
  });

  it('never lets two different tokens share an entry, even of the same user', async () => {
    const { cache } = counted();
    const plain = await token(shopper);
    const admin = await token({ userId: 'u2', roles: ['admin'], scopes: [] });
    const other = await token({ userId: 'u3', roles: [], scopes: ['orders:read'] });
    expect(await cache.caller(plain)).toEqual(shopper);
    expect(await cache.caller(admin)).toEqual({ userId: 'u2', roles: ['admin'], scopes: [] });
    expect(await cache.caller(other)).toEqual({ userId: 'u3', roles: [], scopes: ['orders:read'] });
    expect(await cache.caller(plain)).toEqual(shopper);
    expect(cache.size).toBe(3);
    // A token one character longer than a cached one is its own (invalid) token.
    expect(await refusal(cache.caller(`${plain}A`))).toBe('Invalid token');
  });

  it('hands out a frozen caller, so one request cannot change the next one\'s', async () => {
    const { cache } = counted();
    const caller = await cache.caller(await token());
    expect(Object.isFrozen(caller) && Object.isFrozen(caller.roles) && Object.isFrozen(caller.scopes)).toBe(true);
  });
});

describe('callerFromHeader', () => {
  it('resolves through the given cache, anonymous without a header, and refuses a cache of another key', async () => {
    const { cache, verify } = counted();
    const t = await token();
    expect(await callerFromHeader(publicKey, undefined, cache)).toBeNull();
    for (let i = 0; i < 10; i++) expect(await callerFromHeader(publicKey, `Bearer ${t}`, cache)).toEqual(shopper);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(await callerFromHeader(publicKey, `Bearer ${t}`, null)).toEqual(shopper);
    const elsewhere = new TokenCache(generateKeyPairSync('ed25519').publicKey);
    await expect(callerFromHeader(publicKey, `Bearer ${t}`, elsewhere)).rejects.toThrow('another key');
  });

  it('uses one shared cache per key by default', async () => {
    const { publicKey: key, privateKey: signer } = generateKeyPairSync('ed25519');
    const t = await signToken(signer, shopper, 600);
    const first = await callerFromHeader(key, `Bearer ${t}`);
    expect(await callerFromHeader(key, `Bearer ${t}`)).toBe(first);
  });
});
