import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { SIGNATURE_HEADERS, signRequest } from '@storefront/kit';
import { GraphQLError } from 'graphql';
import type { RouterContext } from './context';

/**
 * A subgraph did not answer: refused, reset or timed out. A GraphQLError, because the gateway
 * passes errors of a failed fetch to the client as they are.
 */
export class SubgraphUnavailableError extends GraphQLError {
  constructor(serviceName: string, problem: string, cause: unknown) {
    super(`The ${serviceName} service ${problem}`, {
      originalError: cause instanceof Error ? cause : undefined,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName },
    });
    this.name = 'SubgraphUnavailableError';
  }
}

export interface SubgraphClientOptions {
  name: string;
  url: string;
  timeoutMs: number;
  /** Shared secret that signs every request, so subgraphs can refuse anyone but the router. */
  serviceSecret: string;
}

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

/**
 * How the router talks to one subgraph: Node's built-in fetch (undici, pooled keep-alive
 * connections) with a per-fetch timeout, forwarding the caller's token, the request id and the
 * client's address, each request signed with the service secret.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<RouterContext> {
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
          throw new SubgraphUnavailableError(options.name, timedOut ? `timed out after ${options.timeoutMs} ms` : 'is unavailable', error);
        }
      }) as unknown as RemoteGraphQLDataSource['fetcher'],
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if (context.requestId) headers.set('x-request-id', context.requestId);
    // The token was verified at the edge; subgraphs verify it again with the public key, so a
    // forged identity header can never stand in for it.
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.clientAddress) headers.set(SIGNATURE_HEADERS.client, context.clientAddress);
  }
}
