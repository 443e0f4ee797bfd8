import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One line of an order, with the price it was sold at (the catalogue price may change later). */
@Entity('order_items')
// Serves Order.items (all lines of many orders in one query, in line order) and keeps lines unique.
@Index('idx_order_items_order_position', ['orderId', 'position'], { unique: true })
export class OrderItem {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  orderId: string;

  /** The products service's id; no cross-service foreign key. */
  @Index('idx_order_items_product')
  @Column({ type: 'varchar', length: 36 })
  productId: string;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'int' })
  unitPriceCents: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  /** The line's place in the order as the buyer gave it, from 0. */
  @Column({ type: 'int' })
  position: number;
}
