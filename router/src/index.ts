import cluster from 'node:cluster';
import { createLogger, loadEnvOrExit, runService } from '@storefront/kit';
import { envSchema } from './env';
import { identifyWorker, runPrimary } from './workers';

// Checked here first, so a bad setting is reported once, before any worker starts.
const env = loadEnvOrExit(envSchema, 'router');

if (cluster.isPrimary && env.ROUTER_WORKERS > 1) {
  runPrimary({
    workers: env.ROUTER_WORKERS,
    graceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    log: createLogger('router', env.LOG_LEVEL).child({ role: 'primary' }),
  });
} else {
  void runService('router', envSchema, async (env, log) => {
    // Loaded only where a router runs: a cluster's primary never builds the gateway.
    const { startRouter } = await import('./server.js');
    const router = await startRouter(env, cluster.isWorker ? log.child({ worker: cluster.worker!.id }) : log);
    identifyWorker(router.http.server, env.NODE_ENV === 'production');
    return router;
  });
}
