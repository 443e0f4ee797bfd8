import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import {
  createLogger,
  DateTimeScalar,
  loadTypeDefs,
  MemoryRateLimitStore,
  RedisRateLimitStore,
  signToken,
  type Logger,
  type SubgraphDefinition,
} from '@storefront/kit';
import { User } from './entities/user.entity';
import { CreateUsers1732233600000 } from './migrations/1732233600000-create-users.migration';
import { MemoryLoginAttemptStore, RedisLoginAttemptStore, type RedisClient } from './login-attempts.store';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
import { PasswordHasher, type PasswordHashingOptions } from './password-hasher';
import { SignUpThrottle, type SignUpThrottleOptions } from './signup-throttle';
import { hasData, seed } from './seed';
import { createUserLoaders } from './user.loaders';
import { createUserResolvers, type UsersContext } from './user.resolvers';

export interface UsersSubgraphOptions {
  /** Ed25519 private key that signs the tokens of signUp and logIn. */
  signingKey: KeyObject;
  /** Lifetime of those tokens. */
  tokenTtlSeconds: number;
  /** Log-in throttling (backoff per account and address, ceiling per address). @default DEFAULT_LOGIN_THROTTLE */
  loginThrottle?: Partial<LoginThrottleOptions>;
  /** Sign-ups per client address. @default DEFAULT_SIGNUP_THROTTLE */
  signUpThrottle?: Partial<SignUpThrottleOptions>;
  /** Bounds on the hashes running at once. @default DEFAULT_PASSWORD_HASHING */
  passwordHashing?: Partial<PasswordHashingOptions>;
  /** The hasher itself, e.g. to read its counters in a test. @default a PasswordHasher of `passwordHashing` */
  hasher?: PasswordHasher;
  /**
   * Where the throttles count, so every replica sees the same counters (the process connects with
   * kit's `connectRedis` when REDIS_URL is set, and closes it on shutdown). @default this process's memory
   */
  redis?: RedisClient;
  /** Where Redis fallbacks are logged. @default a silent logger */
  log?: Logger;
  /** The throttles' clock. @default Date.now */
  now?: () => number;
}

/** The throttles and hasher of one service instance: their counters outlive requests. */
function credentialGuards(options: UsersSubgraphOptions) {
  const now = options.now ?? Date.now;
  const log = options.log ?? createLogger('users', 'silent');
  const { redis } = options;
  return {
    logIn: new LoginThrottle(options.loginThrottle, redis ? new RedisLoginAttemptStore(redis, log) : new MemoryLoginAttemptStore(), now),
    signUp: new SignUpThrottle(options.signUpThrottle, redis ? new RedisRateLimitStore(redis, log) : new MemoryRateLimitStore(now)),
    hasher: options.hasher ?? new PasswordHasher(options.passwordHashing),
  };
}

/** The users subgraph: accounts, credentials, and the tokens every other service trusts. */
export function createUsersSubgraph(options: UsersSubgraphOptions): SubgraphDefinition<UsersContext> {
  const issueToken = (user: User) =>
    signToken(options.signingKey, { userId: user.id, roles: user.isAdmin ? ['admin'] : [], scopes: [] }, options.tokenTtlSeconds);
  return {
    name: 'users',
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers: { DateTime: DateTimeScalar, ...createUserResolvers(issueToken, credentialGuards(options)) },
    entities: [User],
    migrations: [CreateUsers1732233600000],
    createContext: (base) => ({ ...base, loaders: createUserLoaders(base.db), signedIn: new Set<string>() }),
    seed,
    hasData,
  };
}
