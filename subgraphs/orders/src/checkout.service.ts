import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  execute,
  executeAlone,
  isAdmin,
  isUniqueViolation,
  newId,
  serialized,
  sqlDateTime,
  withTransaction,
  type Caller,
  type Logger,
} from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { DownstreamServiceError, decodeFailure, encodeFailure, failureError, type FailureRecord } from './checkout.errors';
import { OrderItem } from './entities/order-item.entity';
import { Order, type OrderStatus } from './entities/order.entity';
import { ProductsRefusal, type ItemRequest, type ProductsClient, type Reservation } from './products.client';

/** The exit code of the test-only crash switch. */
export const CRASH_EXIT_CODE = 70;

export interface CheckoutSettings {
  /** Test-only: exit the process right after reserving (ORDERS_CRASH_AFTER_RESERVE). */
  crashAfterReserve: boolean;
  /** How long a duplicate call waits for the first call with its key to settle. */
  pendingWaitMs: number;
  /** How old an unfinished order must be before the reconciler takes it over. */
  reconcileAfterMs: number;
}

export interface PlaceOrderRequest {
  items: ItemRequest[];
  idempotencyKey: string;
}

const LAPSED: FailureRecord = {
  code: 'CONFLICT',
  message: 'The checkout was interrupted and its stock reservation lapsed; nothing was charged or reserved. Place the order again.',
};

