/** Small pieces of the HTTP front: errors, JSON answers, bodies with a limit, CORS. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error that becomes an HTTP status and a contract code; routes may throw it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const bodies = new WeakMap<IncomingMessage, Promise<string>>();

/**
 * The request body as text, refused with 413 over `limit`. Read once per request and remembered,
 * so a guard, the GraphQL endpoint and a route can all ask for it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let body = bodies.get(req);
  if (!body) {
    body = readStream(req, limit);
    bodies.set(req, body);
  }
  return body;
}

function readStream(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new HttpError(413, `Request body exceeds ${limit} bytes`, 'PAYLOAD_TOO_LARGE'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `Request body exceeds ${limit} bytes`, 'PAYLOAD_TOO_LARGE'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Sets the CORS headers for an allowed origin; false when the request comes from a disallowed one. */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[] | '*' | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (!origins || (origins !== '*' && !origins.includes(origin))) return false;
  res.setHeader('access-control-allow-origin', origins === '*' ? '*' : origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-credentials', origins === '*' ? 'false' : 'true');
  res.setHeader(
    'access-control-allow-headers',
    'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id, traceparent',
  );
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-max-age', '600');
  return true;
}
