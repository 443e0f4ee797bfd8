import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A review. `authorId` and `productId` point at entities owned by users and products; they are
 * plain indexed columns, never joins. The two composite indexes also serve as the single-column
 * indexes on their leading column, so there are no separate ones.
 */
@Entity('reviews')
@Index('idx_reviews_author_product', ['authorId', 'productId'], { unique: true })
@Index('idx_reviews_product_created', ['productId', 'createdAt', 'id'])
export class Review {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Up to 64 characters, like the input it comes from (product ids are UUIDs in practice). */
  @Column({ type: 'varchar', length: 64 })
  productId: string;

  @Column({ type: 'varchar', length: 36 })
  authorId: string;

  @Column({ type: 'int' })
  rating: number;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
