import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

// Services add their own metrics to a ServiceMetrics registry without depending on prom-client.
export { Counter, Gauge, Histogram };

/** Latency buckets in seconds, from a cache hit to a timeout. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One Prometheus registry per service, with the metrics every service exposes at `/metrics`. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Histogram<'route' | 'method' | 'status'>;
  readonly graphqlErrors: Counter<'code'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route, method and status, with their latency.',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.graphqlErrors = new Counter({
      name: 'graphql_errors_total',
      help: 'GraphQL errors sent to clients, by contract code.',
      labelNames: ['code'],
      registers: [this.registry],
    });
  }

  /** The latency buckets, for service-specific histograms. */
  static readonly buckets = LATENCY_BUCKETS;

  /** Reports the connection pool of a MySQL data source (in use and idle connections). */
  watchPool(db: DataSource): void {
    const pool = () => (db.driver as unknown as { pool?: { _allConnections?: unknown[]; _freeConnections?: unknown[] } }).pool;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database connections of the pool, by state (MySQL only).',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        const all = p._allConnections?.length ?? 0;
        const idle = p._freeConnections?.length ?? 0;
        this.set({ state: 'in_use' }, all - idle);
        this.set({ state: 'idle' }, idle);
      },
    });
  }

  /** Counts the errors of every GraphQL response by code. */
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    const errors = this.graphqlErrors;
    return {
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            if (response.body.kind !== 'single') return;
            for (const error of response.body.singleResult.errors ?? []) {
              errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
            }
          },
        };
      },
    };
  }

  /** The `/metrics` route. */
  async respond(res: ServerResponse): Promise<void> {
    const body = await this.registry.metrics();
    res.writeHead(200, { 'content-type': this.registry.contentType });
    res.end(body);
  }
}
