import type { ApolloServerPlugin } from '@apollo/server';
import { maskError } from '@storefront/kit';
import type { GraphQLFormattedError } from 'graphql';
import type { RouterContext } from './context';

/** Extensions a client may see; the rest (a subgraph's response, its URL, exceptions) stays in the log. */
const PUBLIC_EXTENSIONS = ['code', 'serviceName', 'retryAfterSeconds', 'field', 'productId', 'limit', 'max', 'actual'];

/** Codes that mean the client did something wrong: logged at debug, not as failures. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'BAD_REQUEST',
]);

/** What gives away where a service runs: a URL, an IP address, a host:port, a socket error. */
const REVEALING = /:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}\b|\[[0-9a-f:]+\]|\b[\w.-]+:\d{2,5}\b|\bE[A-Z]{4,}\b|localhost/i;

/**
 * Shapes every error the router returns: contract codes only (the kit's mask), no stack traces,
 * and only public extensions. A subgraph's HTTP failure (`extensions.response`, which holds its
 * URL) becomes DOWNSTREAM_SERVICE_ERROR; a downstream message that names a host, an address or a
 * socket error is replaced by a generic one. The originals stay in the log.
 */
export function formatRouterError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const transport = formatted.extensions?.response !== undefined;
  const masked = maskError(transport ? { ...formatted, extensions: { ...formatted.extensions, code: 'DOWNSTREAM_SERVICE_ERROR' } } : formatted);
  const extensions = Object.fromEntries(Object.entries(masked.extensions ?? {}).filter(([key]) => PUBLIC_EXTENSIONS.includes(key)));
  let message = masked.message;
  if (extensions.code === 'DOWNSTREAM_SERVICE_ERROR' && (transport || REVEALING.test(message))) {
    message = typeof extensions.serviceName === 'string' ? `The ${extensions.serviceName} service could not answer` : 'A service could not answer';
  }
  return { ...masked, message, extensions };
}

/** Logs each error with the request id (the context's logger carries it), in full, before it is masked. */
export const errorLogging: ApolloServerPlugin<RouterContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const code = error.extensions?.code;
          const entry = { err: error.originalError ?? error, code, path: error.path, serviceName: error.extensions?.serviceName };
          if (typeof code === 'string' && CLIENT_CODES.has(code)) contextValue.log.debug(entry, error.message);
          else contextValue.log.error(entry, `operation failed: ${error.message}`);
        }
      },
    };
  },
};
