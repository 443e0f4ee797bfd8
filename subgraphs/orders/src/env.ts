import { subgraphEnvSchema } from '@storefront/kit';

/** The orders service's environment (see README). */
export const envSchema = subgraphEnvSchema(4004);
