import { loadCompose } from './support/compose';
import { dashboardQueries, loadDashboard, loadPrometheus, selectorsOf } from './support/observability';
import { repo, SERVICES } from './support/services';

const prometheus = loadPrometheus();
const dashboard = loadDashboard();

describe('docker/prometheus/prometheus.yml', () => {
  const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets.map((target) => ({ job, target }))));

  it('scrapes /metrics of the router and of every subgraph, on its contract port', () => {
    expect(targets.map((t) => t.target).sort()).toEqual(SERVICES.map((s) => `${s.name}:${s.port}`).sort());
    for (const { job } of targets) expect(job.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('names its targets as docker/compose.yml names the services', () => {
    const { file } = loadCompose(repo('docker', 'compose.yml'), {});
    for (const { target } of targets) expect(Object.keys(file.services)).toContain(target.split(':')[0]);
  });
});

describe('docker/grafana/storefront-dashboard.json', () => {
  it('reads its data from a Prometheus data source chosen on import (no hard-wired uid)', () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('has unique panel ids and panels that fit the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('covers what the issue asks for: request rate, latency quantiles, errors by code, subgraph fetch latency and errors, breaker state, DB pool', () => {
    const metrics = new Set(dashboardQueries(dashboard).flatMap(({ expr }) => selectorsOf(expr).map((s) => s.metric)));
    expect([...metrics]).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds_count',
        'http_request_duration_seconds_bucket',
        'graphql_errors_total',
        'subgraph_fetch_duration_seconds_bucket',
        'subgraph_fetch_errors_total',
        'subgraph_circuit_state',
        'db_pool_connections',
      ]),
    );
    const exprs = dashboardQueries(dashboard).map((q) => q.expr).join('\n');
    for (const quantile of ['0.50', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${quantile},`);
  });

  it('parses each query into selectors (the integration test checks them against live /metrics)', () => {
    expect(selectorsOf('histogram_quantile(0.95, sum by (le, subgraph) (rate(subgraph_fetch_duration_seconds_bucket{outcome="ok"}[$__rate_interval])))')).toEqual([
      { metric: 'subgraph_fetch_duration_seconds_bucket', matchers: [{ label: 'outcome', op: '=', value: 'ok' }] },
    ]);
    for (const { expr } of dashboardQueries(dashboard)) expect(selectorsOf(expr).length).toBeGreaterThan(0);
  });
});
