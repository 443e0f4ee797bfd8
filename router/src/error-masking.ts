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

/**
 * Apollo Server's own codes for a client's mistakes, as the contract names them: a request it
 * cannot read (BAD_REQUEST: e.g. a persisted query of an unknown version, or whose hash does not
 * match its text), an operation it cannot pick (OPERATION_RESOLUTION_FAILURE), a document that does
 * not parse, persisted queries where they are off.
 */
const CONTRACT_CODES: Record<string, string> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_FOUND',
};

const contractCode = (code: unknown): unknown => (typeof code === 'string' ? (CONTRACT_CODES[code] ?? code) : code);

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
  const code = transport ? 'DOWNSTREAM_SERVICE_ERROR' : contractCode(formatted.extensions?.code);
  const masked = maskError(code === formatted.extensions?.code ? formatted : { ...formatted, extensions: { ...formatted.extensions, code } });
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

/**
 * The gateway reports values a subgraph sent that do not fit the schema (a null in a non-null
 * field, a wrong type) in `extensions.valueCompletion` with code INVALID_GRAPHQL, outside the
 * contract, while the data holds the nulls they caused. They become errors at their paths, as
 * GraphQL reports a field error, with DOWNSTREAM_SERVICE_ERROR: a service behind the router sent it.
 */
export const valueCompletionErrors: ApolloServerPlugin<RouterContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        const { valueCompletion, ...extensions } = result.extensions ?? {};
        if (!Array.isArray(valueCompletion)) return;
        const errors = (valueCompletion as GraphQLFormattedError[]).map((error) => ({
          message: error.message,
          ...(error.path ? { path: error.path } : {}),
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' },
        }));
        contextValue.log.warn({ errors: valueCompletion }, 'a subgraph sent values that do not fit the schema');
        const { extensions: _old, ...rest } = result;
        response.body.singleResult = {
          ...rest,
          errors: [...(result.errors ?? []), ...errors],
          ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
        };
      },
    };
  },
};
