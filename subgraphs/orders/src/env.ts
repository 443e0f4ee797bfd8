import { subgraphEnvSchema } from '@storefront/kit';
import { z } from 'zod';

/** The checkout saga's settings (see README). */
export const checkoutEnvSchema = z.object({
  /** Base URL of the products service's signed reservation API (not its GraphQL endpoint). */
  PRODUCTS_SERVICE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4002'),
  /** Per-call timeout to the products service in milliseconds. @default 3000 */
  PRODUCTS_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(3000),
  /** How often PENDING orders (and unfinished cancellations) are reconciled. @default 5 */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).default(5),
  /** How old an unfinished order must be before the reconciler takes it over. @default 10 */
  RECONCILE_AFTER_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  /**
   * Test-only crash switch: `1` exits the process right after stock is reserved, before the order
   * is confirmed, to prove crash recovery. Off unless set; refused in production.
   */
  ORDERS_CRASH_AFTER_RESERVE: z.enum(['0', '1']).default('0'),
});

export type CheckoutEnv = z.infer<typeof checkoutEnvSchema>;

/** The orders service's environment (see README). */
export const envSchema = subgraphEnvSchema(4004).extend(checkoutEnvSchema.shape);
