import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from './logger';

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
 * A subgraph's periodic work (expiring reservations, reconciling orders), stopped with the
 * subgraph. On MySQL the jobs get a small pool of their own: they never take a connection a request
 * is waiting for, and their statements stay out of the request statement counter that tests and
 * the benchmark read. sql.js is one in-process database, so there they share the request one.
 */
export class BackgroundJobs {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private pool: Promise<DataSource> | undefined;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
  ) {}

  /** Runs `job` now and then every `intervalMs`, never two runs of it at a time. */
  every(name: string, intervalMs: number, job: (db: DataSource) => Promise<void>): void {
    let busy = false;
    const run = () => {
      if (busy || this.stopped) return;
      busy = true;
      const done = this.dataSource()
        .then(job)
        .catch((error: unknown) => {
          if (!this.stopped) this.log.warn({ err: error, job: name }, `${name} failed; retrying on its next run`);
        })
        .finally(() => {
          busy = false;
          this.running.delete(done);
        });
      this.running.add(done);
    };
    const timer = setInterval(run, intervalMs);
    // Timers never keep a process alive on their own: stop() is the way out.
    timer.unref();
    this.timers.add(timer);
    run();
  }

  /** Stops the timers, waits for runs in progress, and closes the jobs' pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.running);
    const pool = await this.pool?.catch(() => undefined);
    if (pool && pool !== this.db && pool.isInitialized) await pool.destroy();
  }

  private dataSource(): Promise<DataSource> {
    this.pool ??= (async () => {
      if (this.db.options.type !== 'mysql') return this.db;
      const background = new DataSource({
        ...this.db.options,
        poolSize: 2,
        migrations: [],
        migrationsRun: false,
        logger: quietLogger(this.log),
      } as DataSourceOptions);
      await background.initialize();
      return background;
    })();
    return this.pool;
  }
}
