import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomString } from './ids';
import { readFileSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryNonceStore, type NonceStore } from './nonce-store';

/**
 * Request signatures between our own services (router → subgraph, orders → products). An HMAC over
 * the service it is meant for, the method, path, body, the caller's Authorization header, the end
 * client's address, a timestamp and a nonce, with a secret only the services share: a client can
 * neither forge a call nor change one in flight, a call made for one service is refused by every
 * other (and by every path but its own), and a captured call cannot be replayed: the timestamp
 * window bounds it, and the nonce store refuses it a second time within the window (across all
 * replicas when the store is Redis, else per process).
 */
export const SIGNATURE_HEADERS = {
  signature: 'x-storefront-signature',
  timestamp: 'x-storefront-timestamp',
  nonce: 'x-storefront-nonce',
  service: 'x-storefront-service',
  /** The service the call is signed for; informative only (the verifier signs with its own name), it names the refusal. */
  target: 'x-storefront-target',
  /** The end client's address as the signing service saw it; trusted only under a valid signature. */
  client: 'x-storefront-client',
} as const;

/** How far a signature's timestamp may be from now. @default 60 s */
export const SIGNATURE_WINDOW_MS = 60_000;

/**
 * The signature scheme. v2 signs the target service (v1 did not, so a v1 call could be replayed to
 * any service): v1 is refused, and router and subgraphs must be deployed together.
 */
const VERSION = 'v2';

export interface SignableRequest {
  /** The service the call is for (its name in `SERVICE_NAMES`, e.g. `products`): no other service accepts it. */
  target: string;
  method: string;
  /** Path and query, e.g. `/graphql`. */
  path: string;
  body: string;
  authorization?: string;
  /** The end client's address, forwarded by the signing service (e.g. for log-in rate limits). */
  client?: string;
}

function canonical(request: SignableRequest, service: string, timestamp: string, nonce: string): string {
  // One-shot: a third cheaper than createHash().update().digest() on a fetch-sized body.
  const bodyHash = hash('sha256', request.body, 'hex');
  return [
    VERSION,
    timestamp,
    nonce,
    service,
    request.target,
    request.method.toUpperCase(),
    request.path,
    request.authorization ?? '',
    request.client ?? '',
    bodyHash,
  ].join('\n');
}

const mac = (secret: string, text: string) => `${VERSION}=${createHmac('sha256', secret).update(text).digest('base64url')}`;

const NONCE_BYTES = 12;

/** A fresh nonce: 12 bytes from the CSPRNG. */
const nextNonce = (): string => randomString(NONCE_BYTES, 'base64url');

/** Headers that prove `service` sent this request to `request.target`. */
export function signRequest(secret: string, service: string, request: SignableRequest, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = nextNonce();
  return {
    [SIGNATURE_HEADERS.signature]: mac(secret, canonical(request, service, timestamp, nonce)),
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.service]: service,
    [SIGNATURE_HEADERS.target]: request.target,
    ...(request.client ? { [SIGNATURE_HEADERS.client]: request.client } : {}),
  };
}

/** On success, the signing service and the client address it vouched for (if any). */
export type VerifyResult = { ok: true; service: string; client?: string } | { ok: false; reason: string };

/** What a verifier checks a request against: the request as received, minus its target (the verifier's own name). */
export type ReceivedRequest = Omit<SignableRequest, 'target' | 'client'>;

export interface SignatureVerifierOptions {
  /** The shared service secret. */
  secret: string;
  /** This service's name: only signatures made for it are accepted. */
  service: string;
  /** The services that may call it. */
  allowed: readonly string[];
  /**
   * Where accepted nonces are remembered. Share one (Redis) between a service's replicas, or a
   * captured call is accepted once by each replica within the window. @default a MemoryNonceStore
   */
  nonces?: NonceStore;
  /** How far a signature's timestamp may be from now. @default SIGNATURE_WINDOW_MS (60 s) */
  windowMs?: number;
}

