import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { RouterContext } from './context';

export interface SubgraphClientOptions {
  name: string;
  url: string;
  timeoutMs: number;
}

/**
 * How the router talks to one subgraph: Node's built-in fetch (undici, pooled keep-alive
 * connections) with a per-fetch timeout, forwarding the caller's token and the request id.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<RouterContext> {
  constructor(options: SubgraphClientOptions) {
    super({
      url: options.url,
      fetcher: ((input: string, init: RequestInit) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as unknown as RemoteGraphQLDataSource['fetcher'],
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if (context.requestId) headers.set('x-request-id', context.requestId);
    // The token was verified at the edge; subgraphs verify it again with the public key, so a
    // forged identity header can never stand in for it.
    if (context.authorization) headers.set('authorization', context.authorization);
  }
}
