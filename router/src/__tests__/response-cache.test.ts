import { createLogger } from '@storefront/kit';
import type { Redis } from 'ioredis';
import { filteredQueryHash } from '../authorization';
import { cacheKeys, DecodedEntries, decodeEntry, MemoryResponseStore, RedisResponseStore, stableJson, type OperationIdentity } from '../response-cache';

const identity: OperationIdentity = { schemaId: 'schema-1', queryHash: 'a'.repeat(64), operationName: 'Listing', variables: { first: 5, search: 'lamp' } };
const shopper = { userId: 'user-2', roles: [], scopes: [] };

describe('response cache keys', () => {
  it('are the same for the same operation, whatever the order of its variables', () => {
    expect(cacheKeys(identity, null)).toEqual(cacheKeys({ ...identity, variables: { search: 'lamp', first: 5 } }, null));
    expect(stableJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}');
  });

  it.each([
    ['the query text', { queryHash: 'b'.repeat(64) }],
    ['the operation name', { operationName: 'Other' }],
    ['a variable', { variables: { first: 6, search: 'lamp' } }],
    ['the schema', { schemaId: 'schema-2' }],
  ])('differ by %s', (_label, change) => {
    expect(cacheKeys({ ...identity, ...change }, null).shared).not.toBe(cacheKeys(identity, null).shared);
  });

  it('differ by authorization outcome: the guard’s hash of a filtered operation is another key', () => {
    const filtered = { ...identity, queryHash: filteredQueryHash(identity.queryHash, ['User.orders']) };
    expect(cacheKeys(filtered, null).shared).not.toBe(cacheKeys(identity, null).shared);
    expect(cacheKeys({ ...identity, queryHash: filteredQueryHash(identity.queryHash, ['User.email']) }, null).shared).not.toBe(
      cacheKeys(filtered, null).shared,
    );
  });

  it('share the public key between callers, and give each signed-in caller a personal one', () => {
    const anonymous = cacheKeys(identity, null);
    const a = cacheKeys(identity, shopper);
    const b = cacheKeys(identity, { ...shopper, userId: 'user-3' });
    expect(anonymous.personal).toBeUndefined();
    expect(a.shared).toBe(anonymous.shared);
    expect(b.shared).toBe(anonymous.shared);
    expect(a.personal).toEqual(expect.any(String));
    expect(new Set([a.personal, b.personal, a.shared]).size).toBe(3);
    // The same user with other rights (a new token after a promotion) starts afresh.
    expect(cacheKeys(identity, { ...shopper, roles: ['admin'] }).personal).not.toBe(a.personal);
    expect(cacheKeys(identity, { ...shopper, roles: ['b', 'a'] }).personal).toBe(cacheKeys(identity, { ...shopper, roles: ['a', 'b'] }).personal);
  });
});

describe('cache entries', () => {
  it('decode only what the cache wrote', () => {
    const entry = { storedAt: 1, maxAge: 30, scope: 'PUBLIC', data: { products: null } };
    expect(decodeEntry(JSON.stringify(entry))).toEqual(entry);
    expect(decodeEntry(undefined)).toBeUndefined();
    expect(decodeEntry('not json')).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...entry, scope: 'SHARED' }))).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...entry, data: null }))).toBeUndefined();
  });
});

describe('the in-memory store', () => {
  const value = (n: number) => 'x'.repeat(n);

  it('returns what it holds until its TTL runs out', async () => {
    let now = 0;
    const store = new MemoryResponseStore(1_000_000, () => now);
    await store.set('k', 'v', 10);
    now = 9_999;
    expect(await store.get('k')).toBe('v');
    now = 10_000;
    expect(await store.get('k')).toBeUndefined();
    expect(store.bytes).toBe(0);
  });

  it('stays within its byte budget, dropping the least recently used first', async () => {
    // Each entry: 2 bytes per character of key (1) and value (99) = 200 bytes; eight fit.
    const store = new MemoryResponseStore(1_600);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const key of keys) await store.set(key, value(99), 60);
    expect(store.bytes).toBe(1_600);
    await store.get('a');
    await store.set('i', value(99), 60);
    expect(store.bytes).toBe(1_600);
    expect(await store.get('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) expect(await store.get(key)).toBe(value(99));
  });

  it('replaces an entry without counting it twice, and refuses one larger than an eighth of the budget', async () => {
    const store = new MemoryResponseStore(8_000);
    await store.set('a', value(99), 60);
    await store.set('a', value(49), 60);
    expect(store.bytes).toBe(100);
    expect(store.size).toBe(1);
    await store.set('huge', value(1_000), 60);
    expect(await store.get('huge')).toBeUndefined();
    expect(await store.get('a')).toBe(value(49));
  });

  it('keeps nothing for a TTL of 0', async () => {
    const store = new MemoryResponseStore(8_000);
    await store.set('a', 'v', 0);
    expect(store.size).toBe(0);
  });
});

describe('the Redis store', () => {
  const log = createLogger('test', 'silent');
  const failing = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) } as unknown as Redis;
  const hanging = { get: () => new Promise(() => undefined), set: () => new Promise(() => undefined) } as unknown as Redis;

  it('turns a failing Redis into misses and skipped writes, and counts them', async () => {
    const errors: string[] = [];
    const store = new RedisResponseStore(failing, log, (operation) => errors.push(operation));
    await expect(store.get('k')).resolves.toBeUndefined();
    await expect(store.set('k', 'v', 10)).resolves.toBeUndefined();
    expect(errors).toEqual(['get', 'set']);
  });

  it('does not wait on a Redis that does not answer', async () => {
    const store = new RedisResponseStore(hanging, log, undefined, { timeoutMs: 20 });
    await expect(store.get('k')).resolves.toBeUndefined();
    await expect(store.set('k', 'v', 10)).resolves.toBeUndefined();
  });

  it('writes with the TTL, under its prefix', async () => {
    const calls: unknown[][] = [];
    const redis = { set: (...args: unknown[]) => (calls.push(args), Promise.resolve('OK')), get: () => Promise.resolve(null) } as unknown as Redis;
    const store = new RedisResponseStore(redis, log);
    await store.set('k', 'v', 30);
    expect(calls).toEqual([['storefront:rc:k', 'v', 'EX', 30]]);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('DecodedEntries', () => {
  const raw = (n: number) => JSON.stringify({ storedAt: 1, maxAge: 30, scope: 'PUBLIC', data: { n, pad: 'x'.repeat(100) } });

  it('parses an entry once and hands the same decoded entry to later hits', () => {
    const decoded = new DecodedEntries();
    const text = raw(1);
    const first = decoded.decode(text);
    expect(first?.data).toEqual({ n: 1, pad: 'x'.repeat(100) });
    expect(decoded.decode(`${text}`)).toBe(first);
    expect(decoded.decode(undefined)).toBeUndefined();
    expect(decoded.decode('not json')).toBeUndefined();
  });

  it('keeps at most its budget of text, dropping the least recently used', () => {
    const size = raw(1).length;
    const decoded = new DecodedEntries(size * 16);
    const kept = decoded.decode(raw(0));
    const dropped = decoded.decode(raw(1));
    for (let n = 2; n <= 40; n += 1) {
      decoded.decode(raw(n));
      decoded.decode(raw(0)); // used again and again: stays
    }
    expect(decoded.decode(raw(0))).toBe(kept);
    // Parsed anew: the first decoded copy was dropped.
    const again = decoded.decode(raw(1));
    expect(again).toEqual(dropped);
    expect(again).not.toBe(dropped);
  });
});
