import { deterministicId, insertInChunks, seededRandom, type Logger, type SeedPlan } from '@storefront/kit';
import type { DataSource } from 'typeorm';
import { OrderItem } from './entities/order-item.entity';
import { Order } from './entities/order.entity';

/** After the demo catalogue's creation dates, so no order predates its products. */
const ORDERS_EPOCH = Date.UTC(2025, 2, 1);
/** Not a round number, so seeded timestamps use the millisecond precision the cursors rely on. */
const ORDER_SPACING_MS = 2_837_123;
/** Every 7th order is cancelled: a few, spread over different buyers. */
const CANCEL_EVERY = 7;

/**
 * Order i of the plan with its lines: bought by user ((i - 1) mod users) + 1, 1 to 3 distinct
 * products at 1 to 3 units each. Unit prices are drawn here rather than copied from the catalogue
 * (which this service cannot read): they are historic prices and may differ from today's.
 */
export function demoOrder(i: number, plan: SeedPlan): { order: Order; items: OrderItem[] } {
  const random = seededRandom(i * 104_729);
  const order = new Order();
  order.id = deterministicId('order', i);
  order.buyerId = deterministicId('user', ((i - 1) % plan.users) + 1);
  order.status = i % CANCEL_EVERY === 0 ? 'CANCELLED' : 'CONFIRMED';
  order.currency = 'USD';
  order.idempotencyKey = `seed-${i}`;
  order.reservationId = null;
  order.failureReason = null;
  order.createdAt = new Date(ORDERS_EPOCH + i * ORDER_SPACING_MS);
  order.updatedAt = order.status === 'CANCELLED' ? new Date(order.createdAt.getTime() + 3_600_000) : order.createdAt;

  const lineCount = Math.min(1 + Math.floor(random() * 3), plan.products);
  const products = new Set<number>();
  while (products.size < lineCount) products.add(1 + Math.floor(random() * plan.products));
  const items = [...products].map((n, position) =>
    Object.assign(new OrderItem(), {
      id: deterministicId('order-item', i * 10 + position),
      orderId: order.id,
      productId: deterministicId('product', n),
      quantity: 1 + Math.floor(random() * 3),
      unitPriceCents: 499 + Math.floor(random() * 20_000),
      currency: order.currency,
      position,
    }),
  );
  order.totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  return { order, items };
}

export async function hasData(db: DataSource): Promise<boolean> {
  return (await db.getRepository(Order).count({ take: 1 })) > 0;
}

export async function seed(db: DataSource, plan: SeedPlan, log: Logger): Promise<void> {
  const orders: Order[] = [];
  const items: OrderItem[] = [];
  for (let i = 1; i <= plan.orders; i++) {
    const made = demoOrder(i, plan);
    orders.push(made.order);
    items.push(...made.items);
  }
  await db.transaction(async (manager) => {
    await insertInChunks(orders, 500, (chunk) => manager.insert(Order, chunk));
    await insertInChunks(items, 500, (chunk) => manager.insert(OrderItem, chunk));
  });
  log.info({ orders: orders.length, items: items.length }, 'seeded orders');
}
