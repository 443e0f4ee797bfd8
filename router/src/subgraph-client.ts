import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { formatTraceparent, outgoingTraceContext, SIGNATURE_HEADERS, signRequest } from '@storefront/kit';
import type { RouterContext } from './context';
import type { RouterMetrics } from './metrics';
import { dedupeRepresentations, expandEntities } from './entity-dedupe';
import { responseTooLargeError, type ResponseBudget } from './response-budget';
import { failureKind, SubgraphUnavailableError } from './subgraph-errors';
import { InflightFetches, SubgraphTransport, TransportError, type SubgraphHttpResponse } from './subgraph-transport';
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
  /** Share one fetch among identical reads in flight at the same moment. @default true */
  dedupe?: boolean;
  /** Send each distinct entity representation of an `_entities` fetch once. @default true */
  dedupeEntities?: boolean;
}

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

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

/** The part of Apollo's CachePolicy a subgraph fetch tightens. */
interface Restrictable {
  restrict(hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
}

/** The parts of a Cache-Control header that restrict the router's overall cache policy. */
function cacheHint(header: string | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } | undefined {
  if (!header) return undefined;
  const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(header)?.[1];
  const scope = /(?:^|,)\s*private\b/.test(header) ? 'PRIVATE' : /(?:^|,)\s*public\b/.test(header) ? 'PUBLIC' : undefined;
  return { maxAge: maxAge ? Number(maxAge) : 0, ...(scope ? { scope } : {}) };
}

/**
 * How the router talks to one subgraph: POSTs over a keep-alive node:http agent (lighter than
 * fetch with its Request and Headers objects, which dominated the stock data source's cost),
 * forwarding the caller's token, the request id, the client's address and the trace context,
 * each request signed with the service secret; identical reads in flight share one fetch; the
 * subgraph's breaker and retry policy around every fetch, and its metrics.
 */
export class SubgraphClient implements GraphQLDataSource<RouterContext> {
  private readonly transport: SubgraphTransport;
  private readonly inflight = new InflightFetches();

  constructor(private readonly options: SubgraphClientOptions) {
    this.transport = new SubgraphTransport(options.url, { timeoutMs: options.timeoutMs });
  }

  async process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    // Planning ahead (plan-warmup.ts) runs plans without data: nothing is ever sent.
    if (options.context?.planWarmup) return { data: null };
    const { name, policy, metrics } = this.options;
    const attempt = async (): Promise<GatewayGraphQLResponse> => {
      const stopTimer = metrics?.subgraphFetches.startTimer({ subgraph: name });
      try {
        const response = await this.send(options);
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

  private async send(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const { name, serviceSecret, timeoutMs } = this.options;
    const deduped = this.options.dedupeEntities !== false ? dedupeRepresentations(request.variables) : undefined;
    const body = JSON.stringify({
      query: request.query,
      variables: deduped ? { ...request.variables, representations: deduped.unique } : request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    const headers: Record<string, string> = {};
    if (context?.requestId) headers['x-request-id'] = context.requestId;
    // A child of the gateway's fetch span when tracing is on, else of the router's request.
    headers.traceparent = formatTraceparent(outgoingTraceContext(context?.trace));
    // The token was verified at the edge; subgraphs verify it again with the public key, so a
    // forged identity header can never stand in for it.
    if (context?.authorization) headers.authorization = context.authorization;
    if (context?.clientAddress) headers[SIGNATURE_HEADERS.client] = context.clientAddress;
    // Signed on the exact bytes that leave, for this subgraph only (its name in the supergraph):
    // target, method, path, body, token and client address.
    const budget = context?.responseBudget;
    const exchange = () =>
      this.transport.post(body, {
        ...headers,
        ...signRequest(serviceSecret, 'router', {
          target: name,
          method: 'POST',
          path: this.transport.path,
          body,
          authorization: headers.authorization,
          client: headers[SIGNATURE_HEADERS.client],
        }),
      }, budget?.remaining);
    // Only reads are shared, and only between the same caller's identical fetches.
    const key =
      this.options.dedupe !== false && isReadOnlyFetch(options)
        ? `${headers.authorization ?? ''}\n${headers[SIGNATURE_HEADERS.client] ?? ''}\n${body}`
        : undefined;
    let response: SubgraphHttpResponse;
    try {
      response = key ? await this.inflight.run(key, exchange) : await exchange();
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'too_large') throw this.overBudget(budget);
      // The client learns which service failed, never its address: the cause stays in the log.
      if (error instanceof TransportError && error.kind === 'timeout') {
        throw new SubgraphUnavailableError(name, `timed out after ${timeoutMs} ms`, error, 'timeout');
      }
      throw new SubgraphUnavailableError(name, 'is unavailable', error, 'connection');
    }
    // A shared fetch was read within its first requester's budget: each one counts it against its own.
    if (budget && !budget.spend(response.bytes)) throw this.overBudget(budget);
    if (response.status < 200 || response.status >= 300) {
      // A balancer's 503, a refused signature's 401: the status and body stay in
      // `extensions.response` for the log and the breaker; the router's masking hides them.
      throw new GraphQLError(`${response.status} from the ${name} service`, {
        extensions: {
          code: 'DOWNSTREAM_SERVICE_ERROR',
          serviceName: name,
          response: { status: response.status, body: response.body.slice(0, 2000) },
        },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch (error) {
      throw new SubgraphUnavailableError(name, 'answered with something that is not JSON', error, 'connection');
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new SubgraphUnavailableError(name, 'answered with something that is not JSON', undefined, 'connection');
    }
    // A client's operation carries the request's cache policy, which each fetch may only tighten;
    // a subgraph that sends no hint makes the answer uncacheable, as the stock data source does.
    const policy = 'incomingRequestContext' in options ? (options.incomingRequestContext.overallCachePolicy as Restrictable | undefined) : undefined;
    policy?.restrict(cacheHint(response.cacheControl) ?? { maxAge: 0 });
    return deduped ? expandEntities(parsed as GatewayGraphQLResponse, deduped) : (parsed as GatewayGraphQLResponse);
  }

  /** Not an outage and not worth a retry: the request asked for more than it may have. */
  private overBudget(budget: ResponseBudget | undefined): GraphQLError {
    budget?.spend(Infinity);
    return responseTooLargeError(budget?.limit ?? 0);
  }
}
