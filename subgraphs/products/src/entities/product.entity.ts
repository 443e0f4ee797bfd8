import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('products')
export class Product {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_products_sku', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Index('idx_products_name')
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'int' })
  priceCents: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ type: 'int' })
  stock: number;

  @Column({ type: 'int' })
  weightGrams: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
