import { runService, startSubgraph } from '@storefront/kit';
import { envSchema } from './env';
import { productsSubgraph } from './server';

void runService('products', envSchema, (env, log) => startSubgraph(productsSubgraph, env, log));
