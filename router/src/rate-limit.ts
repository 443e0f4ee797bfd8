import type { IncomingMessage } from 'node:http';
import { HttpError, RateLimiter, throttleKeyOfAddress, type RateLimitDecision } from '@storefront/kit';
import { clientAddress } from './client-address';
import { identifiedCaller } from './context';

/** An IPv6 client holds a whole /64: one budget for it, not 2^64. */
const addressKey = (req: IncomingMessage, trustedProxyHops: number) => throttleKeyOfAddress(clientAddress(req, trustedProxyHops));

/**
 * The limit per address, in the edge stage, before any token is verified: every request counts
 * against its address whatever token it carries, with a higher ceiling than the limit per client,
 * so signing up accounts does not multiply what one client may send, and a flood of forged tokens
 * is refused before their signatures are checked.
 */
export function addressRateLimit(limiter: RateLimiter, trustedProxyHops: number) {
  return async (req: IncomingMessage): Promise<void> => {
    if (!limiter.enabled) return;
    const decision = await limiter.consume(addressKey(req, trustedProxyHops));
    if (!decision.allowed) throw tooMany(decision, limiter, ' from this address');
  };
}

/**
 * The limit per client, in the limits stage, after identity: a signed-in client is counted by its
 * user id (so users behind one office address are not throttled together), anyone else by
 * address. An invalid token counts as anonymous here; the identity stage's context refuses it
 * with 401.
 */
export function clientRateLimit(limiter: RateLimiter, trustedProxyHops: number) {
  return async (req: IncomingMessage): Promise<void> => {
    if (!limiter.enabled) return;
    const caller = await identifiedCaller(req).catch(() => null);
    const decision = await limiter.consume(caller ? `user:${caller.userId}` : `ip:${addressKey(req, trustedProxyHops)}`);
    if (!decision.allowed) throw tooMany(decision, limiter, '');
  };
}

function tooMany(decision: RateLimitDecision, limiter: RateLimiter, scope: string): HttpError {
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return new HttpError(429, `Too many requests${scope}: at most ${decision.limit} per ${limiter.options.windowMs / 1000} s; retry in ${retryAfter} s`, 'RATE_LIMITED', {
    'retry-after': String(retryAfter),
  });
}
