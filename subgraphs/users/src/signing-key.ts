import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError, dataDir, developmentKeyPair, keyPairFromPem, type Logger } from '@storefront/kit';
import type { UsersEnv } from './env';

export interface TokenKeys {
  /** Signs the tokens that signUp and logIn hand out. */
  signingKey: KeyObject;
  /** The matching public key (SPKI PEM) this service verifies callers with. */
  publicKeyPem: string;
}

const spki = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

function publicPemOf(pem: string): string | undefined {
  try {
    return spki(createPublicKey(pem));
  } catch {
    return undefined;
  }
}

/**
 * The key pair of the token issuer: JWT_PRIVATE_KEY, or outside production the development pair
 * under DATA_DIR that the router and the other subgraphs also fall back to. A JWT_PUBLIC_KEY that
 * does not match the private key is refused: every token we issue would then be rejected.
 */
export function resolveTokenKeys(env: UsersEnv, log: Logger): TokenKeys {
  let pair;
  if (env.JWT_PRIVATE_KEY) {
    pair = keyPairFromPem(env.JWT_PRIVATE_KEY);
  } else if (env.NODE_ENV === 'production') {
    throw new ConfigError(['JWT_PRIVATE_KEY: is required in production']);
  } else {
    log.warn('JWT_PRIVATE_KEY is not set: signing tokens with the development key pair (never in production)');
    pair = developmentKeyPair(dataDir(env.DATA_DIR));
  }
  const publicKeyPem = spki(pair.publicKey);
  if (env.JWT_PUBLIC_KEY && publicPemOf(env.JWT_PUBLIC_KEY) !== publicKeyPem) {
    throw new ConfigError(['JWT_PUBLIC_KEY: does not match the signing key']);
  }
  return { signingKey: pair.privateKey, publicKeyPem };
}
