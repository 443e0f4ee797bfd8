import 'reflect-metadata';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import {
  DataSource,
  type DataSourceOptions,
  type EntitySchema,
  type Logger as TypeOrmLogger,
  type MixedList,
} from 'typeorm';
import type { Logger } from './logger';

/** Counts the SQL statements a data source runs; tests and the benchmark read it. */
export class StatementCounter implements TypeOrmLogger {
  count = 0;
  constructor(private readonly sink?: Logger) {}
  logQuery(): void {
    this.count += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    // The statement goes to the log for the operator, never to the client.
    this.count += 1;
    this.sink?.error({ err: error instanceof Error ? error.message : error, query }, 'query failed');
  }
  logQuerySlow(time: number, query: string): void {
    this.sink?.warn({ ms: time, query }, 'slow query');
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.sink?.info({ migration: message }, 'migration');
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.sink?.warn({ typeorm: message }, 'typeorm warning');
  }
}

export interface DatabaseOptions {
  /** `mysql://user:pass@host:port/dbname`; unset for the embedded SQLite file. */
  url?: string;
  /** Name of the embedded database file (`<dataDir>/<name>.sqlite`). */
  name: string;
  dataDir: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logger?: Logger;
}

export interface Database {
  dataSource: DataSource;
  statements: StatementCounter;
  kind: 'mysql' | 'sqlite';
  /** True when a trivial query answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Splits `mysql://…/dbname` into the server URL and the database name. */
export function splitMysqlUrl(url: string): { serverUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid database name in DATABASE_URL`);
  parsed.pathname = '/';
  return { serverUrl: parsed.toString(), database };
}

/** Creates the database on the server if it is missing (needs the CREATE privilege). */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  const { serverUrl, database } = splitMysqlUrl(url);
  const connection = await createConnection({ uri: serverUrl, connectTimeout: 10_000 });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

/**
 * Opens a subgraph's own database, creating it if missing, and applies its migrations.
 * MySQL/MariaDB when a URL is given; otherwise an embedded SQLite (sql.js, pure WebAssembly)
 * persisted to a file, so `npm start` needs no database server.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const statements = new StatementCounter(options.logger);
  const common = {
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    logger: statements,
    logging: ['query', 'error', 'warn', 'migration'] as ('query' | 'error' | 'warn' | 'migration')[],
    maxQueryExecutionTime: 1000,
  };
  let config: DataSourceOptions;
  if (options.url) {
    await ensureMysqlDatabase(options.url);
    config = {
      ...common,
      type: 'mysql',
      url: options.url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      poolSize: 10,
      connectTimeout: 10_000,
      extra: { enableKeepAlive: true },
    };
  } else {
    config = {
      ...common,
      type: 'sqljs',
      location: join(options.dataDir, `${options.name}.sqlite`),
      autoSave: true,
      useLocalForage: false,
    };
  }
  const dataSource = new DataSource(config);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return {
    dataSource,
    statements,
    kind: options.url ? 'mysql' : 'sqlite',
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        const ok = dataSource.query('SELECT 1').then(
          () => true,
          () => false,
        );
        return await Promise.race([ok, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
