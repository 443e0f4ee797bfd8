import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { MYSQL_URL } from '@storefront/testing';

export const SUBGRAPH_NAMES = ['users', 'products', 'reviews', 'orders'] as const;

/** A prefix no other test run uses, ending in _ (the character GRANT treats as a wildcard). */
export const uniquePrefix = (label: string): string => `t_${label}_${randomBytes(3).toString('hex')}_`;

export async function asAdmin<T>(run: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection({ uri: MYSQL_URL });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

/** The error code a statement fails with, or 'OK'. */
export async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Connects with a subgraph's DATABASE_URL, optionally to another database than its own. */
export function connect(url: string, database?: string): Promise<Connection> {
  const parsed = new URL(url);
  if (database !== undefined) parsed.pathname = `/${database}`;
  return createConnection({ uri: parsed.toString() });
}

/**
 * A database named like `prefix + name` with its `_` replaced: a GRANT on the unescaped name would
 * cover it too. It must stay out of reach.
 */
export const lookalike = (database: string): string => database.replace(/_/g, 'X');

/** Drops what a test created: the databases (and look-alikes) and the users, by exact name. */
export async function dropAll(prefix: string): Promise<void> {
  await asAdmin(async (c) => {
    for (const name of SUBGRAPH_NAMES) {
      const database = `${prefix}${name}`;
      await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await c.query(`DROP DATABASE IF EXISTS \`${lookalike(database)}\``);
      await c.query('DROP USER IF EXISTS ?@?', [database, '%']);
    }
  });
}
