import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Request signatures between our own services (router → subgraph, orders → products). An HMAC over
 * the method, path, body, the caller's Authorization header, the end client's address, a timestamp
 * and a nonce, with a secret only the services share: a client can neither forge a call nor change one in flight,
 * and a captured call cannot be replayed (the timestamp window bounds it, the nonce cache within it).
 */
export const SIGNATURE_HEADERS = {
  signature: 'x-storefront-signature',
  timestamp: 'x-storefront-timestamp',
  nonce: 'x-storefront-nonce',
  service: 'x-storefront-service',
  /** The end client's address as the signing service saw it; trusted only under a valid signature. */
  client: 'x-storefront-client',
} as const;

/** How far a signature's timestamp may be from now. @default 60 s */
export const SIGNATURE_WINDOW_MS = 60_000;

export interface SignableRequest {
  method: string;
  /** Path and query, e.g. `/graphql`. */
  path: string;
  body: string;
  authorization?: string;
  /** The end client's address, forwarded by the signing service (e.g. for log-in rate limits). */
  client?: string;
}

function canonical(request: SignableRequest, service: string, timestamp: string, nonce: string): string {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  return [timestamp, nonce, service, request.method.toUpperCase(), request.path, request.authorization ?? '', request.client ?? '', bodyHash].join('\n');
}

/** Headers that prove `service` sent this request. */
export function signRequest(secret: string, service: string, request: SignableRequest, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(12).toString('base64url');
  const mac = createHmac('sha256', secret).update(canonical(request, service, timestamp, nonce)).digest('base64url');
  return {
    [SIGNATURE_HEADERS.signature]: `v1=${mac}`,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.service]: service,
    ...(request.client ? { [SIGNATURE_HEADERS.client]: request.client } : {}),
  };
}

/** On success, the signing service and the client address it vouched for (if any). */
export type VerifyResult = { ok: true; service: string; client?: string } | { ok: false; reason: string };

/**
 * Checks a signed request. `seen` remembers nonces inside the window so a replay is refused;
 * `allowed` limits which services may call.
 */
export class SignatureVerifier {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly allowed: readonly string[],
    private readonly windowMs = SIGNATURE_WINDOW_MS,
  ) {}

  /** `request.client` is ignored: the forwarded address is read from its header and must be signed. */
  verify(request: SignableRequest, headers: Record<string, string | string[] | undefined>, now = Date.now()): VerifyResult {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const signature = header(SIGNATURE_HEADERS.signature);
    const timestamp = header(SIGNATURE_HEADERS.timestamp);
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const service = header(SIGNATURE_HEADERS.service);
    const client = header(SIGNATURE_HEADERS.client);
    if (!signature || !timestamp || !nonce || !service) return { ok: false, reason: 'missing signature' };
    if (!this.allowed.includes(service)) return { ok: false, reason: `service ${service} may not call` };
    const at = Number(timestamp);
    if (!Number.isFinite(at) || Math.abs(now - at) > this.windowMs) return { ok: false, reason: 'signature expired' };
    const expected = `v1=${createHmac('sha256', this.secret).update(canonical({ ...request, client }, service, timestamp, nonce)).digest('base64url')}`;
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'bad signature' };
    this.forgetOld(now);
    if (this.seen.has(nonce)) return { ok: false, reason: 'replayed signature' };
    this.seen.set(nonce, at);
    return { ok: true, service, client };
  }

  private forgetOld(now: number): void {
    // Map iteration is insertion order, close enough to timestamp order to stop early.
    for (const [nonce, at] of this.seen) {
      if (now - at <= this.windowMs * 2) break;
      this.seen.delete(nonce);
    }
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