/**
 * Checks a signed request: made with our secret, for this service, by an allowed caller, fresh,
 * unaltered, and not seen before (its nonce is claimed in the store).
 */
export class SignatureVerifier {
  readonly service: string;
  private readonly secret: string;
  private readonly allowed: readonly string[];
  private readonly nonces: NonceStore;
  private readonly windowMs: number;

  constructor(options: SignatureVerifierOptions) {
    this.secret = options.secret;
    this.service = options.service;
    this.allowed = options.allowed;
    this.nonces = options.nonces ?? new MemoryNonceStore();
    this.windowMs = options.windowMs ?? SIGNATURE_WINDOW_MS;
  }

  /** The forwarded address is read from its header and must be signed. */
  async verify(request: ReceivedRequest, headers: Record<string, string | string[] | undefined>, now = Date.now()): Promise<VerifyResult> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const signature = header(SIGNATURE_HEADERS.signature);
    const timestamp = header(SIGNATURE_HEADERS.timestamp);
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const service = header(SIGNATURE_HEADERS.service);
    const target = header(SIGNATURE_HEADERS.target);
    const client = header(SIGNATURE_HEADERS.client);
    if (!signature || !timestamp || !nonce || !service) return { ok: false, reason: 'missing signature' };
    if (!signature.startsWith(`${VERSION}=`)) return { ok: false, reason: 'unsupported signature version' };
    if (target !== undefined && target !== this.service) return { ok: false, reason: 'signed for another service' };
    if (!this.allowed.includes(service)) return { ok: false, reason: `service ${service} may not call` };
    const at = Number(timestamp);
    if (!Number.isFinite(at) || Math.abs(now - at) > this.windowMs) return { ok: false, reason: 'signature expired' };
    // Our own name, never the header's: a call signed for another service fails here even with its header removed.
    const expected = mac(this.secret, canonical({ ...request, target: this.service, client }, service, timestamp, nonce));
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'bad signature' };
    // Remembered until the timestamp leaves the window, when the signature expires anyway.
    if (!(await this.nonces.claim(`${this.service}:${nonce}`, at + this.windowMs - now + 1))) return { ok: false, reason: 'replayed signature' };
    return { ok: true, service, ...(client ? { client } : {}) };
  }
}

/**
 * The shared secret of a development checkout: created once under the data dir so that every
 * service started from it agrees without configuration. Production must set SERVICE_SECRET.
 */
export function developmentServiceSecret(dir: string): string {
  const file = join(dir, 'dev-service-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, randomBytes(32).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch {
      // another service created it first: use theirs
    } finally {
      unlinkSync(temp);
    }
    return readFileSync(file, 'utf8').trim();
  }
}

/** The configured service secret, or the development one outside production. */
export function serviceSecret(env: { SERVICE_SECRET?: string; NODE_ENV: string }, dir: string): string {
  if (env.SERVICE_SECRET) return env.SERVICE_SECRET;
  if (env.NODE_ENV === 'production') throw new Error('SERVICE_SECRET is required in production');
  return developmentServiceSecret(dir);
}

export interface SignedPost {
  /** The calling service's name, as signed. */
  service: string;
  /** The service called: only it accepts the signature. */
  target: string;
  secret: string;
  /** Where to POST, e.g. `http://products:4002/internal/reservations`. */
  url: URL;
  payload: unknown;
  requestId?: string;
  timeoutMs: number;
}

/**
 * One call of another service's signed API: a JSON POST signed for its target, over the exact
 * bytes sent. Resolves with the status and text of any answer; rejects only when none came
 * (refused, reset, timed out), which callers report as that service being unavailable.
 */
export async function postSigned(call: SignedPost): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(call.payload);
  const response = await fetch(call.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(call.requestId ? { 'x-request-id': call.requestId } : {}),
      ...signRequest(call.secret, call.service, { target: call.target, method: 'POST', path: call.url.pathname + call.url.search, body }),
    },
    body,
    signal: AbortSignal.timeout(call.timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}
