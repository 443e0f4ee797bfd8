import { BadUserInputError } from './errors';

/** Largest page a client may ask for; bigger requests are refused, not silently trimmed. */
export const MAX_PAGE_SIZE = 100;

/** Validates a connection's `first` argument. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`"first" must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}

/**
 * Opaque cursors: base64url of a small JSON array (the keyset position). Clients must not parse
 * them; we decode strictly and turn anything malformed into BAD_USER_INPUT.
 */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  const invalid = () => new BadUserInputError('"after" is not a valid cursor', 'after');
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(value) ||
    value.length !== arity ||
    !value.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw invalid();
  }
  return value;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | (() => Promise<number>);
}

/**
 * Builds a connection from rows fetched with `LIMIT size + 1`: the extra row only says that
 * there is a next page.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  cursorOf: (row: T) => string,
  totalCount: Connection<T>['totalCount'],
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
