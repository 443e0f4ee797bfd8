import { gql } from '@storefront/testing';
import { startTestSupergraph, type TestSupergraph } from '../../router/test/harness';
import { dashboardQueries, loadDashboard, parseExposition, selectorsOf, unmatched, type Sample } from './support/observability';

/**
 * The dashboard against what the services really expose: a whole supergraph on MariaDB, some
 * traffic (answers, a NOT_FOUND, a reviews outage with retries and fetch errors), then every
 * selector of every dashboard query must find its metric and labels in a live `/metrics`.
 */
let graph: TestSupergraph;
let samples: Sample[];

const QUERY = `{ products(first: 3) { edges { node { name reviewCount shippingEstimate { amountCents } } } } }`;

beforeAll(async () => {
  graph = await startTestSupergraph('dashboard');
  await gql(graph.router.url, QUERY);
  await gql(graph.router.url, `{ product(id: "nope") { id } }`);
  await graph.stop('reviews');
  await gql(graph.router.url, QUERY);
  await graph.start('reviews');
  const urls = [graph.router.http.url, ...Object.values(graph.subgraphs).map((s) => s.http.url)];
  const texts = await Promise.all(urls.map(async (url) => (await fetch(`${url}/metrics`)).text()));
  samples = texts.flatMap(parseExposition);
});

afterAll(async () => {
  await graph?.close();
});

describe('the Grafana dashboard against live /metrics', () => {
  it.each(dashboardQueries(loadDashboard()))('$panel: $expr', ({ expr }) => {
    for (const selector of selectorsOf(expr)) expect(unmatched(selector, samples)).toBeUndefined();
  });

  it('every service labels its metrics with its name, which the panels group by', () => {
    const services = new Set(samples.filter((s) => s.metric === 'process_resident_memory_bytes').map((s) => s.labels.service));
    expect(services).toEqual(new Set(['router', 'users', 'products', 'reviews', 'orders']));
  });
});
