import { BadUserInputError, decodeCursor, encodeCursor, fromSqlDateTime, sqlDateTime } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { Order, type OrderStatus } from './entities/order.entity';

/** A keyset position in a buyer's orders: newest first, ties broken by id. */
export interface OrderPosition {
  createdAtMs: number;
  id: string;
}

export const encodeOrderCursor = (order: Order): string => encodeCursor([order.createdAt.getTime(), order.id]);

export function decodeOrderCursor(cursor: string): OrderPosition {
  const [createdAtMs, id] = decodeCursor(cursor, 2);
  if (!Number.isSafeInteger(createdAtMs) || typeof id !== 'string' || id.length > 36) {
    throw new BadUserInputError('"after" is not a valid cursor', 'after');
  }
  return { createdAtMs: createdAtMs as number, id };
}

function orderFromRow(row: Record<string, unknown>): Order {
  return Object.assign(new Order(), {
    id: String(row.id),
    buyerId: String(row.buyerId),
    status: String(row.status) as OrderStatus,
    totalCents: Number(row.totalCents),
    currency: String(row.currency),
    idempotencyKey: String(row.idempotencyKey),
    reservationId: row.reservationId == null ? null : String(row.reservationId),
    failureReason: row.failureReason == null ? null : String(row.failureReason),
    createdAt: fromSqlDateTime(row.createdAt),
    updatedAt: fromSqlDateTime(row.updatedAt),
  });
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The first `limit` orders after `after` of every buyer, newest first, in ONE statement whatever
 * the number of buyers: ROW_NUMBER() numbers each buyer's orders and the outer query keeps the
 * first `limit` of each. Runs on MySQL 8, MariaDB 10.2+ and SQLite 3.25+.
 */
export async function ordersOfBuyers(
  db: DataSource,
  buyerIds: readonly string[],
  limit: number,
  after: OrderPosition | null,
): Promise<Map<string, Order[]>> {
  const params: unknown[] = [...buyerIds];
  let keyset = '';
  if (after) {
    const at = sqlDateTime(after.createdAtMs);
    keyset = 'AND (o.createdAt < ? OR (o.createdAt = ? AND o.id < ?))';
    params.push(at, at, after.id);
  }
  params.push(limit);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT * FROM (
       SELECT o.id, o.buyerId, o.status, o.totalCents, o.currency, o.idempotencyKey, o.reservationId,
              o.failureReason, o.createdAt, o.updatedAt,
              ROW_NUMBER() OVER (PARTITION BY o.buyerId ORDER BY o.createdAt DESC, o.id DESC) AS rn
       FROM orders o
       WHERE o.buyerId IN (${placeholders(buyerIds.length)}) ${keyset}
     ) ranked
     WHERE ranked.rn <= ?
     ORDER BY ranked.buyerId, ranked.rn`,
    params,
  );
  const byBuyer = new Map<string, Order[]>(buyerIds.map((id) => [id, []]));
  for (const row of rows) byBuyer.get(String(row.buyerId))?.push(orderFromRow(row));
  return byBuyer;
}

/** How many orders each buyer has, in one statement; 0 for a buyer without orders. */
export async function countOrdersOfBuyers(db: DataSource, buyerIds: readonly string[]): Promise<Map<string, number>> {
  const rows: { buyerId: string; n: number | string }[] = await db.query(
    `SELECT buyerId, COUNT(*) AS n FROM orders WHERE buyerId IN (${placeholders(buyerIds.length)}) GROUP BY buyerId`,
    [...buyerIds],
  );
  // COUNT is a BIGINT, which the MySQL driver hands back as a string.
  return new Map(rows.map((row) => [row.buyerId, Number(row.n)]));
}
