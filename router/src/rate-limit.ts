import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, RateLimiter, throttleKeyOfAddress, type RateLimitDecision, type TokenCache } from '@storefront/kit';
import { clientAddress } from './client-address';
import { callerOf } from './context';

export interface ClientRateLimitOptions {
  /** Per client: a signed-in caller by user id, anyone else by address. */
  limiter: RateLimiter;
  /** Per address, whatever tokens its requests carry, so new accounts do not buy more requests. */
  addressLimiter?: RateLimiter;
  publicKey: KeyObject;
  /** Verified tokens; the same as the context's. @default the kit's shared cache for `publicKey` */
  tokens?: TokenCache | null;
  trustedProxyHops: number;
}

/**
 * The rate limit at the edge, before anything is parsed. A signed-in client is counted by its user
 * id (so users behind one office address are not throttled together), anyone else by address; and
 * every request also counts against its address, with a higher ceiling, so signing up accounts
 * does not multiply what one client may send. An invalid token counts as anonymous and is
 * refused later with 401.
 */
export function clientRateLimit(options: ClientRateLimitOptions) {
  const { limiter, addressLimiter } = options;
  return async (req: IncomingMessage): Promise<void> => {
    if (!limiter.enabled && !addressLimiter?.enabled) return;
    // An IPv6 client holds a whole /64: one budget for it, not 2^64.
    const address = throttleKeyOfAddress(clientAddress(req, options.trustedProxyHops));
    const caller = await callerOf(req, options.publicKey, options.tokens).catch(() => null);
    const decisions = await Promise.all([
      limiter.consume(caller ? `user:${caller.userId}` : `ip:${address}`),
      ...(addressLimiter?.enabled ? [addressLimiter.consume(address)] : []),
    ]);
    const refused = decisions.map((decision, i) => ({ decision, limiter: i === 0 ? limiter : addressLimiter! })).filter(({ decision }) => !decision.allowed);
    if (refused.length === 0) return;
    const longest = refused.reduce((a, b) => (b.decision.retryAfterMs > a.decision.retryAfterMs ? b : a));
    throw tooMany(longest.decision, longest.limiter, longest.limiter === addressLimiter ? ' from this address' : '');
  };
}

function tooMany(decision: RateLimitDecision, limiter: RateLimiter, scope: string): HttpError {
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return new HttpError(429, `Too many requests${scope}: at most ${decision.limit} per ${limiter.options.windowMs / 1000} s; retry in ${retryAfter} s`, 'RATE_LIMITED', {
    'retry-after': String(retryAfter),
  });
}
