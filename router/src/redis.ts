import type { PersistedQueryOptions } from '@apollo/server';
import type { Redis } from 'ioredis';

type ApqCache = NonNullable<PersistedQueryOptions['cache']>;

/** Automatic persisted queries in Redis, so an operation registered on one replica is known on all. */
export function redisApqCache(redis: Redis, ttlSeconds = 24 * 3600): ApqCache {
  const key = (k: string) => `storefront:${k}`;
  return {
    // A Redis hiccup is a cache miss: the client then sends the full query, which still works.
    get: async (k) => (await redis.get(key(k)).catch(() => null)) ?? undefined,
    set: async (k, value, options) => {
      await redis.set(key(k), value, 'EX', options?.ttl ?? ttlSeconds).catch(() => undefined);
    },
    delete: async (k) => {
      await redis.del(key(k)).catch(() => undefined);
    },
  };
}
