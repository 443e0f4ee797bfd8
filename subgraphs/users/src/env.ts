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
    /** Failed log-ins of one (email, client address) pair before that pair must wait between attempts. @default 5 */
    LOGIN_FAILURES_BEFORE_BACKOFF: z.coerce.number().int().positive().default(5),
    /** A pair's first wait, doubled with each further failure. @default 10 */
    LOGIN_BACKOFF_BASE_SECONDS: z.coerce.number().int().positive().default(10),
    /** The longest wait of a pair. @default 900 */
    LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().positive().default(900),
    /** Failed log-ins allowed per client address (any emails) in LOGIN_WINDOW_SECONDS. @default 50 */
    LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(50),
    /** The address ceiling's window; also how long a pair's failures are remembered after its last wait ends. @default 900 */
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
    /** Log-in password checks running at once in the process (the rest wait their turn). @default 2 */
    LOGIN_MAX_CONCURRENT_HASHES: z.coerce.number().int().positive().default(2),
    /** Sign-ups allowed per client address in SIGNUP_WINDOW_SECONDS, created or not. @default 10 */
    SIGNUP_MAX_PER_ADDRESS: z.coerce.number().int().positive().default(10),
    /** The sign-up limit's window. @default 3600 */
    SIGNUP_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Sign-up password hashes running at once in the process. @default 1 */
    SIGNUP_MAX_CONCURRENT_HASHES: z.coerce.number().int().positive().default(1),
    /** Sign-ups waiting for a hash; past it, RATE_LIMITED at once. @default 8 */
    SIGNUP_MAX_QUEUED_HASHES: z.coerce.number().int().min(0).default(8),
  })
  .refine((env) => env.NODE_ENV !== 'production' || Boolean(env.JWT_PRIVATE_KEY), {
    path: ['JWT_PRIVATE_KEY'],
    message: 'is required in production',
    // Run even when other variables are invalid, so the operator sees every problem at once.
    when: () => true,
  });

export type UsersEnv = z.infer<typeof envSchema>;
