import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { Logger } from '@storefront/kit';

/*
 * One router per core (ROUTER_WORKERS > 1): a node:cluster primary forks the workers, each of which
 * runs the normal router (index.ts) on the same PORT; the primary holds the listening socket and
 * hands connections to the workers in turn. The primary only supervises: it never loads the gateway.
 */

export interface PrimaryOptions {
  workers: number;
  /** How long the workers may take to drain on SIGTERM (their SHUTDOWN_GRACE_SECONDS), in ms. */
  graceMs: number;
  log: Logger;
}

/** Restart backoff: the first unexpected death in a minute waits this long, each further one twice as long. */
const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 30_000;
const RESTART_WINDOW_MS = 60_000;
/** Beyond the workers' own grace: Apollo, Redis and the span exporter stop after the drain. */
const STOP_MARGIN_MS = 5_000;

/**
 * Runs the cluster primary: starts one worker, and once it listens (the configuration works) the
 * others; restarts a worker that dies unexpectedly, with backoff; on SIGTERM/SIGINT passes the
 * signal to every worker, waits for them to drain and exit, and exits 0. A worker that fails while
 * the cluster is starting stops the cluster with exit code 1 (its own log says why), so a bad
 * configuration is reported once instead of restarting forever.
 */
export function runPrimary({ workers, graceMs, log }: PrimaryOptions): void {
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let exitCode = 0;
  const alive = new Map<number, Worker>();
  const listening = new Set<number>();
  const deaths: number[] = [];
  const restarts = new Set<NodeJS.Timeout>();
  let deadline: NodeJS.Timeout | undefined;

  const fork = () => {
    const worker = cluster.fork();
    alive.set(worker.id, worker);
    log.info({ worker: worker.id, pid: worker.process.pid }, 'router worker starting');
  };

  const stop = (reason: string) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    for (const timer of restarts) clearTimeout(timer);
    log.info({ reason, workers: alive.size }, 'stopping router workers');
    // Each worker drains as a lone router does on SIGTERM (runService).
    for (const worker of alive.values()) worker.process.kill('SIGTERM');
    deadline = setTimeout(() => {
      log.error({ workers: [...alive.values()].map((w) => w.process.pid) }, 'router workers did not stop in time: killing them');
      exitCode = 1;
      for (const worker of alive.values()) worker.process.kill('SIGKILL');
    }, graceMs + STOP_MARGIN_MS);
    finishIfStopped();
  };

  const finishIfStopped = () => {
    if (phase !== 'stopping' || alive.size > 0) return;
    clearTimeout(deadline);
    log.info({ exitCode }, 'router workers stopped');
    process.exit(exitCode);
  };

  cluster.on('listening', (worker, address) => {
    if (listening.has(worker.id)) return;
    listening.add(worker.id);
    log.info({ worker: worker.id, pid: worker.process.pid, port: address.port }, 'router worker listening');
    if (phase !== 'starting') return;
    // The first worker proved the configuration and claimed the port: start the others together.
    if (listening.size === 1) for (let i = 1; i < workers; i += 1) fork();
    if (listening.size === workers) {
      phase = 'running';
      log.info({ workers, port: address.port }, 'router workers ready');
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker.id);
    const served = listening.delete(worker.id);
    const pid = worker.process.pid;
    if (phase === 'stopping') {
      // Killed by our own SIGTERM before it could install its handler is a clean stop too.
      if (code !== 0 && signal !== 'SIGTERM') {
        log.error({ worker: worker.id, pid, code, signal }, 'router worker failed to stop cleanly');
        exitCode = 1;
      }
      finishIfStopped();
      return;
    }
    if (phase === 'starting') {
      log.fatal({ worker: worker.id, pid, code, signal }, 'router worker failed while starting: stopping (see its log above)');
      exitCode = 1;
      stop('start-up failed');
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while (deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (deaths.length - 1));
    log.error(
      { worker: worker.id, pid, code, signal, restartInMs: delay, workers: alive.size },
      served ? 'router worker died: restarting it' : 'router worker failed to start: retrying',
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (phase === 'running') fork();
    }, delay);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log.info({ workers, pid: process.pid }, 'router cluster starting');
  fork();
}

/**
 * In a worker outside production, names the worker that served each response (`x-router-worker`:
 * its pid), so one can see the load spread. Prepended, so it runs before any route answers.
 */
export function identifyWorker(server: Server, production: boolean): void {
  if (!cluster.isWorker || production) return;
  const pid = String(process.pid);
  server.prependListener('request', (_req, res) => res.setHeader('x-router-worker', pid));
}
