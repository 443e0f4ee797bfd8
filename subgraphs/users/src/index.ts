import { runService, startSubgraph } from '@storefront/kit';
import { envSchema } from './env';
import { createUsersSubgraph } from './server';
import { resolveTokenKeys } from './signing-key';

void runService('users', envSchema, (env, log) => {
  const { signingKey, publicKeyPem } = resolveTokenKeys(env, log);
  const subgraph = createUsersSubgraph({
    signingKey,
    tokenTtlSeconds: env.JWT_TTL_SECONDS,
    loginThrottle: {
      perAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMs: env.LOGIN_WINDOW_SECONDS * 1000,
    },
  });
  // Verify callers with the public half of our own signing key, so the two can never disagree.
  return startSubgraph(subgraph, { ...env, JWT_PUBLIC_KEY: publicKeyPem }, log);
});
