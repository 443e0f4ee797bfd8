import { deterministicId, insertInChunks, seededRandom, type Logger, type SeedPlan } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { Product } from './entities/product.entity';

const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Everyday', 'Heavy-duty', 'Mini', 'Pro', 'Smart', 'Travel'];
const NOUNS = ['Backpack', 'Blender', 'Desk Lamp', 'Headphones', 'Kettle', 'Keyboard', 'Mug', 'Notebook', 'Sneakers', 'Water Bottle'];
const EPOCH = Date.UTC(2025, 0, 1);

/** Product n of the plan; other services refer to it by `deterministicId('product', n)`. */
export function demoProduct(n: number): Product {
  const random = seededRandom(n * 7919);
  const product = new Product();
  product.id = deterministicId('product', n);
  product.sku = `SKU-${String(n).padStart(5, '0')}`;
  product.name = `${ADJECTIVES[n % ADJECTIVES.length]} ${NOUNS[Math.floor(n / ADJECTIVES.length) % NOUNS.length]} ${n}`;
  product.description = `A dependable ${product.name.toLowerCase()} from the demo catalogue.`;
  product.priceCents = 499 + Math.floor(random() * 20_000);
  product.currency = 'USD';
  product.stock = 20 + Math.floor(random() * 200);
  product.weightGrams = 100 + Math.floor(random() * 5_000);
  product.createdAt = new Date(EPOCH + n * 60_000);
  return product;
}

export async function hasData(db: DataSource): Promise<boolean> {
  return (await db.getRepository(Product).count({ take: 1 })) > 0;
}

export async function seed(db: DataSource, plan: SeedPlan, log: Logger): Promise<void> {
  const rows = Array.from({ length: plan.products }, (_, i) => demoProduct(i + 1));
  await db.transaction(async (manager) => {
    await insertInChunks(rows, 500, (chunk) => manager.insert(Product, chunk));
  });
  log.info({ products: rows.length }, 'seeded products');
}
