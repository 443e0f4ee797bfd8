import type { GraphQLHttpRequest } from '@storefront/kit';

const header = (request: GraphQLHttpRequest, name: string): string => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
};

/**
 * The share key of an inbound request: identical reads by the same caller that arrive while one
 * is executing wait for its answer instead of planning and fetching again (a popular page under
 * load). Only JSON POSTs of documents without a mutation or subscription, so nothing with effects
 * is ever shared; the caller's token is part of the key, so no one gets another's private data.
 * Each request still passes its own edge checks (rate limit, safelist) before it waits.
 */
export function inboundShareKey(request: GraphQLHttpRequest, raw: string): string | undefined {
  if (request.method !== 'POST' || !header(request, 'content-type').includes('application/json')) return undefined;
  const body = request.body as { query?: unknown } | null;
  if (typeof body !== 'object' || body === null) return undefined;
  // A persisted query's hash alone says nothing of its operation type: execute it alone.
  if (typeof body.query !== 'string' || /\b(mutation|subscription)\b/.test(body.query)) return undefined;
  return `${header(request, 'authorization')}\n${header(request, 'accept')}\n${raw}`;
}
