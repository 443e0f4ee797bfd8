import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import {
  applyCors,
  endWithBody,
  HttpError,
  jsonDeeperThan,
  MAX_JSON_DEPTH,
  queryParamDeeperThan,
  readBody,
  responseCompression,
  sendJson,
  type CompressionOptions,
  type ResponseCompression,
} from './http-io';
import { processLiveness, type LivenessReport } from './event-loop-watchdog';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

export { HttpError, jsonDeeperThan, MAX_JSON_DEPTH, readBody, readJsonBody, sendJson, type CompressionOptions } from './http-io';
import { parseTraceparent, type TraceContext } from './trace-context';
import { startRequestTrace, withRequestTrace } from './tracing';

/** What a request handler gets besides the raw request. */
export interface RequestInfo {
  requestId: string;
  /** A child logger that stamps every line with the request id and trace id. */
  log: Logger;
  /** This hop of the W3C trace: the caller's `traceparent` continued, or a new trace. */
  trace: TraceContext;
  /**
   * The end client's address: the connection's peer, unless a `guard` established a better one
   * (e.g. the address a signed call from the router vouches for).
   */
  clientAddress: string;
  /** The service that signed this request, when a `guard` verified a signature. */
  service?: string;
}

/** A GraphQL request as it reached the HTTP front, before Apollo Server sees it. */
export interface GraphQLHttpRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The query string, e.g. `?query=…` of a GET. */
  search: string;
  /** The parsed JSON body of a POST, or undefined. */
  body: unknown;
}

export type Route = (req: IncomingMessage, res: ServerResponse, info: RequestInfo) => Promise<void> | void;

export interface GraphQLEndpoint<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  context: (req: IncomingMessage, info: RequestInfo) => Promise<TContext>;
  /** Runs before Apollo Server sees the request (rate limits, safelists); throw HttpError to refuse it. */
  preflight?: (request: GraphQLHttpRequest, req: IncomingMessage, info: RequestInfo) => Promise<void> | void;
  /**
   * A key under which identical requests in flight at the same moment share one execution (after
   * each one's own preflight); undefined to execute this one alone. Only for reads.
   */
  shareKey?: (request: GraphQLHttpRequest, raw: string) => string | undefined;
}

type ExecutedResponse = Awaited<ReturnType<ApolloServer<BaseContext>['executeHTTPGraphQLRequest']>>;

export interface HttpServerOptions<TContext extends BaseContext> {
  log: Logger;
  /** Largest accepted request body; larger ones get 413. @default 1_000_000 */
  bodyLimitBytes?: number;
  graphql: GraphQLEndpoint<TContext>;
  /** Extra routes by path (GET), or by `METHOD /path` for other methods, e.g. `POST /internal/x`. */
  routes?: Record<string, Route>;
  /** Readiness: `/ready` answers 200 only when this resolves true (and we are not draining). */
  ready: () => Promise<boolean> | boolean;
  /** Allowed browser origins, or `*`; omit to send no CORS headers (server-to-server). */
  corsOrigins?: string[] | '*';
  /**
   * Checks every request except the probes (`/health`, `/ready`, `/metrics`) before it is routed,
   * with its body already read (routes and GraphQL get the same body from `readBody`). Throw
   * HttpError to refuse; set `info.clientAddress`/`info.service` to pass on what it proved.
   */
  guard?: (req: IncomingMessage, body: string, info: RequestInfo) => Promise<void> | void;
  /** Serves `/metrics` from this registry and records every request's latency by route and status. */
  metrics?: ServiceMetrics;
  /**
   * Compresses GraphQL and JSON error answers of at least `minBytes` with br (else gzip) for
   * clients whose Accept-Encoding allows it, and adds `Vary: Accept-Encoding`. @default off
   */
  compression?: CompressionOptions;
  /**
   * The largest GraphQL answer sent: a complete one over it is replaced by `error` (400); a
   * streamed one is cut off there. @default no limit
   */
  responseLimit?: ResponseLimit;
  /** Liveness beyond "the process answers": `/health` is 503 while this says not live. @default the installed EventLoopWatchdog's */
  liveness?: () => LivenessReport;
}

export interface ResponseLimit {
  bytes: number;
  error: { message: string; extensions?: Record<string, unknown> };
}

/** Whether a text's UTF-8 encoding is longer than `bytes`, without encoding a short one. */
const longerThan = (text: string, bytes: number): boolean => text.length > bytes || (text.length * 3 > bytes && Buffer.byteLength(text) > bytes);

/** Paths a guard never sees: orchestrators and scrapers call them without credentials. */
export const OPEN_PATHS: readonly string[] = ['/health', '/ready', '/metrics'];

export interface RunningHttpServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes. */
  close(graceMs?: number): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Executions in flight by share key (see GraphQLEndpoint.shareKey), one map per server. */
type Inflight = Map<string, Promise<ExecutedResponse>>;

async function shared(inflight: Inflight, key: string, execute: () => Promise<ExecutedResponse>): Promise<ExecutedResponse> {
  const existing = inflight.get(key);
  if (existing) return existing;
  // Only a complete body can be written twice; a streamed one is never shared.
  const started = execute().finally(() => inflight.delete(key));
  inflight.set(key, started);
  return started;
}

