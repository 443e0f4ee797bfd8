import { createHash, randomUUID } from 'node:crypto';

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
