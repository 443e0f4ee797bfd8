import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repo } from './services';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** One vector selector of a PromQL expression: `metric{label="value", …}`. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** PromQL words that look like metric names: aggregations, functions, modifiers. */
const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool',
]);

/** The vector selectors of a PromQL expression (enough PromQL for dashboards: no strings outside matchers). */
export function selectorsOf(expr: string): Selector[] {
  const text = expr
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const selectors: Selector[] = [];
  for (const match of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?/g)) {
    const [, name, braces] = match as unknown as [string, string, string | undefined];
    const after = text.slice(match.index! + match[0].length).trimStart();
    if (PROMQL_WORDS.has(name) || (!braces && after.startsWith('('))) continue;
    const matchers = [...(braces ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(
      ([, label, op, value]) => ({ label, op, value }) as Matcher,
    );
    selectors.push({ metric: name, matchers });
  }
  return selectors;
}

/** One sample line of a Prometheus text exposition. */
export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (what `/metrics` serves). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ metric: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * Why a selector would find nothing in these samples, or undefined when it finds something. A
 * selector's metric must exist; a label it names must exist on that metric; an equality matcher's
 * value must occur. Regex and negative matchers only need the label (e.g. `status=~"5.."` matches
 * nothing on a healthy system, rightly).
 */
export function unmatched(selector: Selector, samples: Sample[]): string | undefined {
  const series = samples.filter((s) => s.metric === selector.metric);
  if (series.length === 0) return `no metric ${selector.metric}`;
  for (const matcher of selector.matchers) {
    if (!series.some((s) => matcher.label in s.labels)) return `${selector.metric} has no label ${matcher.label}`;
    if (matcher.op === '=' && !series.some((s) => s.labels[matcher.label] === matcher.value)) {
      return `${selector.metric} has no series with ${matcher.label}="${matcher.value}"`;
    }
  }
  return undefined;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string; query?: string }[] };
}

export const DASHBOARD_PATH = repo('docker', 'grafana', 'storefront-dashboard.json');
export const PROMETHEUS_PATH = repo('docker', 'prometheus', 'prometheus.yml');

export const loadDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;

/** Every PromQL expression of the dashboard, with the panel it belongs to. */
export function dashboardQueries(dashboard: Dashboard): { panel: string; expr: string }[] {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
}

export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}

export const loadPrometheus = (): { global?: Record<string, string>; scrape_configs: ScrapeConfig[] } =>
  parse(readFileSync(PROMETHEUS_PATH, 'utf8')) as { scrape_configs: ScrapeConfig[] };
