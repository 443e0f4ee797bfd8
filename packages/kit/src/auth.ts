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
 * Verifies a token: signature with our public key, algorithm pinned (so `alg: none` or an HMAC
 * token signed with the public key is refused), issuer, audience and expiry.
 */
export async function verifyToken(key: KeyObject, token: string): Promise<Caller> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { userId: payload.sub!, roles, scopes };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired');
    throw new UnauthenticatedError('Invalid token');
  }
}

/** Extracts the bearer token of an Authorization header; undefined when absent. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  return match[1];
}

/** Resolves the caller of a request from its Authorization header (anonymous when absent). */
export async function callerFromHeader(
  key: KeyObject,
  header: string | undefined | null,
): Promise<Caller | null> {
  const token = bearerToken(header);
  return token ? verifyToken(key, token) : null;
}

export const isAdmin = (caller: Caller | null): boolean => !!caller?.roles.includes('admin');
