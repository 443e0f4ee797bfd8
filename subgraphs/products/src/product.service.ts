import { newId, decodeCursor, encodeCursor, toConnection, type Connection } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { Product } from './entities/product.entity';

/** Escapes LIKE wildcards; `!` is the escape character (portable across MySQL and SQLite). */
const likePattern = (search: string) => `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/**
 * Catalogue order is by name, then id: a shopper sees the catalogue alphabetically, and the id
 * breaks ties so equal names still have one fixed order. Keyset pagination on that pair: a page
 * costs the same whether it is the first or the thousandth (the name index carries the primary key),
 * one statement per page (plus the count, only when asked for). The WHERE compares with the same
 * collation as the ORDER BY, so a page starts exactly after the previous one on MySQL and SQLite.
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
    const [lastName, lastId] = decodeCursor(after, 2).map(String);
    query.andWhere('(p.name > :lastName OR (p.name = :lastName AND p.id > :lastId))', { lastName, lastId });
  }
  const rows = await query.orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC').limit(size + 1).getMany();
  let total: Promise<number> | undefined;
  return toConnection(rows, size, (row) => encodeCursor([row.name, row.id]), () => (total ??= countQuery.getCount()));
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
