import { runService } from '@storefront/kit';
import { envSchema } from './env';
import { startRouter } from './server';

void runService('router', envSchema, (env, log) => startRouter(env, log));
