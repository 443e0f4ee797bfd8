import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'FAILED';

/**
 * Both composite indexes lead with buyerId, so they also serve every lookup by buyer; a separate
 * buyerId index would only cost writes.
 */
@Entity('orders')
// A retried checkout with the same key finds the first order instead of placing a second one.
@Index('idx_orders_buyer_idempotency', ['buyerId', 'idempotencyKey'], { unique: true })
// Serves User.orders: newest first per buyer, keyset on (createdAt, id), without a sort.
@Index('idx_orders_buyer_created', ['buyerId', 'createdAt', 'id'])
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

  /** Why a FAILED order failed, for the buyer (e.g. which product was out of stock). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  failureReason: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
