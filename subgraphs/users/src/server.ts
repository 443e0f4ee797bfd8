import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { DateTimeScalar, loadTypeDefs, signToken, type SubgraphDefinition } from '@storefront/kit';
import { User } from './entities/user.entity';
import { CreateUsers1732233600000 } from './migrations/1732233600000-create-users.migration';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
import { hasData, seed } from './seed';
import { createUserLoaders } from './user.loaders';
import { createUserResolvers, type UsersContext } from './user.resolvers';

export interface UsersSubgraphOptions {
  /** Ed25519 private key that signs the tokens of signUp and logIn. */
  signingKey: KeyObject;
  /** Lifetime of those tokens. */
  tokenTtlSeconds: number;
  /** Log-in rate limits (per account and per client address). @default DEFAULT_LOGIN_THROTTLE */
  loginThrottle?: LoginThrottleOptions;
}

/** The users subgraph: accounts, credentials, and the tokens every other service trusts. */
export function createUsersSubgraph(options: UsersSubgraphOptions): SubgraphDefinition<UsersContext> {
  const issueToken = (user: User) =>
    signToken(options.signingKey, { userId: user.id, roles: user.isAdmin ? ['admin'] : [], scopes: [] }, options.tokenTtlSeconds);
  return {
    name: 'users',
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    // One throttle per service instance: its counters outlive requests.
    resolvers: { DateTime: DateTimeScalar, ...createUserResolvers(issueToken, new LoginThrottle(options.loginThrottle)) },
    entities: [User],
    migrations: [CreateUsers1732233600000],
    createContext: (base) => ({ ...base, loaders: createUserLoaders(base.db), signedIn: new Set<string>() }),
    seed,
    hasData,
  };
}
