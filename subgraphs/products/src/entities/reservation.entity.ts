import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * HELD: stock taken from the products, waiting for the order to be confirmed.
 * CONFIRMED: sold. RELEASED / EXPIRED: given back before it was sold (by the caller / by the clock).
 * RETURNED: sold, then given back (the order was cancelled).
 */
export type ReservationStatus = 'HELD' | 'CONFIRMED' | 'RELEASED' | 'EXPIRED' | 'RETURNED';

/** One line of a reservation, priced when the stock was taken. */
export interface ReservedItem {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  currency: string;
}

/**
 * Stock held for one order of the orders service. `orderId` is unique: it makes reserving
 * idempotent, and lets the orders service settle an order it lost track of (it crashed) by its
 * own id alone.
 */
@Entity('reservations')
// The sweeper's question: which HELD reservations are past their expiry?
@Index('idx_reservations_status_expires', ['status', 'expiresAt'])
export class Reservation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_reservations_order', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  orderId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ReservationStatus;

  /** The lines with their prices; read and written whole, never queried into. */
  @Column({ type: 'simple-json' })
  items: ReservedItem[];

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
