import { createHash, randomFillSync, randomUUID } from 'node:crypto';

/** A fresh id for a new row. */
export const newId = (): string => randomUUID();

/**
 * The same UUID for the same (kind, n) on every machine, so that seeded data in separate
 * databases agrees on who wrote what without any service reading another's tables.
 */
export function deterministicId(kind: string, n: number): string {
  const hex = createHash('sha1').update(`storefront:${kind}:${n}`).digest('hex');
  // Shape it as a version-5 UUID (RFC 9562 §5.5).
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID; ids from clients are checked before they reach SQL. */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * Random bytes from the CSPRNG, drawn from a pool filled 4 KiB at a time: a `randomBytes(8)` per
 * call costs ~5 µs, a slice of the pool ~0.1, and the router draws a span id and a nonce for every
 * subgraph fetch. Each byte of the pool is used once.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

export function randomString(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const text = pool.toString(encoding, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}
