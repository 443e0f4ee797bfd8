import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { formatTraceparent, outgoingTraceContext, SIGNATURE_HEADERS, signRequest } from '@storefront/kit';
import type { RouterContext } from './context';
import type { RouterMetrics } from './metrics';
import { failureKind, SubgraphUnavailableError } from './subgraph-errors';
import type { SubgraphPolicy } from './subgraph-policy';

export { SubgraphUnavailableError } from './subgraph-errors';

export interface SubgraphClientOptions {
  name: string;
  url: string;
  timeoutMs: number;
  /** Shared secret that signs every request, so subgraphs can refuse anyone but the router. */
  serviceSecret: string;
  /** Breaker and retries for this subgraph; without one, each fetch is tried once. */
  policy?: SubgraphPolicy;
  metrics?: RouterMetrics;
}

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

type FetchInit = Omit<RequestInit, 'headers' | 'body'> & { headers?: Record<string, string>; body?: string };

/**
 * Signs a request on the exact bytes that leave, after the data source serialized the body: an
 * HMAC over method, path, body, the caller's token and the forwarded client address.
 */
function signed(secret: string, input: string, init: FetchInit): FetchInit {
  const headers = { ...init.headers };
  const target = new URL(input);
  Object.assign(
    headers,
    signRequest(secret, 'router', {
      method: init.method ?? 'POST',
      path: `${target.pathname}${target.search}`,
      body: init.body ?? '',
      authorization: headers.authorization,
      client: headers[SIGNATURE_HEADERS.client],
    }),
  );
  return { ...init, headers };
}

/** The operation type of a GraphQL text (the gateway sends one operation per fetch). */
export function operationType(text: string): 'query' | 'mutation' | 'subscription' | undefined {
  const start = text.replace(/^(?:\s|,|#[^\n]*\n?)*/, '');
  if (start.startsWith('{')) return 'query';
  return /^(query|mutation|subscription)\b/.exec(start)?.[1] as 'query' | 'mutation' | 'subscription' | undefined;
}

/**
 * True for a fetch that only reads, and so may be repeated: the fetch's own operation is a query.
 * A mutation's root fetch is never repeated (it may have been applied before the connection
 * broke); the `_entities` reads a mutation's plan makes afterwards are queries, and are.
 */
export function isReadOnlyFetch(options: GraphQLDataSourceProcessOptions<RouterContext>): boolean {
  // Only a client's operation has an incoming request (the gateway's enum of kinds is not exported).
  return 'incomingRequestContext' in options && operationType(options.request.query ?? '') === 'query';
}

/**
 * How the router talks to one subgraph: Node's built-in fetch (undici, pooled keep-alive
 * connections) with a per-fetch timeout, forwarding the caller's token, the request id, the
 * client's address and the trace context, each request signed with the service secret; the
 * subgraph's breaker and retry policy around every fetch, and its metrics.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<RouterContext> {
  private readonly options: SubgraphClientOptions;

  constructor(options: SubgraphClientOptions) {
    super({
      url: options.url,
      fetcher: (async (input: string, init: FetchInit) => {
        try {
          return await fetch(input, { ...signed(options.serviceSecret, input, init), signal: AbortSignal.timeout(options.timeoutMs) });
        } catch (error) {
          // The client learns which service failed (the gateway adds serviceName and the
          // DOWNSTREAM_SERVICE_ERROR code), never its address: the cause stays in the log.
          const timedOut = (error as Error).name === 'TimeoutError';
          throw timedOut
            ? new SubgraphUnavailableError(options.name, `timed out after ${options.timeoutMs} ms`, error, 'timeout')
            : new SubgraphUnavailableError(options.name, 'is unavailable', error, 'connection');
        }
      }) as unknown as RemoteGraphQLDataSource['fetcher'],
    });
    this.options = options;
  }

  /**
   * A non-2xx answer (a balancer's 503, a refused signature's 401) becomes DOWNSTREAM_SERVICE_ERROR
   * naming the subgraph: the gateway adds `serviceName` only to errors inside a subgraph's response
   * body. The response (status, body) stays in `extensions.response` for the log and the breaker;
   * the router's error masking keeps it from the client.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    return new GraphQLError(error.message, {
      extensions: { ...error.extensions, code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: this.options.name },
    });
  }

  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    const { name, policy, metrics } = this.options;
    const attempt = async (): Promise<GatewayGraphQLResponse> => {
      const stopTimer = metrics?.subgraphFetches.startTimer({ subgraph: name });
      try {
        const response = await super.process(options);
        stopTimer?.({ outcome: 'ok' });
        return response;
      } catch (error) {
        const kind = failureKind(error);
        stopTimer?.({ outcome: kind });
        metrics?.subgraphFetchErrors.inc({ subgraph: name, kind });
        throw error;
      }
    };
    if (!policy) return attempt();
    try {
      return await policy.execute(attempt, isReadOnlyFetch(options));
    } catch (error) {
      // A fetch refused by an open breaker never reached `attempt`: count it here.
      if (failureKind(error) === 'circuit_open') metrics?.subgraphFetchErrors.inc({ subgraph: name, kind: 'circuit_open' });
      throw error;
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if (context.requestId) headers.set('x-request-id', context.requestId);
    // A child of the gateway's fetch span when tracing is on, else of the router's request.
    headers.set('traceparent', formatTraceparent(outgoingTraceContext(context.trace)));
    // The token was verified at the edge; subgraphs verify it again with the public key, so a
    // forged identity header can never stand in for it.
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.clientAddress) headers.set(SIGNATURE_HEADERS.client, context.clientAddress);
  }
}