const UNAVAILABLE: FailureRecord = {
  code: 'DOWNSTREAM_SERVICE_ERROR',
  message: 'The products service is unavailable, so the order could not be placed; no stock was taken. Try again with a new idempotencyKey.',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function refusalFailure(refusal: ProductsRefusal, items: readonly ItemRequest[]): FailureRecord {
  const code = refusal.code === 'CONFLICT' ? 'CONFLICT' : 'BAD_USER_INPUT';
  const index = items.findIndex((item) => item.productId === refusal.productId);
  return {
    code,
    message: refusal.message,
    ...(refusal.productId ? { productId: refusal.productId } : {}),
    ...(index >= 0 ? { field: `items.${index}.productId` } : {}),
  };
}

/**
 * The checkout saga. Orders owns the order, products owns the stock, each in its own database, so
 * there is no transaction across them. Instead every step is recorded so that it can be finished
 * or undone later:
 *
 * 1. a PENDING order is written first (its unique (buyerId, idempotencyKey) makes retries safe);
 * 2. products reserves all items or none, keyed by the order id, and prices them;
 * 3. products confirms the reservation, then the order becomes CONFIRMED with those prices.
 *
 * A definite refusal (out of stock, unknown product) fails the order. A step whose outcome is
 * unknown (products timed out or is down) is followed by a release, which either gives the stock
 * back or reveals that it was sold. What is still open after a crash, the reconciler finishes from
 * products' side of the story; unconfirmed reservations expire in products on their own.
 */
export class Checkout {
  constructor(
    private readonly db: DataSource,
    private readonly products: ProductsClient,
    private readonly log: Logger,
    private readonly settings: CheckoutSettings,
  ) {}

  /** Places an order, or returns the one already placed with this key; throws a contract error when it failed. */
  async placeOrder(buyerId: string, request: PlaceOrderRequest, requestId?: string): Promise<Order> {
    const now = new Date();
    const order = Object.assign(new Order(), {
      id: newId(),
      buyerId,
      status: 'PENDING' as const,
      // Known once products has priced the reservation.
      totalCents: 0,
      currency: 'USD',
      idempotencyKey: request.idempotencyKey,
      reservationId: null,
      failureReason: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await serialized(this.db, () => this.db.getRepository(Order).insert(order));
    } catch (error) {
      if (isUniqueViolation(error)) return this.replay(buyerId, request.idempotencyKey);
      throw error;
    }
    return this.outcome(await this.run(order, request.items, requestId));
  }

  private async run(order: Order, items: readonly ItemRequest[], requestId?: string): Promise<Order> {
    const orderId = order.id;
    let reservation: Reservation;
    try {
      reservation = await this.products.reserve(orderId, items, requestId);
    } catch (error) {
      if (error instanceof ProductsRefusal) return this.fail(orderId, refusalFailure(error, items));
      // The reserve may still land (a timeout) or may have landed: the release makes sure it
      // takes nothing. If products cannot even be told, an unconfirmed hold expires by itself.
      this.log.warn({ err: error, orderId }, 'reserving stock failed; releasing and failing the order');
      await this.products.release(orderId, requestId).catch(() => undefined);
      return this.fail(orderId, UNAVAILABLE);
    }
    // Another replica's reconciler gave up on this order while the reserve was on its way.
    if (reservation.status !== 'HELD' && reservation.status !== 'CONFIRMED') return this.fail(orderId, LAPSED);
    if (this.settings.crashAfterReserve) this.crash(orderId);

    let settled: Reservation;
    try {
      settled = await this.products.confirm(orderId, requestId);
    } catch (error) {
      // Unknown whether the confirm landed: a release either gives the stock back or shows it was sold.
      this.log.warn({ err: error, orderId }, 'confirming the reservation failed; releasing it');
      try {
        settled = await this.products.release(orderId, requestId);
      } catch {
        // Still PENDING: the reconciler settles it once products answers again.
        throw new DownstreamServiceError(
          'products',
          'The products service stopped answering while the order was being confirmed. It will be settled automatically; retry with the same idempotencyKey to see the outcome.',
        );
      }
    }
    return this.settle(orderId, settled, order);
  }

  /** The test-only crash switch: dies between reserving and confirming, like a killed process. */
  private crash(orderId: string): never {
    this.log.fatal({ orderId }, 'ORDERS_CRASH_AFTER_RESERVE is set: exiting right after reserving stock');
    process.exit(CRASH_EXIT_CODE);
  }

  /** Finishes a PENDING order from its reservation's final state. */
  private settle(orderId: string, reservation: Reservation, pending?: Order): Promise<Order> {
    return reservation.status === 'CONFIRMED' ? this.complete(orderId, reservation, pending) : this.fail(orderId, LAPSED);
  }

  /** PENDING → CONFIRMED with the reservation's lines and prices; a no-op when already settled. */
  private async complete(orderId: string, reservation: Reservation, pending?: Order): Promise<Order> {
    const total = reservation.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    const currency = reservation.items[0]?.currency ?? 'USD';
    const now = new Date();
    const won = await withTransaction(this.db, async (manager) => {
      const changed = await execute(
        manager,
        'UPDATE orders SET status = ?, totalCents = ?, currency = ?, reservationId = ?, updatedAt = ? WHERE id = ? AND status = ?',
        ['CONFIRMED', total, currency, reservation.id, sqlDateTime(now), orderId, 'PENDING'],
      );
      if (changed !== 1) return false;
      await manager.insert(
        OrderItem,
        reservation.items.map((item, position) => ({
          id: newId(),
          orderId,
          productId: item.productId,
          quantity: item.quantity,
          unitPriceCents: item.unitPriceCents,
          currency: item.currency,
          position,
        })),
      );
      return true;
    });
    // The saga knows the row it wrote; anyone else reads it back.
    if (!won || !pending) return this.load(orderId);
    return Object.assign(pending, { status: 'CONFIRMED' as const, totalCents: total, currency, reservationId: reservation.id, updatedAt: now });
  }

  /** PENDING → FAILED with the reason; answers the order as it ends (someone may have settled it first). */
  private async fail(orderId: string, failure: FailureRecord): Promise<Order> {
    await executeAlone(this.db, 'UPDATE orders SET status = ?, failureReason = ?, updatedAt = ? WHERE id = ? AND status = ?', [
      'FAILED',
      encodeFailure(failure),
      sqlDateTime(new Date()),
      orderId,
      'PENDING',
    ]);
    return this.load(orderId);
  }

  /**
   * A second call with a key already used: the first call's order. When that one is still being
   * placed (the calls arrived together), wait for it to settle so every caller sees the same result.
   */
  private async replay(buyerId: string, idempotencyKey: string): Promise<Order> {
    const deadline = Date.now() + this.settings.pendingWaitMs;
    for (;;) {
      const order = await this.db.getRepository(Order).findOneBy({ buyerId, idempotencyKey });
      if (!order) throw new Error(`order with idempotency key ${idempotencyKey} vanished`);
      if (order.status !== 'PENDING' || Date.now() >= deadline) return this.outcome(order);
      await sleep(25);
    }
  }

  /** A FAILED order is answered with its error, on the first call and on every retry. */
  private outcome(order: Order): Order {
    if (order.status === 'FAILED') throw failureError(decodeFailure(order.failureReason));
    return order;
  }

  private async load(orderId: string): Promise<Order> {
    const order = await this.db.getRepository(Order).findOneBy({ id: orderId });
    if (!order) throw new Error(`order ${orderId} vanished`);
    return order;
  }

  private async move(orderId: string, from: OrderStatus, to: OrderStatus): Promise<void> {
    await executeAlone(this.db, 'UPDATE orders SET status = ?, updatedAt = ? WHERE id = ? AND status = ?', [
      to,
      sqlDateTime(new Date()),
      orderId,
      from,
    ]);
  }

  /**
   * Cancels a CONFIRMED order for its buyer or an admin and returns its stock; idempotent. The
   * order is marked CANCELLING before products is asked, so a crash in between leaves a trace the
   * reconciler finishes (the stock is never returned twice: products' return is idempotent).
   */
  async cancelOrder(caller: Caller, orderId: string, requestId?: string): Promise<Order> {
    const order = await this.db.getRepository(Order).findOneBy({ id: orderId });
    if (!order) throw new NotFoundError('Order', orderId);
    if (caller.userId !== order.buyerId && !isAdmin(caller)) throw new ForbiddenError('Only the buyer or an admin may cancel this order');
    switch (order.status) {
      case 'CANCELLED':
        return order;
      case 'PENDING':
        throw new ConflictError('The order is still being placed; it can be cancelled once it is confirmed');
      case 'FAILED':
        throw new ConflictError('A failed order was never placed, so there is nothing to cancel');
      case 'CONFIRMED':
        await this.move(orderId, 'CONFIRMED', 'CANCELLING');
        break;
      case 'CANCELLING':
        break;
    }
    return this.finishCancel(orderId, requestId);
  }

  private async finishCancel(orderId: string, requestId?: string): Promise<Order> {
    const items = await this.db.getRepository(OrderItem).find({ where: { orderId }, order: { position: 'ASC' } });
    try {
      await this.products.returnStock(
        orderId,
        items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
        requestId,
      );
    } catch (error) {
      this.log.warn({ err: error, orderId }, 'returning the stock of a cancelled order failed; the reconciler will retry');
      throw new DownstreamServiceError(
        'products',
        'The cancellation is recorded, but the products service did not take the stock back yet. It will complete automatically.',
      );
    }
    await this.move(orderId, 'CANCELLING', 'CANCELLED');
    return this.load(orderId);
  }

  /**
   * Finishes what crashed or stalled: PENDING orders and CANCELLING orders untouched for
   * `reconcileAfterMs`, from products' side of the story. A PENDING order whose reservation is
   * held gets it confirmed (the buyer gets the order); one products never reserved for is recorded
   * as released there first, so a reserve still on its way takes nothing. Returns how many it settled.
   */
  async reconcile(limit = 100): Promise<number> {
    const cutoff = sqlDateTime(new Date(Date.now() - this.settings.reconcileAfterMs));
    const stuck = await this.db
      .getRepository(Order)
      .createQueryBuilder('o')
      .where('o.status IN (:...open)', { open: ['PENDING', 'CANCELLING'] })
      .andWhere('o.updatedAt <= :cutoff', { cutoff })
      .orderBy('o.updatedAt', 'ASC')
      .limit(limit)
      .getMany();
    let settled = 0;
    for (const order of stuck) {
      try {
        const after = order.status === 'PENDING' ? await this.settlePending(order.id) : await this.finishCancel(order.id);
        this.log.info({ orderId: order.id, from: order.status, to: after.status }, 'reconciled an unfinished order');
        settled += 1;
      } catch (error) {
        this.log.warn({ err: error, orderId: order.id }, 'could not reconcile an order yet');
      }
    }
    return settled;
  }

  private async settlePending(orderId: string): Promise<Order> {
    let reservation: Reservation;
    try {
      reservation = await this.products.confirm(orderId);
    } catch (error) {
      if (!(error instanceof ProductsRefusal && error.code === 'NOT_FOUND')) throw error;
      reservation = await this.products.release(orderId);
    }
    return this.settle(orderId, reservation);
  }
}
