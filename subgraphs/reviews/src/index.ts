import { runService, startSubgraph } from '@storefront/kit';
import { envSchema } from './env';
import { reviewsSubgraph } from './server';

void runService('reviews', envSchema, (env, log) => startSubgraph(reviewsSubgraph, env, log));
