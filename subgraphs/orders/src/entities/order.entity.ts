import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The stored status. CANCELLING is internal: a cancellation whose stock is not back in products
 * yet (the reconciler finishes it); the API shows it as CONFIRMED until the stock is returned.
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/**
 * Both composite indexes lead with buyerId, so they also serve every lookup by buyer; a separate
 * buyerId index would only cost writes.
 */
@Entity('orders')
// A retried checkout with the same key finds the first order instead of placing a second one.
@Index('idx_orders_buyer_idempotency', ['buyerId', 'idempotencyKey'], { unique: true })
// Serves User.orders: newest first per buyer, keyset on (createdAt, id), without a sort.
@Index('idx_orders_buyer_created', ['buyerId', 'createdAt', 'id'])
// Serves the reconciler: unfinished (PENDING, CANCELLING) orders by age, without a scan.
@Index('idx_orders_status_updated', ['status', 'updatedAt'])
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The users service's id of the buyer; no cross-service foreign key. */
  @Column({ type: 'varchar', length: 36 })
  buyerId: string;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  /** Sum of the items' quantity × unit price, kept on the order so a list needs no item query. */
  @Column({ type: 'int' })
  totalCents: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 128 })
  idempotencyKey: string;

  /** The products service's stock reservation while the checkout saga runs; null before and for seeds. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  reservationId: string | null;

  /**
   * Why a FAILED order failed, as JSON `{ code, message, productId? }` (checkout.errors.ts), so a
   * retry with the same idempotency key answers the same error.
   */
  @Column({ type: 'varchar', length: 500, nullable: true })
  failureReason: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
