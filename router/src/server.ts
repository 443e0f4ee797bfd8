import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  createLogger,
  dataDir,
  developmentKeyPair,
  maskError,
  publicKeyFromPem,
  startHttpServer,
  type Logger,
  type RunningHttpServer,
} from '@storefront/kit';
import { contextBuilder, type RouterContext } from './context';
import { disableVendorTelemetry, subgraphUrlOverrides, type RouterEnv } from './env';
import { SubgraphClient } from './subgraph-client';
import { defaultSupergraphPath, fileSupergraph } from './supergraph';

export interface RunningRouter {
  url: string;
  port: number;
  http: RunningHttpServer;
  close(): Promise<void>;
}

function corsOrigins(env: RouterEnv): string[] | '*' | undefined {
  if (env.CORS_ORIGINS === '*') return '*';
  if (env.CORS_ORIGINS) return env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  return env.NODE_ENV === 'production' ? undefined : '*';
}

function verificationKey(env: RouterEnv) {
  if (env.JWT_PUBLIC_KEY) return publicKeyFromPem(env.JWT_PUBLIC_KEY);
  if (env.NODE_ENV === 'production') throw new Error('JWT_PUBLIC_KEY is required in production');
  return developmentKeyPair(dataDir(env.DATA_DIR)).publicKey;
}

/**
 * The router: `@apollo/gateway` on a static supergraph file (no run-time introspection), behind
 * the kit's HTTP front. Subgraph URLs come from the supergraph unless `<NAME>_URL` overrides them.
 */
export async function startRouter(
  env: RouterEnv,
  log: Logger = createLogger('router', env.LOG_LEVEL),
  urlOverrides: Record<string, string> = subgraphUrlOverrides(env),
): Promise<RunningRouter> {
  disableVendorTelemetry();
  const production = env.NODE_ENV === 'production';
  const supergraphPath = env.SUPERGRAPH_PATH ?? defaultSupergraphPath();
  const publicKey = verificationKey(env);
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph({ path: supergraphPath, log, pollIntervalMs: env.SUPERGRAPH_POLL_INTERVAL_MS }),
    buildService: ({ name, url }) => {
      const target = urlOverrides[name] ?? url;
      if (!target) throw new Error(`Subgraph ${name} has no URL: set ${name.toUpperCase()}_URL`);
      return new SubgraphClient({ name, url: target, timeoutMs: env.SUBGRAPH_TIMEOUT_MS });
    },
    logger: {
      debug: (m: unknown) => log.debug({ gateway: m }),
      info: (m: unknown) => log.info({ gateway: m }),
      warn: (m: unknown) => log.warn({ gateway: m }),
      error: (m: unknown) => log.error({ gateway: m }),
    },
  });
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    csrfPrevention: true,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // runService owns SIGTERM: it drains the HTTP server first, then stops Apollo and the pool.
    stopOnTerminationSignals: false,
    formatError: (formatted) => maskError(formatted),
    plugins: [
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();
  const http = await startHttpServer<RouterContext>(
    {
      log,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: corsOrigins(env),
      graphql: { server: apollo, context: contextBuilder(publicKey) },
      // Started means the gateway has loaded and validated the supergraph and can plan queries.
      ready: () => true,
    },
    env.PORT,
  );
  log.info({ port: http.port, supergraph: supergraphPath, overrides: urlOverrides }, 'router ready');
  return {
    url: `${http.url}/graphql`,
    port: http.port,
    http,
    async close() {
      await http.close(env.SHUTDOWN_GRACE_SECONDS * 1000);
      await apollo.stop();
    },
  };
}
