import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * N = 2^15, r = 8: about 32 MiB and some 70 ms per hash on a small server, which is what the
 * login path can afford while still making offline guessing expensive.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Parameters outside these bounds in a stored hash are refused rather than run (a hash is data). */
const BOUNDS = { N: [2 ** 10, 2 ** 20], r: [1, 32], p: [1, 16] } as const;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  // maxmem must exceed 128 * N * r, with headroom; Node's default (32 MiB) is just too small for N = 2^15.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    // The async variant runs on the libuv pool, so a login does not stall the event loop.
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64url) with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, KEY_BYTES);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const inBounds = (value: number, [min, max]: readonly [number, number]) => Number.isInteger(value) && value >= min && value <= max;

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!inBounds(N, BOUNDS.N) || (N & (N - 1)) !== 0 || !inBounds(r, BOUNDS.r) || !inBounds(p, BOUNDS.p)) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const hash = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || hash.length < 16) return null;
  return { params: { N, r, p }, salt, hash };
}

/**
 * True when the password matches the stored hash, compared in constant time. A malformed stored
 * hash is a mismatch, never an exception that would tell a caller something.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * A well-formed hash with the default parameters that no password matches (its hash part is
 * random). Log-in verifies against it when the email is unknown, so that path costs one scrypt
 * exactly like a wrong password, and response times do not reveal which emails have accounts.
 */
export const UNMATCHABLE_HASH = [
  'scrypt',
  DEFAULT_SCRYPT_PARAMS.N,
  DEFAULT_SCRYPT_PARAMS.r,
  DEFAULT_SCRYPT_PARAMS.p,
  randomBytes(SALT_BYTES).toString('base64url'),
  randomBytes(KEY_BYTES).toString('base64url'),
].join('$');
