import type { PersistedQueryOptions } from '@apollo/server';
import { Redis } from 'ioredis';
import type { Logger } from '@storefront/kit';

/**
 * The router's Redis connection, for state its replicas share. It fails fast instead of queueing
 * while Redis is unreachable (callers fall back to memory), and reconnects in the background.
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    // Reconnection errors repeat every few hundred ms; once every 30 s is enough for an operator.
    if (Date.now() - lastLogged < 30_000) return;
    lastLogged = Date.now();
    log.warn({ err: error.message }, 'redis unavailable: rate limits fall back to per-replica memory');
  });
  try {
    await redis.connect();
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'redis not reachable at start-up; retrying in the background');
  }
  return redis;
}

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
