import { closeRedis, connectRedis, runService, startSubgraph } from '@storefront/kit';
import { envSchema } from './env';
import { createUsersSubgraph } from './server';
import { resolveTokenKeys } from './signing-key';

void runService('users', envSchema, async (env, log) => {
  const { signingKey, publicKeyPem } = resolveTokenKeys(env, log);
  // The throttles' counters, shared by every replica (connectRedis falls back to memory while Redis is down).
  const redis = env.REDIS_URL ? await connectRedis(env.REDIS_URL, log) : undefined;
  const subgraph = createUsersSubgraph({
    signingKey,
    tokenTtlSeconds: env.JWT_TTL_SECONDS,
    loginThrottle: {
      failuresBeforeBackoff: env.LOGIN_FAILURES_BEFORE_BACKOFF,
      backoffBaseMs: env.LOGIN_BACKOFF_BASE_SECONDS * 1000,
      backoffMaxMs: env.LOGIN_BACKOFF_MAX_SECONDS * 1000,
      perAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMs: env.LOGIN_WINDOW_SECONDS * 1000,
    },
    signUpThrottle: { perAddress: env.SIGNUP_MAX_PER_ADDRESS, windowMs: env.SIGNUP_WINDOW_SECONDS * 1000 },
    passwordHashing: {
      signUpConcurrency: env.SIGNUP_MAX_CONCURRENT_HASHES,
      signUpQueue: env.SIGNUP_MAX_QUEUED_HASHES,
      logInConcurrency: env.LOGIN_MAX_CONCURRENT_HASHES,
    },
    redis,
    log,
  });
  try {
    // Verify callers with the public half of our own signing key, so the two can never disagree.
    const running = await startSubgraph(subgraph, { ...env, JWT_PUBLIC_KEY: publicKeyPem }, log);
    return {
      async close() {
        // Requests drain first: the last of them may still count an attempt.
        await running.close();
        await closeRedis(redis);
      },
    };
  } catch (error) {
    await closeRedis(redis);
    throw error;
  }
});
