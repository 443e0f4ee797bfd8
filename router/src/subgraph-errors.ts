import { GraphQLError } from 'graphql';
import type { FetchErrorKind } from './metrics';

/**
 * A subgraph did not answer: refused, reset, timed out, or its breaker is open. A GraphQLError,
 * because the gateway passes errors of a failed fetch to the client as they are (adding
 * `serviceName` and DOWNSTREAM_SERVICE_ERROR).
 */
export class SubgraphUnavailableError extends GraphQLError {
  constructor(
    serviceName: string,
    problem: string,
    cause: unknown,
    readonly kind: Extract<FetchErrorKind, 'connection' | 'timeout' | 'circuit_open'> = 'connection',
  ) {
    super(`The ${serviceName} service ${problem}`, {
      originalError: cause instanceof Error ? cause : undefined,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName },
    });
    this.name = 'SubgraphUnavailableError';
  }
}

/** Statuses that mean "not there right now" (a proxy or balancer speaking), not "your request is wrong". */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/** The HTTP status of a failed fetch, from the error the gateway makes of a non-2xx response. */
function httpStatus(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const status = (error.extensions.response as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** What kind of failure a fetch attempt ended with. */
export function failureKind(error: unknown): FetchErrorKind {
  if (error instanceof SubgraphUnavailableError) return error.kind;
  const status = httpStatus(error);
  if (status !== undefined) return status >= 500 ? 'http_5xx' : 'http_4xx';
  // A timeout that struck while the body was read surfaces from the body parser, not the fetcher.
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  return 'other';
}

/**
 * Failures that say the subgraph is down or overwhelmed, which a breaker counts. A 4xx, a 500
 * (an answer about this request) or GraphQL errors in a 200 are answers, not outages.
 */
export function isOutage(error: unknown): boolean {
  const kind = failureKind(error);
  if (kind === 'connection' || kind === 'timeout') return true;
  return UNAVAILABLE_STATUSES.has(httpStatus(error) ?? 0);
}

/**
 * Failures worth another attempt of a read (repeating a read is harmless): the connection was
 * refused or reset, or a proxy said the subgraph is unavailable. A timeout is not retried: the
 * time allowed for the fetch is spent.
 */
export function isRetryable(error: unknown): boolean {
  return failureKind(error) === 'connection' || UNAVAILABLE_STATUSES.has(httpStatus(error) ?? 0);
}
