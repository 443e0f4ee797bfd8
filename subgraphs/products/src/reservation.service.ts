import { execute, executeAlone, isUniqueViolation, newId, serialized, sqlDateTime, withTransaction } from '@storefront/kit';
import type { DataSource, EntityManager } from 'typeorm';
import { Reservation, type ReservationStatus, type ReservedItem } from './entities/reservation.entity';

const MAX_INT = 2_147_483_647;

/** A refusal the caller must see as such: out of stock, unknown product, unknown reservation. */
export class ReservationError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
    readonly productId?: string,
  ) {
    super(message);
  }
}

export interface RequestedItem {
  productId: string;
  quantity: number;
}

interface PricedProduct {
  id: string;
  name: string;
  priceCents: number;
  currency: string;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Stock changes in one global order (by product id), so two transactions never wait on each other in a cycle. */
const byProductId = <T extends { productId: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));

async function pricedProducts(manager: EntityManager, ids: readonly string[]): Promise<Map<string, PricedProduct>> {
  const rows: Record<string, unknown>[] = await manager.query(
    `SELECT id, name, priceCents, currency FROM products WHERE id IN (${placeholders(ids.length)})`,
    [...ids],
  );
  return new Map(
    rows.map((row) => [
      String(row.id),
      { id: String(row.id), name: String(row.name), priceCents: Number(row.priceCents), currency: String(row.currency) },
    ]),
  );
}

async function restock(manager: EntityManager, items: readonly ReservedItem[]): Promise<void> {
  for (const item of byProductId(items)) {
    await execute(manager, 'UPDATE products SET stock = stock + ? WHERE id = ?', [item.quantity, item.productId]);
  }
}

export function findReservation(db: DataSource, orderId: string): Promise<Reservation | null> {
  return db.getRepository(Reservation).findOneBy({ orderId });
}

async function requireReservation(db: DataSource, orderId: string): Promise<Reservation> {
  const reservation = await findReservation(db, orderId);
  if (!reservation) throw new ReservationError(404, 'NOT_FOUND', `No reservation for order ${JSON.stringify(orderId)}`);
  return reservation;
}

/** The price lines of a reservation, in the caller's order; refuses what cannot be one order. */
function priceItems(items: readonly RequestedItem[], products: Map<string, PricedProduct>): ReservedItem[] {
  const priced = items.map((item) => {
    const product = products.get(item.productId);
    if (!product) {
      throw new ReservationError(400, 'BAD_USER_INPUT', `Product ${JSON.stringify(item.productId)} does not exist`, item.productId);
    }
    return { productId: item.productId, quantity: item.quantity, unitPriceCents: product.priceCents, currency: product.currency };
  });
  const currency = priced[0]!.currency;
  const other = priced.find((item) => item.currency !== currency);
  if (other) {
    throw new ReservationError(
      400,
      'BAD_USER_INPUT',
      `Product ${JSON.stringify(other.productId)} is priced in ${other.currency}, not ${currency}: one order has one currency`,
      other.productId,
    );
  }
  if (priced.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0) > MAX_INT) {
    throw new ReservationError(400, 'BAD_USER_INPUT', 'The order total is too large');
  }
  return priced;
}

class OutOfStock extends ReservationError {
  constructor(product: PricedProduct, quantity: number) {
    super(409, 'CONFLICT', `Not enough stock of product "${product.name}" (${product.id}) for ${quantity} more`, product.id);
  }
}

/**
 * All items or none, in one transaction: each line is a conditional decrement
 * (`… WHERE id = ? AND stock >= ?`), so stock never goes below zero however many callers race,
 * and the first line that does not fit rolls back the ones before it. The reservation row is
 * written first, so a duplicate call for the same order stops at its unique key before touching
 * any stock.
 */
function takeStock(db: DataSource, orderId: string, items: readonly RequestedItem[], ttlSeconds: number): Promise<Reservation> {
  return withTransaction(db, async (manager) => {
    const products = await pricedProducts(
      manager,
      items.map((item) => item.productId),
    );
    const now = new Date();
    const reservation = Object.assign(new Reservation(), {
      id: newId(),
      orderId,
      status: 'HELD' as const,
      items: priceItems(items, products),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(Reservation, reservation);
    for (const item of byProductId(items)) {
      const taken = await execute(manager, 'UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?', [
        item.quantity,
        item.productId,
        item.quantity,
      ]);
      if (taken !== 1) throw new OutOfStock(products.get(item.productId)!, item.quantity);
    }
    return reservation;
  });
}

/**
 * Reserves every item for `orderId`, or nothing. Idempotent: a reservation that already exists
 * for the order is returned as it stands (`created: false`), whatever its status. When stock is
 * short, reservations past their expiry are swept first and the attempt is made once more, so
 * stock held by a crashed checkout never blocks a sale for longer than its expiry.
 */
export async function reserve(
  db: DataSource,
  orderId: string,
  items: readonly RequestedItem[],
  ttlSeconds: number,
): Promise<{ reservation: Reservation; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { reservation: await takeStock(db, orderId, items, ttlSeconds), created: true };
    } catch (error) {
      if (isUniqueViolation(error)) {
        const existing = await findReservation(db, orderId);
        if (existing) return { reservation: existing, created: false };
      }
      if (error instanceof OutOfStock && attempt === 1 && (await expireDue(db)) > 0) continue;
      throw error;
    }
  }
}

