import { runService, startSubgraph } from '@storefront/kit';
import { envSchema } from './env';
import { ordersSubgraph } from './server';

void runService('orders', envSchema, (env, log) => startSubgraph(ordersSubgraph, env, log));
