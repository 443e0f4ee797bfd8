import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { Product } from './entities/product.entity';

/** One query for every key of the tick, results in key order, null for a missing row. */
function byColumn(db: DataSource, column: 'id' | 'sku') {
  return new DataLoader<string, Product | null>(async (keys) => {
    const rows = await db.getRepository(Product).findBy({ [column]: In([...keys]) });
    const found = new Map(rows.map((row) => [row[column], row]));
    return keys.map((key) => found.get(key) ?? null);
  });
}

/** Fresh per request, so no data is cached across callers. */
export function createProductLoaders(db: DataSource) {
  return {
    productById: byColumn(db, 'id'),
    productBySku: byColumn(db, 'sku'),
  };
}

export type ProductLoaders = ReturnType<typeof createProductLoaders>;
