/** Small pieces of the HTTP front: errors, JSON answers, compression, bodies with a limit, CORS. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';

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

/** Response compression of the HTTP front; off unless given. */
export interface CompressionOptions {
  /** Bodies smaller than this are sent as they are (see COMPRESSION_MIN_BYTES in the router). */
  minBytes: number;
}

export type ContentCoding = 'br' | 'gzip';

/** How one response may be compressed: the server's options and what this request accepts. */
export interface ResponseCompression {
  /** The coding the client accepts best; undefined when it accepts neither (identity only). */
  coding: ContentCoding | undefined;
  minBytes: number;
}

/** Decided once per request; undefined when the server does not compress at all. */
export function responseCompression(req: IncomingMessage, options: CompressionOptions | undefined): ResponseCompression | undefined {
  return options && { coding: negotiateCoding(req.headers['accept-encoding']), minBytes: options.minBytes };
}

/**
 * The coding to answer with under an `Accept-Encoding` header (RFC 9110 §12.5.3): br or gzip,
 * whichever the client ranks higher, br on a tie; `q=0` refuses a coding, `*` stands for any coding
 * not named. Undefined (identity) when there is no header or neither is acceptable.
 */
export function negotiateCoding(header: string | undefined): ContentCoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    // A malformed weight is ignored rather than guessed at.
    if (Number.isFinite(weight) && weight >= 0 && weight <= 1) weights.set(name, weight);
  }
  const weightOf = (coding: ContentCoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br === 0 && gz === 0) return undefined;
  return br >= gz ? 'br' : 'gzip';
}

/*
 * Settings measured on the benchmark's real responses (router/README.md, "Compression"):
 * brotli quality 2 costs about what gzip level 1 does (0.06 ms for the 12 KB storefront page,
 * 0.23 ms for the 110 KB deep query) and is 5–13 % smaller; quality 4 buys 2–4 % fewer bytes for
 * twice the CPU, and both already fit the deep query into one initial congestion window (14.6 KB).
 * gzip level 1 is for the clients without br.
 */
const BROTLI_QUALITY = 2;
const GZIP_LEVEL = 1;
/**
 * Below this the body is compressed on the event loop: zlib's asynchronous path costs about
 * 0.03–0.07 ms of stream set-up on the loop anyway, and more CPU in all, which small bodies do not
 * win back. Above it the work goes to the thread pool, so a large body never stalls other requests.
 */
const SYNC_BELOW_BYTES = 32 * 1024;
/**
 * Compressions on the thread pool at once; the others wait their turn. Every pending brotli stream
 * holds its encoder's memory, which V8 counts as external memory: fifty at once made it collect
 * the router's large heap again and again, and cost 2–3 ms of CPU per response instead of 0.3.
 * Two also leaves the pool's other threads to token checks (WebCrypto) and DNS.
 */
const POOL_COMPRESSIONS = 2;

let pooled = 0;
const waiting: (() => void)[] = [];

function takePoolSlot(): Promise<void> {
  if (pooled < POOL_COMPRESSIONS) {
    pooled += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function releasePoolSlot(): void {
  // Handed straight to the next in line, so a newcomer cannot slip in between.
  const next = waiting.shift();
  if (next) next();
  else pooled -= 1;
}

function brotliOptions(size: number) {
  return {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [zlib.BROTLI_PARAM_SIZE_HINT]: size,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      // A window no larger than the body: the same output, a fraction of the default 4 MB's memory.
      [zlib.BROTLI_PARAM_LGWIN]: Math.min(zlib.BROTLI_MAX_WINDOW_BITS, Math.max(zlib.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(size + 16)))),
    },
  };
}

/** Compresses a body with br or gzip: small ones on the event loop, large ones on the thread pool. */
export async function compressBody(body: string | Buffer, coding: ContentCoding): Promise<Buffer> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length < SYNC_BELOW_BYTES) {
    return coding === 'br' ? brotliCompressSync(bytes, brotliOptions(bytes.length)) : gzipSync(bytes, { level: GZIP_LEVEL });
  }
  await takePoolSlot();
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const done = (error: Error | null, compressed: Buffer) => (error ? reject(error) : resolve(compressed));
      if (coding === 'br') brotliCompress(bytes, brotliOptions(bytes.length), done);
      else gzip(bytes, { level: GZIP_LEVEL }, done);
    });
  } finally {
    releasePoolSlot();
  }
}

/** Compressed bodies of a response shared by several requests, by coding: each is made once. */
const compressedShared = new WeakMap<object, Map<ContentCoding, Promise<Buffer>>>();

function compressedOnce(shared: object, text: string, coding: ContentCoding): Promise<Buffer> {
  let byCoding = compressedShared.get(shared);
  if (!byCoding) compressedShared.set(shared, (byCoding = new Map()));
  let compressed = byCoding.get(coding);
  if (!compressed) byCoding.set(coding, (compressed = compressBody(text, coding)));
  return compressed;
}

/**
 * Ends the response with this complete body (status and other headers as already set), compressed
 * when the server compresses, the body has at least `minBytes` and the client accepts br or gzip.
 * `shared` is the object several requests got the same body from (an in-flight execution they
 * shared): its body is then compressed once per coding, not once per request. Without compression
 * the response is ended before this returns, and errors are thrown, not returned.
 */
export function endWithBody(res: ServerResponse, text: string, compression: ResponseCompression | undefined, shared?: object): Promise<void> {
  const length = Buffer.byteLength(text);
  // Whether the body is compressed depends on Accept-Encoding, so caches must key on it.
  if (compression) appendVary(res, 'Accept-Encoding');
  const coding = compression?.coding;
  if (!compression || !coding || length < compression.minBytes) {
    res.setHeader('content-length', length);
    res.end(text);
    return Promise.resolve();
  }
  return (shared ? compressedOnce(shared, text, coding) : compressBody(text, coding)).then((body) => {
    res.setHeader('content-encoding', coding);
    res.setHeader('content-length', body.length);
    res.end(body);
  });
}

function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('vary');
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.some((f) => f === '*' || f.toLowerCase() === field.toLowerCase())) return;
  res.setHeader('vary', [...fields, field].join(', '));
}

/** A JSON answer; compressed like a GraphQL response when `compression` is given (see endWithBody). */
export function sendJson(res: ServerResponse, status: number, body: unknown, compression?: ResponseCompression): Promise<void> {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  return endWithBody(res, text, compression);
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

/**
 * How deep a request's JSON (body, or a GET's `variables`/`extensions`) may nest. Far beyond any
 * input type's nesting, and low enough that nothing recursive over it (cache keys, logging)
 * can overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `max` arrays and objects; iterative, so depth costs no stack. */
export function jsonDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

export function queryParamDeeperThan(text: string | null, max: number): boolean {
  if (!text) return false;
  try {
    return jsonDeeperThan(JSON.parse(text), max);
  } catch {
    return false; // not JSON: Apollo Server says so
  }
}

/**
 * A JSON body read within `limit` and checked against `schema`: a body that is not JSON, or not
 * of the expected shape, is the caller's mistake (400 BAD_USER_INPUT naming the first problem).
 */
export async function readJsonBody<S extends z.ZodType>(req: IncomingMessage, limit: number, schema: S): Promise<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(await readBody(req, limit));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'The request body is not valid JSON', 'BAD_USER_INPUT');
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new HttpError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'BAD_USER_INPUT');
}