async function handleGraphQL<TContext extends BaseContext>(
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  endpoint: GraphQLEndpoint<TContext>,
  bodyLimit: number,
  inflight: Inflight,
  compression: ResponseCompression | undefined,
  limit: ResponseLimit | undefined,
): Promise<void> {
  const raw = req.method === 'POST' ? await readBody(req, bodyLimit) : '';
  let body: unknown = raw;
  if (req.method === 'POST' && (req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'The request body is not valid JSON', 'BAD_USER_INPUT');
    }
  }
  const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const nested = jsonDeeperThan(body, MAX_JSON_DEPTH) || ['variables', 'extensions'].some((name) => queryParamDeeperThan(search.get(name), MAX_JSON_DEPTH));
  if (nested) throw new HttpError(400, `The request nests deeper than ${MAX_JSON_DEPTH} levels, the most this service reads`, 'BAD_USER_INPUT');
  await endpoint.preflight?.({ method: req.method ?? 'GET', headers: req.headers, search: new URL(req.url ?? '/', 'http://localhost').search, body }, req, info);
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const httpGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
  const execute = () =>
    endpoint.server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => endpoint.context(req, info) });
  const key = endpoint.shareKey?.({ method: req.method ?? 'GET', headers: req.headers, search: url.search, body }, raw);
  const response = key === undefined ? await execute() : await shared(inflight, key, execute as () => Promise<ExecutedResponse>);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    if (limit && longerThan(response.body.string, limit.bytes)) {
      res.removeHeader('cache-control');
      await sendJson(res, 400, { errors: [limit.error] }, compression);
      return;
    }
    // A shared answer is compressed once per coding for all the requests that wait on it.
    await endWithBody(res, response.body.string, compression, key === undefined ? undefined : response);
    return;
  }
  let sent = 0;
  for await (const chunk of response.body.asyncIterator) {
    sent += Buffer.byteLength(chunk);
    // Past the limit a stream cannot be answered with an error any more: it is cut off.
    if (limit && sent > limit.bytes) return void res.destroy();
    res.write(chunk);
  }
  res.end();
}

/**
 * A small node:http front for Apollo Server: request ids, W3C trace context (and a server span when
 * tracing is on), body limit (413), CORS, `/health`, `/ready`, `/metrics` and extra routes, request
 * latency by route and status, and a graceful close that drains in-flight requests.
 * (`startStandaloneServer` offers none of these knobs.)
 */
export async function startHttpServer<TContext extends BaseContext>(
  options: HttpServerOptions<TContext>,
  port: number,
): Promise<RunningHttpServer> {
  const bodyLimit = options.bodyLimitBytes ?? 1_000_000;
  const inflight: Inflight = new Map();
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const routes: Record<string, Route> = {
    '/health': (_req, res) => {
      const report = (options.liveness ?? processLiveness)();
      return report.live ? sendJson(res, 200, { status: 'ok' }) : sendJson(res, 503, { status: 'stalled', stalledMs: report.stalledMs });
    },
    '/ready': async (_req, res) => {
      const ready = !draining && (await options.ready());
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : draining ? 'draining' : 'not ready' });
    },
    ...(options.metrics ? { '/metrics': (_req: IncomingMessage, res: ServerResponse) => options.metrics!.respond(res) } : {}),
    ...options.routes,
  };
  // Only known paths become label values, so a scanner probing random URLs cannot blow up the series.
  const routeLabel = (method: string, path: string): string => {
    if (path === '/graphql' || path === '/') return '/graphql';
    return routes[`${method} ${path}`] || (method === 'GET' && routes[path]) ? path : 'unmatched';
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routeLabel(method, path);
    const requestTrace = startRequestTrace(
      parseTraceparent(req.headers.traceparent),
      `${method} ${route}`,
      { 'http.request.method': method, 'http.route': route },
      !OPEN_PATHS.includes(path),
    );
    res.once('close', () => {
      const status = res.headersSent ? res.statusCode : 499;
      requestTrace.end(status);
      options.metrics?.httpRequests.observe({ route, method, status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    void withRequestTrace(requestTrace, () => handle(req, res, path, requestTrace.context));
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string, trace: TraceContext): Promise<void> => {
    inFlight += 1;
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const info: RequestInfo = {
      requestId,
      log: options.log.child({ requestId, traceId: trace.traceId }),
      trace,
      clientAddress: req.socket.remoteAddress ?? 'unknown',
    };
    const compression = responseCompression(req, options.compression);
    res.setHeader('x-request-id', requestId);
    if (draining) res.setHeader('connection', 'close');
    try {
      const corsAllowed = applyCors(req, res, options.corsOrigins);
      if (req.method === 'OPTIONS') {
        // A preflight from an origin not on the list is refused outright, so the browser stops there.
        res.writeHead(corsAllowed ? 204 : 403).end();
        return;
      }
      if (options.guard && !OPEN_PATHS.includes(path)) {
        const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req, bodyLimit);
        await options.guard(req, body, info);
      }
      if (path === '/graphql' || path === '/') {
        await handleGraphQL(req, res, info, options.graphql, bodyLimit, inflight, compression, options.responseLimit);
      } else if (routes[`${req.method} ${path}`] || (req.method === 'GET' && routes[path])) {
        await (routes[`${req.method} ${path}`] ?? routes[path])!(req, res, info);
      } else {
        await sendJson(res, 404, { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] }, compression);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        if (!res.headersSent) {
          for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
          await sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] }, compression);
        }
      } else {
        info.log.error({ err: error }, 'request failed');
        if (!res.headersSent) {
          await sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, compression);
        } else {
          res.destroy();
        }
      }
    } finally {
      inFlight -= 1;
      if (draining && inFlight === 0) drained?.();
    }
  };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    server,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    async close(graceMs = 10_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
