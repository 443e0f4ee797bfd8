import { isUuid } from '@storefront/kit';
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { User } from './entities/user.entity';

/** Fresh per request, so no data is cached across callers. */
export function createUserLoaders(db: DataSource) {
  return {
    /** One query for every id of the tick, results in key order, null for a missing user. */
    userById: new DataLoader<string, User | null>(async (keys) => {
      // Every id we issue is a UUID: anything else cannot match, so it need not reach SQL.
      const ids = keys.filter(isUuid);
      const rows = ids.length > 0 ? await db.getRepository(User).findBy({ id: In(ids) }) : [];
      const found = new Map(rows.map((row) => [row.id, row]));
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
