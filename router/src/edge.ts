import type { IncomingMessage } from 'node:http';
import type { GraphQLHttpRequest } from '@storefront/kit';
import { tokenLimit } from './operation-limits';
import { operationText, persistedQueryCheck, safelist, type PersistedOperations } from './persisted-operations';

export interface EdgeChecks {
  /** The limit per address (rate-limit.ts `addressRateLimit`). */
  addressLimit: (req: IncomingMessage) => Promise<void>;
  /** Most lexical tokens an operation may have (0: no limit). */
  maxTokens: number;
  /** The safelist, in `PERSISTED_OPERATIONS=enforce` mode. */
  persisted?: PersistedOperations;
}

/**
 * The edge stage's checks, before Apollo Server parses anything and before any token is
 * verified, cheapest first: an address over its rate (429 RATE_LIMITED), an operation text over
 * the token limit (400), a persisted query of an unknown version or with a hash that is not its
 * text's (400 BAD_USER_INPUT), an operation outside the safelist (400 PERSISTED_QUERY_NOT_FOUND).
 * The kit's HTTP front has already applied the body limit, CORS and the request id.
 */
export function edgeChecks(checks: EdgeChecks) {
  const tokens = tokenLimit(checks.maxTokens);
  const allowed = checks.persisted ? safelist(checks.persisted) : undefined;
  return async (request: GraphQLHttpRequest, req: IncomingMessage): Promise<void> => {
    await checks.addressLimit(req);
    tokens(operationText(request));
    persistedQueryCheck(request);
    allowed?.(request);
  };
}
