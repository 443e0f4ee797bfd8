import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { callerFromHeader, DomainError, type Caller, type Logger, type RequestInfo } from '@storefront/kit';

/** Per-request state of the router. */
export interface RouterContext {
  requestId: string;
  log: Logger;
  caller: Caller | null;
  /** The verified Authorization header, forwarded to subgraphs. */
  authorization?: string;
}

/**
 * Builds the context at the edge: a present but invalid token is refused outright with 401, rather
 * than silently treated as anonymous.
 */
export function contextBuilder(publicKey: KeyObject) {
  return async (req: IncomingMessage, info: RequestInfo): Promise<RouterContext> => {
    const authorization = req.headers.authorization;
    try {
      const caller = await callerFromHeader(publicKey, authorization);
      return { requestId: info.requestId, log: info.log, caller, authorization: caller ? authorization : undefined };
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
