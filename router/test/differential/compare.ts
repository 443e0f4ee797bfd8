import { isDeepStrictEqual } from 'node:util';

export interface GraphQLRequest {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface Answer {
  status: number;
  body: { data?: unknown; errors?: GraphQLError[] };
}

/** Sends one operation to a router as a client does. */
export async function ask(url: string, request: GraphQLRequest, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(request),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    return { status: response.status, body: { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] } };
  }
}

/**
 * Errors as compared: message, path and `extensions.code`, as a multiset sorted by path and
 * message. The order of errors is not part of the contract: errors of fetches that run in
 * parallel come back in whichever order the fetches finished, with either executor.
 */
export function comparableErrors(answer: Answer): { path: string; message: string; code: unknown }[] {
  return (answer.body.errors ?? [])
    .map((e) => ({ path: JSON.stringify(e.path ?? null), message: e.message, code: e.extensions?.code ?? null }))
    .sort((a, b) => (a.path === b.path ? (a.message < b.message ? -1 : a.message > b.message ? 1 : 0) : a.path < b.path ? -1 : 1));
}

/**
 * Why two answers differ, or undefined when they are equal: `data` deep-equal, errors as above.
 * The HTTP status is compared apart (see `DifferentialRun.record`), after the body.
 */
export function difference(router: Answer, gateway: Answer): string | undefined {
  const reasons: string[] = [];
  if (!isDeepStrictEqual(router.body.data, gateway.body.data)) reasons.push('data differs');
  if (!isDeepStrictEqual(comparableErrors(router), comparableErrors(gateway))) reasons.push('errors differ');
  return reasons.length ? reasons.join('; ') : undefined;
}

/** True when the data is equal but its keys come in a different order. */
export function keyOrderDiffers(router: Answer, gateway: Answer): boolean {
  return JSON.stringify(router.body.data) !== JSON.stringify(gateway.body.data) && isDeepStrictEqual(router.body.data, gateway.body.data);
}

export interface Mismatch {
  supergraph: string;
  label: string;
  seed?: number;
  fault: string;
  request: GraphQLRequest;
  token?: string;
  reason: string;
  router: Answer;
  gateway: Answer;
}

/** Everything needed to reproduce a mismatch by hand: seed, operation, variables and both answers. */
export function formatMismatch(m: Mismatch): string {
  return [
    `── ${m.supergraph}: ${m.label} — ${m.reason}`,
    m.seed === undefined ? undefined : `operation seed: ${m.seed} (generateOperation(schema, ${m.seed}, options) makes it again)`,
    `fault: ${m.fault}`,
    m.token ? `token: ${m.token}` : 'token: none',
    `operationName: ${m.request.operationName ?? '(none)'}`,
    `query:\n${m.request.query}`,
    `variables: ${JSON.stringify(m.request.variables ?? {})}`,
    `EXECUTOR=router answer (HTTP ${m.router.status}):\n${JSON.stringify(m.router.body, null, 2)}`,
    `EXECUTOR=gateway answer (HTTP ${m.gateway.status}):\n${JSON.stringify(m.gateway.body, null, 2)}`,
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}
