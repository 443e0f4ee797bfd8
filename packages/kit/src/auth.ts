import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { UnauthenticatedError } from './errors';

/** Who is calling, as proven by a verified token. */
export interface Caller {
  userId: string;
  roles: string[];
  scopes: string[];
}

const ISSUER = 'storefront-users';
const AUDIENCE = 'storefront';
const ALGORITHM = 'EdDSA';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * The development key pair, created once per checkout under the data dir so that users (which
 * signs) and the router and subgraphs (which verify) agree without any configuration. Created
 * with an atomic link so that services starting at the same moment end up with the same key.
 */
export function developmentKeyPair(dir: string): KeyPair {
  const file = join(dir, 'dev-jwt-ed25519.pem');
  try {
    return keyPairFromPem(readFileSync(file, 'utf8'));
  } catch {
    const { privateKey } = generateKeyPairSync('ed25519');
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch {
      // another process won the race: use its key
    } finally {
      unlinkSync(temp);
    }
    return keyPairFromPem(readFileSync(file, 'utf8'));
  }
}

export function keyPairFromPem(privatePem: string): KeyPair {
  const privateKey = createPrivateKey(privatePem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export const publicKeyFromPem = (pem: string): KeyObject => createPublicKey(pem);

export async function signToken(
  key: KeyObject,
  caller: Caller,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT({ roles: caller.roles, scope: caller.scopes.join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(caller.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

/**
 * The longest token verified. Ours are about 300 characters; anything much longer is refused
 * before any decoding, so an oversized token costs less than a real one to refuse.
 */
export const MAX_TOKEN_LENGTH = 4096;

/** A verified token: who it proves, and until when (its `exp`, in ms since the epoch). */
export interface VerifiedToken {
  caller: Caller;
  expiresAt: number;
}

/**
 * Verifies a token: signature with our public key, algorithm pinned (so `alg: none` or an HMAC
 * token signed with the public key is refused), issuer, audience and expiry.
 */
export async function verifyTokenClaims(key: KeyObject, token: string): Promise<VerifiedToken> {
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('Invalid token');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { caller: { userId: payload.sub!, roles, scopes }, expiresAt: payload.exp! * 1000 };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired');
    throw new UnauthenticatedError('Invalid token');
  }
}

/** The caller a token proves (verifyTokenClaims without the expiry). */
export async function verifyToken(key: KeyObject, token: string): Promise<Caller> {
  return (await verifyTokenClaims(key, token)).caller;
}

/** Extracts the bearer token of an Authorization header; undefined when absent. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  return match[1];
}

export const isAdmin = (caller: Caller | null): boolean => !!caller?.roles.includes('admin');
