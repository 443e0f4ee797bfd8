import { join, resolve } from 'node:path';
import { ConfigError, parseEnv } from '@storefront/kit';
import type { z } from 'zod';
import { envSchema as routerEnv } from '../../../router/src/env';
import { envSchema as ordersEnv } from '../../../subgraphs/orders/src/env';
import { envSchema as productsEnv } from '../../../subgraphs/products/src/env';
import { envSchema as reviewsEnv } from '../../../subgraphs/reviews/src/env';
import { envSchema as usersEnv } from '../../../subgraphs/users/src/env';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const repo = (...parts: string[]): string => join(ROOT, ...parts);

export interface Service {
  name: 'router' | 'users' | 'products' | 'reviews' | 'orders';
  /** The workspace folder, as the Dockerfile's WORKSPACE build argument names it. */
  workspace: string;
  /** The port of the contract (docs: "Ports and endpoints"). */
  port: number;
  kind: 'router' | 'subgraph';
  /** The service's own env schema, imported from its source: what it accepts at start-up. */
  envSchema: z.ZodObject;
}

export const SERVICES: Service[] = [
  { name: 'router', workspace: 'router', port: 4000, kind: 'router', envSchema: routerEnv },
  { name: 'users', workspace: 'subgraphs/users', port: 4001, kind: 'subgraph', envSchema: usersEnv },
  { name: 'products', workspace: 'subgraphs/products', port: 4002, kind: 'subgraph', envSchema: productsEnv },
  { name: 'reviews', workspace: 'subgraphs/reviews', port: 4003, kind: 'subgraph', envSchema: reviewsEnv },
  { name: 'orders', workspace: 'subgraphs/orders', port: 4004, kind: 'subgraph', envSchema: ordersEnv },
];

export const SUBGRAPHS = SERVICES.filter((s) => s.kind === 'subgraph');

export function service(name: string): Service {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}

/** The contract's probe paths. */
export const PROBES = { liveness: '/health', readiness: '/ready' } as const;

/**
 * Variables the deployment files already set for features other issues are building, which the
 * service's schema does not declare yet (zod ignores unknown keys, so they are harmless until
 * then). Once a schema declares one, it is validated like every other variable.
 */
export const PENDING_VARIABLES: Partial<Record<Service['name'], string[]>> = {
};

/**
 * Variables the code requires in production beyond what the schema enforces (the kit's
 * verificationKey and serviceSecret throw at start-up without them).
 */
export const START_UP_REQUIRED_IN_PRODUCTION = ['JWT_PUBLIC_KEY', 'SERVICE_SECRET'];

/**
 * Checks an environment as the service will at start-up: the schema accepts it, it declares no
 * variable the schema does not know (a typo would otherwise be ignored silently), and in
 * production it has what the code requires beyond the schema. Returns the problems.
 */
export function envProblems(svc: Service, env: Record<string, string>): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(svc.envSchema.shape));
  for (const key of Object.keys(env)) {
    if (!known.has(key) && !(PENDING_VARIABLES[svc.name] ?? []).includes(key)) {
      problems.push(`${key} is not a variable of ${svc.name}`);
    }
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseEnv(svc.envSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...problems, ...error.problems];
    throw error;
  }
  if (parsed.NODE_ENV === 'production') {
    // Read from the raw env: a pending variable is not in the parsed result yet.
    for (const key of START_UP_REQUIRED_IN_PRODUCTION) if (!parsed[key] && !env[key]) problems.push(`${key} is required in production`);
  }
  return problems;
}

/** The port a service listens on when PORT is unset: its schema's default. */
export function defaultPort(svc: Service): number {
  const parsed = svc.envSchema.safeParse({ NODE_ENV: 'test' });
  if (parsed.success) return (parsed.data as { PORT: number }).PORT;
  // A schema that needs more to parse (none today): read the default off the PORT field.
  return (svc.envSchema.shape.PORT as z.ZodType).parse(undefined) as number;
}