/**
 * Moves a reservation from `from` to `to` if it is still in `from` (a conditional update, so of
 * two racing callers exactly one wins), giving its stock back when asked. False when it lost.
 */
async function transition(
  db: DataSource,
  reservation: Reservation,
  from: ReservationStatus,
  to: ReservationStatus,
  options: { restock: boolean; unexpiredAt?: Date },
): Promise<boolean> {
  const unexpired = options.unexpiredAt ? ' AND expiresAt > ?' : '';
  const sql = `UPDATE reservations SET status = ?, updatedAt = ? WHERE id = ? AND status = ?${unexpired}`;
  const params = [to, sqlDateTime(new Date()), reservation.id, from, ...(options.unexpiredAt ? [sqlDateTime(options.unexpiredAt)] : [])];
  // Without stock to move, the status change is one statement and needs no transaction.
  if (!options.restock) return (await executeAlone(db, sql, params)) === 1;
  return withTransaction(db, async (manager) => {
    if ((await execute(manager, sql, params)) !== 1) return false;
    await restock(manager, reservation.items);
    return true;
  });
}

/**
 * Confirms a HELD reservation: the stock is sold. Idempotent. Answers the reservation as it
 * stands afterwards: CONFIRMED, or EXPIRED/RELEASED/RETURNED when it can no longer be confirmed
 * (a reservation found past its expiry is expired on the spot and its stock returned).
 */
export async function confirm(db: DataSource, orderId: string): Promise<Reservation> {
  const reservation = await requireReservation(db, orderId);
  if (reservation.status !== 'HELD') return reservation;
  const now = new Date();
  if (await transition(db, reservation, 'HELD', 'CONFIRMED', { restock: false, unexpiredAt: now })) {
    return Object.assign(reservation, { status: 'CONFIRMED' as const, updatedAt: now });
  }
  // Past its expiry (or changed by a racing call): expire it if still held, then answer what it is.
  await transition(db, reservation, 'HELD', 'EXPIRED', { restock: true });
  return requireReservation(db, orderId);
}

/**
 * Gives back the stock of a HELD reservation. Idempotent; a CONFIRMED reservation is left as it
 * is (use `returnStock`). When there is no reservation for the order yet, a RELEASED one without
 * items is recorded, so a reserve call still on its way for that order (a caller that timed out)
 * finds it and takes nothing.
 */
export async function release(db: DataSource, orderId: string): Promise<Reservation> {
  for (let attempt = 1; ; attempt++) {
    const reservation = await findReservation(db, orderId);
    if (reservation) {
      if (reservation.status === 'HELD') await transition(db, reservation, 'HELD', 'RELEASED', { restock: true });
      return requireReservation(db, orderId);
    }
    const now = new Date();
    try {
      const tombstone = Object.assign(new Reservation(), {
        id: newId(),
        orderId,
        status: 'RELEASED' as const,
        items: [],
        expiresAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await serialized(db, () => db.getRepository(Reservation).insert(tombstone));
      return tombstone;
    } catch (error) {
      // A reserve call won the race for this order id: release what it holds.
      if (!isUniqueViolation(error) || attempt > 1) throw error;
    }
  }
}

/**
 * Gives back the stock of a sold (CONFIRMED) reservation: the order was cancelled. Idempotent; a
 * HELD one is released. For an order older than reservations (no row, e.g. seeded demo orders)
 * the caller passes the items, and a RETURNED reservation records that they came back, once.
 */
export async function returnStock(db: DataSource, orderId: string, items?: readonly RequestedItem[]): Promise<Reservation> {
  for (let attempt = 1; ; attempt++) {
    const reservation = await findReservation(db, orderId);
    if (reservation) {
      if (reservation.status === 'CONFIRMED') await transition(db, reservation, 'CONFIRMED', 'RETURNED', { restock: true });
      if (reservation.status === 'HELD') await transition(db, reservation, 'HELD', 'RELEASED', { restock: true });
      return requireReservation(db, orderId);
    }
    if (!items?.length) return requireReservation(db, orderId);
    try {
      return await withTransaction(db, async (manager) => {
        const products = await pricedProducts(
          manager,
          items.map((item) => item.productId),
        );
        // Lines of products deleted since cannot be restocked; the rest are.
        const known = items.filter((item) => products.has(item.productId));
        const now = new Date();
        const returned = Object.assign(new Reservation(), {
          id: newId(),
          orderId,
          status: 'RETURNED' as const,
          items: known.map((item) => {
            const product = products.get(item.productId)!;
            return { ...item, unitPriceCents: product.priceCents, currency: product.currency };
          }),
          expiresAt: now,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(Reservation, returned);
        await restock(manager, returned.items);
        return returned;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt > 1) throw error;
    }
  }
}

/**
 * Expires HELD reservations past their expiry and returns their stock: the sweeper's pass, also
 * run on demand when stock is short. Returns how many it expired.
 */
export async function expireDue(db: DataSource, limit = 100): Promise<number> {
  const due = await db
    .getRepository(Reservation)
    .createQueryBuilder('r')
    .where('r.status = :held AND r.expiresAt < :now', { held: 'HELD', now: sqlDateTime(new Date()) })
    .orderBy('r.expiresAt', 'ASC')
    .limit(limit)
    .getMany();
  let expired = 0;
  for (const reservation of due) {
    if (await transition(db, reservation, 'HELD', 'EXPIRED', { restock: true })) expired += 1;
  }
  return expired;
}
