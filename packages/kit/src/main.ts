import type { z } from 'zod';
import { loadEnvOrExit, type SubgraphEnv } from './env';
import { EventLoopWatchdog, installWatchdog } from './event-loop-watchdog';
import { createLogger, type Logger } from './logger';
import { startTracing } from './tracing';

export interface Closable {
  close(): Promise<void>;
}

/**
 * The `index.ts` of a deployable: validate the environment, start, and on SIGTERM/SIGINT drain
 * and exit 0. A start-up failure is logged plainly and exits 1, so an orchestrator sees it.
 */
export async function runService<S extends z.ZodObject>(
  service: string,
  schema: S,
  start: (env: z.infer<S>, log: Logger) => Promise<Closable>,
): Promise<void> {
  const env = loadEnvOrExit(schema, service) as z.infer<S> &
    Pick<SubgraphEnv, 'LOG_LEVEL' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'EVENT_LOOP_STALL_MS' | 'EVENT_LOOP_KILL_MS'>;
  const log = createLogger(service, env.LOG_LEVEL);
  const watchdog = new EventLoopWatchdog(service, {
    stallMs: env.EVENT_LOOP_STALL_MS,
    killAfterMs: env.EVENT_LOOP_KILL_MS,
    onStall: (blockedMs) => log.error({ blockedMs }, `event loop blocked for ${blockedMs} ms: /health answers 503 for 30 s`),
  });
  installWatchdog(watchdog);
  // Before the service starts, so its first request is traced; off unless an endpoint is set.
  const tracing = startTracing(service, { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, log });
  let running: Closable;
  try {
    running = await start(env, log);
  } catch (error) {
    log.fatal({ err: error }, `${service} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    running
      .close()
      .then(() => watchdog.stop())
      // The last spans (the drained requests') are sent before the process exits.
      .then(() => tracing.shutdown().catch((error: unknown) => log.warn({ err: error }, 'tracing: final export failed')))
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
