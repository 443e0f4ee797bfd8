import { Counter, Gauge, Histogram, ServiceMetrics } from '@storefront/kit';

/** Why a subgraph fetch failed, as the metrics and logs name it. */
export type FetchErrorKind = 'connection' | 'timeout' | 'http_5xx' | 'http_4xx' | 'circuit_open' | 'other';

/** Breaker states as a number, so a dashboard can graph them: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/** The router's metrics: every service's (HTTP, GraphQL errors, process) plus its subgraph fetches. */
export class RouterMetrics extends ServiceMetrics {
  readonly subgraphFetches: Histogram<'subgraph' | 'outcome'>;
  readonly subgraphFetchErrors: Counter<'subgraph' | 'kind'>;
  readonly subgraphRetries: Counter<'subgraph'>;
  readonly breakerState: Gauge<'subgraph'>;
  readonly responseCacheHits: Counter<'scope'>;
  readonly responseCacheMisses: Counter;
  readonly responseCacheErrors: Counter<'operation'>;

  constructor() {
    super('router');
    this.subgraphFetches = new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Each attempt of a fetch from a subgraph, by outcome (ok or the error kind).',
      labelNames: ['subgraph', 'outcome'],
      buckets: ServiceMetrics.buckets,
      registers: [this.registry],
    });
    this.subgraphFetchErrors = new Counter({
      name: 'subgraph_fetch_errors_total',
      help: 'Failed subgraph fetch attempts by kind: connection, timeout, http_5xx, http_4xx, circuit_open (failed fast), other.',
      labelNames: ['subgraph', 'kind'],
      registers: [this.registry],
    });
    this.subgraphRetries = new Counter({
      name: 'subgraph_fetch_retries_total',
      help: 'Retried subgraph fetches (queries only).',
      labelNames: ['subgraph'],
      registers: [this.registry],
    });
    this.breakerState = new Gauge({
      name: 'subgraph_circuit_state',
      help: 'Circuit breaker state per subgraph: 0 closed, 1 half-open, 2 open.',
      labelNames: ['subgraph'],
      registers: [this.registry],
    });
    this.responseCacheHits = new Counter({
      name: 'response_cache_hits_total',
      help: 'Queries answered from the response cache, by the scope of the entry (public or private).',
      labelNames: ['scope'],
      registers: [this.registry],
    });
    this.responseCacheMisses = new Counter({
      name: 'response_cache_misses_total',
      help: 'Queries looked up in the response cache and not found (executed, and stored when cacheable).',
      registers: [this.registry],
    });
    this.responseCacheErrors = new Counter({
      name: 'response_cache_errors_total',
      help: 'Failed reads and writes of the response cache in Redis (each read a miss, each write skipped).',
      labelNames: ['operation'],
      registers: [this.registry],
    });
  }
}
