import type { DataSource, EntityManager, QueryResult } from 'typeorm';

/** MariaDB/MySQL "deadlock found": the server rolled the transaction back, so running it again is safe. */
const isDeadlock = (error: unknown): boolean => {
  const e = error as { errno?: number; driverError?: { errno?: number } } | null;
  return e?.errno === 1213 || e?.driverError?.errno === 1213;
};

const DEADLOCK_ATTEMPTS = 3;

/** The tail of each sql.js database's queue of writes. */
const sqljsQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` alone on sql.js, after every write queued before it. sql.js has one connection, and
 * TypeORM turns a second `transaction()` on it into a savepoint of the first, so two requests'
 * transactions would mix (and a write of one would land inside the other's). MySQL has a pool and
 * row locks, so there it runs at once.
 */
export function serialized<T>(db: DataSource, work: () => Promise<T>): Promise<T> {
  if (db.options.type !== 'sqljs') return work();
  const previous = sqljsQueues.get(db) ?? Promise.resolve();
  const result = previous.then(work, work);
  sqljsQueues.set(
    db,
    result.catch(() => undefined),
  );
  return result;
}

/** Runs `work` in a transaction; on MySQL a deadlock is retried (the server already rolled back). */
export function withTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return serialized(db, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(work);
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
      }
    }
  });
}

/** One write on its own (autocommit), returning how many rows it changed. */
export function executeAlone(db: DataSource, sql: string, params: unknown[]): Promise<number> {
  return serialized(db, async () => {
    const runner = db.createQueryRunner();
    try {
      const result: QueryResult = await runner.query(sql, params, true);
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  });
}

/**
 * Runs a write and returns how many rows it changed. TypeORM's structured result carries the count
 * for both drivers (mysql2's affectedRows, sql.js's getRowsModified()), so a conditional
 * `UPDATE … WHERE stock >= ?` tells whether it won.
 */
export async function execute(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const result: QueryResult = await manager.queryRunner!.query(sql, params, true);
  return result.affected ?? 0;
}

/**
 * A datetime(3) in UTC as both databases compare it with the column: MySQL as a datetime, SQLite
 * (where TypeORM stores exactly this text) as a string, which orders the same.
 */
export const sqlDateTime = (date: Date | number): string => new Date(date).toISOString().replace('T', ' ').replace('Z', '');

/** A datetime column read by raw SQL: mysql2 returns a Date (the pool runs in UTC), sql.js the stored UTC text. */
export function fromSqlDateTime(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
