import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { OrderItem } from './entities/order-item.entity';
import { Order } from './entities/order.entity';
import { countOrdersOfBuyers, ordersOfBuyers, type OrderPosition } from './order.service';

/**
 * Fresh per request, so no data is cached across callers. Every loader runs one statement per
 * tick, whatever the number of keys.
 */
export function createOrderLoaders(db: DataSource) {
  // One page loader per distinct (limit, after) of the request: buyers asked for the same page
  // share one statement; a different page needs a different one.
  const pages = new Map<string, DataLoader<string, Order[]>>();

  return {
    orderById: new DataLoader<string, Order | null>(async (ids) => {
      const rows = await db.getRepository(Order).findBy({ id: In([...ids]) });
      const found = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    }),

    /** The lines of each order, in the order the buyer gave them. */
    itemsByOrderId: new DataLoader<string, OrderItem[]>(async (orderIds) => {
      const rows = await db.getRepository(OrderItem).find({
        where: { orderId: In([...orderIds]) },
        order: { orderId: 'ASC', position: 'ASC' },
      });
      const byOrder = new Map<string, OrderItem[]>(orderIds.map((id) => [id, []]));
      for (const row of rows) byOrder.get(row.orderId)?.push(row);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),

    orderCountByBuyer: new DataLoader<string, number>(async (buyerIds) => {
      const counts = await countOrdersOfBuyers(db, buyerIds);
      return buyerIds.map((id) => counts.get(id) ?? 0);
    }),

    /** Up to `limit` orders of a buyer after `after`, newest first. */
    ordersOfBuyer(limit: number, after: OrderPosition | null): DataLoader<string, Order[]> {
      const key = JSON.stringify([limit, after?.createdAtMs ?? null, after?.id ?? null]);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, Order[]>(async (buyerIds) => {
          const byBuyer = await ordersOfBuyers(db, buyerIds, limit, after);
          return buyerIds.map((id) => byBuyer.get(id) ?? []);
        });
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

export type OrderLoaders = ReturnType<typeof createOrderLoaders>;
