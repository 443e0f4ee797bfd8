import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { callerFromHeader, DomainError, type Caller, type Logger, type RequestInfo, type TokenCache, type TraceContext } from '@storefront/kit';
import { clientAddress } from './client-address';
import { ResponseBudget } from './response-budget';

/** Per-request state of the router. */
export interface RouterContext {
  requestId: string;
  log: Logger;
  caller: Caller | null;
  /** The verified Authorization header, forwarded to subgraphs. */
  authorization?: string;
  /** The end client's address, forwarded to subgraphs under the router's signature. */
  clientAddress: string;
  /** This request's W3C trace context; each subgraph fetch carries a child of it. */
  trace?: TraceContext;
  /** What this request may still read from the subgraphs (MAX_RESPONSE_BYTES). */
  responseBudget?: ResponseBudget;
  /** A plan warm-up's execution (plan-warmup.ts): the fetch stage answers it without sending anything. */
  planWarmup?: true;
}

const callers = new WeakMap<IncomingMessage, Promise<Caller | null>>();

/**
 * The caller of a request from its token, resolved once per request (the rate limiter and the
 * context both ask). Rejects with a DomainError when a token is present but invalid. The token's
 * signature is checked once per token, not per request: verified tokens are kept in `tokens`
 * (kit's TokenCache: whole token as the key, never past its exp, bounded; failures never kept),
 * by default the process's shared cache for this key.
 */
export function callerOf(req: IncomingMessage, publicKey: KeyObject, tokens?: TokenCache | null): Promise<Caller | null> {
  let caller = callers.get(req);
  if (!caller) {
    caller = callerFromHeader(publicKey, req.headers.authorization, tokens);
    // Whoever asks first may not await it: keep an unawaited rejection from crashing the process.
    caller.catch(() => undefined);
    callers.set(req, caller);
  }
  return caller;
}

/**
 * The identity stage's edge hook: resolves the request's caller from its token (once per token,
 * see `callerOf`) so the stages after it read who is asking. An invalid token is not refused
 * here: the limits stage counts it as anonymous, and the context (`contextBuilder`) refuses it.
 */
export function identify(publicKey: KeyObject, tokens?: TokenCache | null) {
  return async (_request: unknown, req: IncomingMessage): Promise<void> => {
    await callerOf(req, publicKey, tokens).catch(() => undefined);
  };
}

/** The caller the identity stage resolved for this request; throws when that stage has not run yet. */
export function identifiedCaller(req: IncomingMessage): Promise<Caller | null> {
  const caller = callers.get(req);
  if (!caller) throw new Error('The identity stage has not run before the stage asking for the caller (see stages.ts)');
  return caller;
}

/**
 * Builds the context at the edge: a present but invalid token is refused outright with 401, rather
 * than silently treated as anonymous. Identity comes only from the verified token; no header a
 * client sends (x-user-id, x-storefront-client, …) is read.
 */
export function contextBuilder(publicKey: KeyObject, trustedProxyHops = 0, maxResponseBytes = 0, tokens?: TokenCache | null) {
  return async (req: IncomingMessage, info: RequestInfo): Promise<RouterContext> => {
    const authorization = req.headers.authorization;
    try {
      const caller = await callerOf(req, publicKey, tokens);
      return {
        requestId: info.requestId,
        log: info.log,
        caller,
        authorization: caller ? authorization : undefined,
        clientAddress: clientAddress(req, trustedProxyHops),
        trace: info.trace,
        responseBudget: new ResponseBudget(maxResponseBytes),
      };
    } catch (error) {
      if (error instanceof DomainError) {
        throw new GraphQLError(error.message, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      throw error;
    }
  };
}
