import { z } from 'zod';
import { SEED_PLAN_NAMES } from './seed-plan';

/** Thrown when the environment does not satisfy a service's schema; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses an environment against a zod object schema. Every problem is reported in one error,
 * so an operator fixes a deployment in one round trip instead of one variable at a time.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "unset" for operators (e.g. `FOO= npm start`).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}

const port = z.coerce.number().int().min(0).max(65535);

/** `true`/`false` (or `1`/`0`) from the environment; zod's coerce would read "false" as true. */
export const booleanSchema = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** Variables every deployable accepts. */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds a shutting-down service waits for in-flight requests. @default 10 */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().positive().default(10),
  /** Max request body in bytes. @default 1 MB */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_000_000),
  /** Folder of the embedded databases and development keys. @default <project>/.data */
  DATA_DIR: z.string().optional(),
  /**
   * An event loop blocked longer than this is a stall: `/health` then answers 503 for 30 s, so a
   * liveness probe replaces a process that keeps stalling. @default 1000 ms
   */
  EVENT_LOOP_STALL_MS: z.coerce.number().int().positive().default(1000),
  /**
   * A process whose event loop has been blocked this long is killed by a watcher thread, so its
   * supervisor restarts it (a blocked loop answers nothing, not even SIGTERM). 0: never. @default 30000 ms
   */
  EVENT_LOOP_KILL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * An OpenTelemetry collector's OTLP/HTTP base URL (spans go to `<url>/v1/traces`). Unset: no
   * tracing, nothing exported. @default unset
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. http://otel-collector:4318' }).optional(),
});

/** Variables of a subgraph service, given its default port. */
export function subgraphEnvSchema(defaultPort: number) {
  return baseEnvSchema.extend({
    PORT: port.default(defaultPort),
    DATABASE_URL: z
      .string()
      .regex(/^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/, 'must be mysql://user:pass@host:port/dbname')
      .optional(),
    /** Seed data on start when the database is empty: none, or a plan of SEED_PLANS (demo, the benchmark's large, scale1k, scale100k). */
    SEED: z.enum(['none', ...SEED_PLAN_NAMES]).default('none'),
    JWT_PUBLIC_KEY: z.string().optional(),
    /** Shared secret that signs calls between our services; a development secret is used when unset outside production. */
    SERVICE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Refuse (401) every call without a valid service signature, as production always does; set
     * `true` to get the production behaviour elsewhere. @default false (true when NODE_ENV=production)
     */
    REQUIRE_SERVICE_SIGNATURE: booleanSchema.optional(),
    /**
     * Redis shared by this service's replicas (rate-limit counters, seen signature nonces). Unset:
     * each replica keeps its own in memory. @default unset
     */
    REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be redis://host:port (or rediss://)' }).optional(),
  });
}

export type SubgraphEnv = z.infer<ReturnType<typeof subgraphEnvSchema>>;

/** Reads the process environment; on error prints the problems and exits 1. */
export function loadEnvOrExit<S extends z.ZodObject>(schema: S, service: string): z.infer<S> {
  try {
    return parseEnv(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${service}] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export { port as portSchema };
