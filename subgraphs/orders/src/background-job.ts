import type { Logger } from '@storefront/kit';
import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';

/** How often a job checks whether its subgraph has closed, between runs. */
const CLOSE_CHECK_MS = 250;

/** Background statements go to the service log only when they fail or are slow. */
function quietLogger(log: Logger): TypeOrmLogger {
  return {
    logQuery() {},
    logQueryError: (error, query) => log.warn({ err: error instanceof Error ? error.message : error, query }, 'background query failed'),
    logQuerySlow: (ms, query) => log.warn({ ms, query }, 'slow background query'),
    logSchemaBuild() {},
    logMigration() {},
    log() {},
  };
}

/**
 * On MySQL, background work gets a small pool of its own: it never takes a connection a request is
 * waiting for, and its statements stay out of the request statement counter that tests and the
 * benchmark read (a sweep landing inside a measured request would otherwise count). sql.js is a
 * single in-process database, so there it is the request data source itself.
 */
async function openBackgroundDataSource(db: DataSource, log: Logger): Promise<DataSource> {
  if (db.options.type !== 'mysql') return db;
  const background = new DataSource({
    ...db.options,
    poolSize: 2,
    migrations: [],
    migrationsRun: false,
    logger: quietLogger(log),
  } as DataSourceOptions);
  await background.initialize();
  return background;
}

/**
 * Runs `job` at once and then every `intervalMs`, never two at a time, on the background data
 * source. The kit has no close hook for a subgraph's own timers, so the timer is unref'd (it never
 * keeps the process alive) and the job stops itself, closing its pool, once the subgraph has closed
 * its database.
 */
export function runInBackground(
  db: DataSource,
  log: Logger,
  name: string,
  intervalMs: number,
  job: (background: DataSource) => Promise<void>,
): void {
  let background: DataSource | undefined;
  let busy = false;
  let nextRunAt = Date.now();
  const timer = setInterval(
    () => {
      if (busy) return;
      if (!db.isInitialized) {
        clearInterval(timer);
        if (background && background !== db && background.isInitialized) void background.destroy().catch(() => undefined);
        return;
      }
      if (Date.now() < nextRunAt) return;
      busy = true;
      (async () => {
        background ??= await openBackgroundDataSource(db, log);
        await job(background);
      })()
        .catch((error: unknown) => {
          if (db.isInitialized) log.warn({ err: error, job: name }, `${name} failed; retrying on its next run`);
        })
        .finally(() => {
          busy = false;
          nextRunAt = Date.now() + intervalMs;
        });
    },
    Math.min(intervalMs, CLOSE_CHECK_MS),
  );
  timer.unref();
}
