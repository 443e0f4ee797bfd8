import { baseEnvSchema, portSchema } from '@storefront/kit';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });

/** The router's environment (see README). */
export const envSchema = baseEnvSchema.extend({
  PORT: portSchema.default(4000),
  /** The supergraph to serve. @default <project>/schema/supergraph.graphql */
  SUPERGRAPH_PATH: z.string().optional(),
  /** How often the supergraph file is checked for changes, in milliseconds. @default 1000 */
  SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  /** Override a subgraph's routing URL from the supergraph: `<NAME>_URL`, e.g. USERS_URL. */
  USERS_URL: url.optional(),
  PRODUCTS_URL: url.optional(),
  REVIEWS_URL: url.optional(),
  ORDERS_URL: url.optional(),
  /** Comma-separated browser origins allowed by CORS, or `*`. @default `*` outside production, none in it */
  CORS_ORIGINS: z.string().optional(),
  /** Public key (SPKI PEM) that verifies users' tokens; a development key is used when unset outside production. */
  JWT_PUBLIC_KEY: z.string().optional(),
  /** Per-fetch timeout to a subgraph in milliseconds. @default 10000 */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export type RouterEnv = z.infer<typeof envSchema>;

/** Subgraph URL overrides from the environment, keyed by subgraph name (lower case). */
export function subgraphUrlOverrides(env: RouterEnv, source: Record<string, string | undefined> = process.env): Record<string, string> {
  const overrides: Record<string, string> = {};
  // Any `<NAME>_URL` counts, so the router serves any supergraph, not only ours.
  for (const [key, value] of Object.entries(source)) {
    const match = /^([A-Z0-9_]+)_URL$/.exec(key);
    if (match && value && /^https?:\/\//.test(value)) overrides[match[1]!.toLowerCase()] = value;
  }
  for (const name of ['users', 'products', 'reviews', 'orders'] as const) {
    const value = env[`${name.toUpperCase() as Uppercase<typeof name>}_URL`];
    if (value) overrides[name] = value;
  }
  return overrides;
}

/**
 * `@apollo/gateway` starts a metrics exporter to the vendor's cloud unless this is set; nothing
 * but subgraph calls may leave the router.
 */
export function disableVendorTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}
