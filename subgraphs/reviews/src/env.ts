import { subgraphEnvSchema } from '@storefront/kit';
import { z } from 'zod';

/** Where reviews finds the products service, which says whether a reviewed product exists. */
export const productsLookupEnvSchema = z.object({
  /**
   * Base URL of the products service's signed service API (not its GraphQL endpoint); the same
   * variable orders reads. @default http://127.0.0.1:4002
   */
  PRODUCTS_SERVICE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4002'),
  /** Per-call timeout of addReview's product lookup, in milliseconds. @default 3000 */
  PRODUCTS_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(3000),
});

export type ProductsLookupEnv = z.infer<typeof productsLookupEnvSchema>;

/** The reviews service's environment (see README). */
export const envSchema = subgraphEnvSchema(4003).extend(productsLookupEnvSchema.shape);
