import { subgraphEnvSchema } from '@storefront/kit';

/** The products service's environment (see README). */
export const envSchema = subgraphEnvSchema(4002);
