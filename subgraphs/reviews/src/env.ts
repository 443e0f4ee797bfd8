import { subgraphEnvSchema } from '@storefront/kit';

/** The reviews service's environment (see README). */
export const envSchema = subgraphEnvSchema(4003);
