import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, developmentKeyPair, parseEnv, signToken, verifyToken, publicKeyFromPem } from '@storefront/kit';
import { envSchema } from '../env';
import { resolveTokenKeys } from '../signing-key';

const log = createLogger('users-test', 'silent');
const pem = (type: 'ed25519' | 'rsa') => {
  const { privateKey, publicKey } =
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};

describe('users environment', () => {
  it('defaults to port 4001 and a one-hour token lifetime', () => {
    const env = parseEnv(envSchema, {});
    expect(env.PORT).toBe(4001);
    expect(env.JWT_TTL_SECONDS).toBe(3600);
  });

  it('lists a missing production key together with every other problem', () => {
    expect(() => parseEnv(envSchema, { NODE_ENV: 'production', JWT_TTL_SECONDS: 'soon' })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([expect.stringMatching(/^JWT_PRIVATE_KEY: is required/), expect.stringMatching(/^JWT_TTL_SECONDS/)]),
      }),
    );
  });

  it('refuses a private key that is not an Ed25519 PEM', () => {
    for (const JWT_PRIVATE_KEY of ['not a key', pem('rsa').privatePem]) {
      expect(() => parseEnv(envSchema, { JWT_PRIVATE_KEY })).toThrow(/JWT_PRIVATE_KEY: must be a PEM/);
    }
  });
});

describe('token keys', () => {
  it('signs with JWT_PRIVATE_KEY and verifies with its public half', async () => {
    const { privatePem, publicPem } = pem('ed25519');
    const keys = resolveTokenKeys(parseEnv(envSchema, { JWT_PRIVATE_KEY: privatePem, JWT_PUBLIC_KEY: publicPem }), log);
    expect(keys.publicKeyPem).toBe(publicPem);
    const token = await signToken(keys.signingKey, { userId: 'u1', roles: ['admin'], scopes: [] }, 60);
    await expect(verifyToken(publicKeyFromPem(keys.publicKeyPem), token)).resolves.toMatchObject({ userId: 'u1', roles: ['admin'] });
  });

  it('refuses a JWT_PUBLIC_KEY that does not match the private key', () => {
    const env = parseEnv(envSchema, { JWT_PRIVATE_KEY: pem('ed25519').privatePem, JWT_PUBLIC_KEY: pem('ed25519').publicPem });
    expect(() => resolveTokenKeys(env, log)).toThrow(ConfigError);
  });

  it('falls back to the shared development key pair outside production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'users-keys-'));
    const keys = resolveTokenKeys(parseEnv(envSchema, { DATA_DIR: dir }), log);
    const shared = developmentKeyPair(dir).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(keys.publicKeyPem).toBe(shared);
  });
});
