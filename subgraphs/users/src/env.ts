import { createPrivateKey } from 'node:crypto';
import { subgraphEnvSchema } from '@storefront/kit';
import { z } from 'zod';

/** True when the text is a PEM private key of the algorithm tokens are signed with (Ed25519). */
function isEd25519PrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

/** The users service's environment (see README). */
export const envSchema = subgraphEnvSchema(4001)
  .extend({
    /** PEM (PKCS#8) Ed25519 private key that signs tokens. @default the development key pair under DATA_DIR */
    JWT_PRIVATE_KEY: z
      .string()
      .refine(isEd25519PrivateKey, 'must be a PEM (PKCS#8) Ed25519 private key')
      .optional(),
    /** Lifetime of issued tokens, in seconds. @default 3600 */
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(3600),
    /** Failed log-ins allowed per email address in LOGIN_WINDOW_SECONDS. @default 5 */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
    /** Failed log-ins allowed per client address (any emails) in LOGIN_WINDOW_SECONDS. @default 50 */
    LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(50),
    /** The log-in limits' window. @default 900 */
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  })
  .refine((env) => env.NODE_ENV !== 'production' || Boolean(env.JWT_PRIVATE_KEY), {
    path: ['JWT_PRIVATE_KEY'],
    message: 'is required in production',
    // Run even when other variables are invalid, so the operator sees every problem at once.
    when: () => true,
  });

export type UsersEnv = z.infer<typeof envSchema>;
