import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, RateLimiter } from '@storefront/kit';
import { clientAddress } from './client-address';
import { callerOf } from './context';

export interface ClientRateLimitOptions {
  limiter: RateLimiter;
  publicKey: KeyObject;
  trustedProxyHops: number;
}

/**
 * The per-client rate limit at the edge, before anything is parsed: a signed-in client is counted
 * by its user id (so a shared office address does not throttle its users together), anyone else by
 * address. An invalid token counts against the address and is refused later with 401.
 */
export function clientRateLimit(options: ClientRateLimitOptions) {
  return async (req: IncomingMessage): Promise<void> => {
    if (!options.limiter.enabled) return;
    const caller = await callerOf(req, options.publicKey).catch(() => null);
    const key = caller ? `user:${caller.userId}` : `ip:${clientAddress(req, options.trustedProxyHops)}`;
    const decision = await options.limiter.consume(key);
    if (decision.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HttpError(429, `Too many requests: at most ${decision.limit} per ${options.limiter.options.windowMs / 1000} s; retry in ${retryAfter} s`, 'RATE_LIMITED', {
      'retry-after': String(retryAfter),
    });
  };
}
