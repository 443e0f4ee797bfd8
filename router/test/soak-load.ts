import { deterministicId } from '@storefront/kit';

/** One operation of the soak's mix, and which of its fields the reviews subgraph provides. */
interface Operation {
  name: string;
  query: string;
  variables: () => Record<string, unknown>;
  /** Checks the parts other subgraphs serve are there, whatever reviews does. */
  othersServed(data: Record<string, unknown> | null | undefined): boolean;
}

const pick = (kind: string, count: number) => deterministicId(kind, 1 + Math.floor(Math.random() * count));

type Edges = { edges: { node: Record<string, unknown> }[] };

/** Fields that the reviews subgraph resolves (its own, and the ones it adds to User and Product). */
export const REVIEWS_FIELDS = new Set(['reviews', 'reviewCount', 'averageRating', 'review']);

/** The mix: every subgraph is used; some operations need reviews, one never does. */
export const OPERATIONS: Operation[] = [
  {
    name: 'catalog',
    query: `{ products(first: 10) { totalCount edges { node { id name price { amountCents currency } reviewCount averageRating } } } }`,
    variables: () => ({}),
    othersServed: (data) => ((data?.products as Edges | undefined)?.edges ?? []).filter((e) => typeof e.node.name === 'string').length === 10,
  },
  {
    name: 'product page',
    query: `query($id: ID!) { product(id: $id) { name stock reviews(first: 3) { totalCount edges { node { rating body author { name } } } } } }`,
    variables: () => ({ id: pick('product', 50) }),
    othersServed: (data) => typeof (data?.product as { name?: unknown } | undefined)?.name === 'string',
  },
  {
    name: 'shipping',
    query: `{ products(first: 5) { edges { node { sku shippingEstimate { amountCents } } } } }`,
    variables: () => ({}),
    othersServed: (data) => ((data?.products as Edges | undefined)?.edges ?? []).filter((e) => e.node.shippingEstimate !== null).length === 5,
  },
  {
    name: 'user reviews',
    query: `query($id: ID!) { user(id: $id) { name reviews { rating product { name } } } }`,
    variables: () => ({ id: pick('user', 10) }),
    othersServed: (data) => typeof (data?.user as { name?: unknown } | undefined)?.name === 'string',
  },
  {
    name: 'review',
    query: `query($id: ID!) { review(id: $id) { rating body product { name } } }`,
    variables: () => ({ id: pick('review', 200) }),
    // A root field of reviews: with reviews down there is nothing else to serve.
    othersServed: () => true,
  },
];

interface ResponseError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** One request of the soak, as the load generator saw it. */
export interface Outcome {
  operation: string;
  start: number;
  end: number;
  status: number;
  errors: ResponseError[];
  /** The other subgraphs' parts of the answer were there. */
  othersServed: boolean;
  /** Network failure talking to the router (no HTTP status). */
  failure?: string;
}

/**
 * Runs `concurrency` clients in a loop against the router until `stop()`: each sends the next
 * operation of the mix and records what came back.
 */
export function startLoad(routerUrl: string, concurrency: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  let next = 0;
  const client = async () => {
    while (running) {
      const operation = OPERATIONS[next++ % OPERATIONS.length]!;
      const start = Date.now();
      try {
        const response = await fetch(routerUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: operation.query, variables: operation.variables() }),
        });
        const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: ResponseError[] };
        outcomes.push({
          operation: operation.name,
          start,
          end: Date.now(),
          status: response.status,
          errors: body.errors ?? [],
          othersServed: operation.othersServed(body.data),
        });
      } catch (error) {
        outcomes.push({ operation: operation.name, start, end: Date.now(), status: 0, errors: [], othersServed: false, failure: String(error) });
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/** A time span during which reviews is down or recovering, errors for its fields being expected. */
export interface Window {
  from: number;
  to: number;
}

const overlaps = (outcome: Outcome, window: Window) => outcome.start <= window.to && outcome.end >= window.from;

/** The last named field of an error's path: the field that failed. */
const failedField = (error: ResponseError) => [...(error.path ?? [])].reverse().find((p): p is string => typeof p === 'string');

/** Why an outcome breaks the soak's rules, or undefined when it keeps them. */
export function violation(outcome: Outcome, windows: Window[]): string | undefined {
  if (outcome.failure) return `no answer: ${outcome.failure}`;
  if (outcome.status !== 200) return `HTTP ${outcome.status}`;
  if (outcome.errors.length === 0) return outcome.othersServed ? undefined : 'incomplete data without an error';
  if (!windows.some((w) => overlaps(outcome, w))) return `error outside the outage windows: ${outcome.errors[0]!.message}`;
  for (const error of outcome.errors) {
    if (error.extensions?.code !== 'DOWNSTREAM_SERVICE_ERROR' || error.extensions.serviceName !== 'reviews') {
      return `unexpected error: ${JSON.stringify(error)}`;
    }
    const field = failedField(error);
    if (field !== undefined && !REVIEWS_FIELDS.has(field)) return `reviews error on a field it does not own: ${error.path?.join('.')}`;
  }
  if (!outcome.othersServed) return 'the other subgraphs’ data is missing';
  return undefined;
}

/** Errors of the outcomes by kind (`CODE serviceName`), and statuses. */
export function summarize(outcomes: Outcome[]) {
  const errors: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes) {
    statuses[outcome.failure ? 'no answer' : String(outcome.status)] = (statuses[outcome.failure ? 'no answer' : String(outcome.status)] ?? 0) + 1;
    for (const error of outcome.errors) {
      const kind = `${String(error.extensions?.code)} ${String(error.extensions?.serviceName ?? '')}`.trim();
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
  }
  return { requests: outcomes.length, statuses, errors };
}
