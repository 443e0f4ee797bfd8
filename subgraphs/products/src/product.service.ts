import { newId, decodeCursor, encodeCursor, toConnection, type Connection } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { Product } from './entities/product.entity';

/** Escapes LIKE wildcards; `!` is the escape character (portable across MySQL and SQLite). */
const likePattern = (search: string) => `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/**
 * Catalogue order is by id, with keyset pagination: a page costs the same whether it is the first
 * or the thousandth, and two statements in all (the page and the count).
 */
export async function listProducts(
  db: DataSource,
  size: number,
  after: string | null | undefined,
  search: string | null | undefined,
): Promise<Connection<Product>> {
  const query = db.getRepository(Product).createQueryBuilder('p');
  if (search) query.where(`p.name LIKE :pattern ESCAPE '!'`, { pattern: likePattern(search) });
  const countQuery = query.clone();
  if (after) {
    const [lastId] = decodeCursor(after, 1);
    query.andWhere('p.id > :lastId', { lastId: String(lastId) });
  }
  const rows = await query.orderBy('p.id', 'ASC').limit(size + 1).getMany();
  let total: Promise<number> | undefined;
  return toConnection(rows, size, (row) => encodeCursor([row.id]), () => (total ??= countQuery.getCount()));
}

export interface NewProduct {
  sku: string;
  name: string;
  description?: string | null;
  priceCents: number;
  currency: string;
  stock: number;
  weightGrams: number;
}

export async function createProduct(db: DataSource, input: NewProduct): Promise<Product> {
  const repo = db.getRepository(Product);
  const product = repo.create({ ...input, description: input.description ?? null, id: newId(), createdAt: new Date() });
  await repo.insert(product);
  return product;
}

/** Sets the stock; null when the product does not exist. */
export async function setStock(db: DataSource, id: string, stock: number): Promise<Product | null> {
  const repo = db.getRepository(Product);
  await repo.update({ id }, { stock });
  return repo.findOneBy({ id });
}
