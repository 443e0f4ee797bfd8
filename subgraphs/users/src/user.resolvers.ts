import type { GraphQLResolverMap } from '@apollo/subgraph';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  isAdmin,
  isUniqueViolation,
  validateInput,
  type BaseContext,
} from '@storefront/kit';
import { z } from 'zod';
import type { User } from './entities/user.entity';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SignUpThrottle } from './signup-throttle';
import type { UserLoaders } from './user.loaders';
import { authenticate, createUser, EMAIL_TAKEN } from './user.service';

export interface UsersContext extends BaseContext {
  loaders: UserLoaders;
  /**
   * Users who signed up or logged in earlier in this operation: the client now holds their token,
   * so the returned `AuthPayload.user` may show its own email although the request was anonymous.
   */
  signedIn: Set<string>;
}

/** Signs a token for a user; built by the subgraph factory from its signing key and TTL. */
export type IssueToken = (user: User) => Promise<string>;

const signUpInput = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  password: z.string().min(8).max(200),
});

// Only lengths are checked, to bound the work a request can cause; any other wrong value is
// simply a failed log-in, so malformed and unknown emails look the same.
const logInInput = z.object({
  email: z.string().max(254),
  password: z.string().max(200),
});

/** One message for unknown email and wrong password, so the answer does not reveal accounts. */
const INVALID_CREDENTIALS = 'Invalid email or password';

function mayReadEmail(ctx: UsersContext, user: User): boolean {
  return ctx.signedIn.has(user.id) || ctx.caller?.userId === user.id || isAdmin(ctx.caller);
}

async function found(user: Promise<User | null>, id: string): Promise<User> {
  const row = await user;
  if (!row) throw new NotFoundError('User', id);
  return row;
}

/** What the credential mutations share across requests: their throttles and the bounded hasher. */
export interface CredentialGuards {
  logIn: LoginThrottle;
  signUp: SignUpThrottle;
  hasher: PasswordHasher;
}

export function createUserResolvers(
  issueToken: IssueToken,
  guards: CredentialGuards = { logIn: new LoginThrottle(), signUp: new SignUpThrottle(), hasher: new PasswordHasher() },
): GraphQLResolverMap<UsersContext> {
  const signIn = async (user: User, ctx: UsersContext) => {
    ctx.signedIn.add(user.id);
    return { token: await issueToken(user), user };
  };

  return {
    Query: {
      me: (_: unknown, __: unknown, ctx: UsersContext) =>
        ctx.caller ? ctx.loaders.userById.load(ctx.caller.userId) : null,
      user: (_: unknown, { id }: { id: string }, ctx: UsersContext) => found(ctx.loaders.userById.load(id), id),
    },
    Mutation: {
      signUp: async (_: unknown, { input }: { input: unknown }, ctx: UsersContext) => {
        const data = validateInput(signUpInput, input);
        // Before the email is looked up or anything hashed: a refused client costs one counter.
        await guards.signUp.attempt(ctx.clientAddress);
        try {
          return await signIn(await createUser(ctx.db, data, guards.hasher), ctx);
        } catch (error) {
          if (isUniqueViolation(error)) throw new ConflictError(EMAIL_TAKEN);
          throw error;
        }
      },
      logIn: async (_: unknown, args: { email: string; password: string }, ctx: UsersContext) => {
        const { email, password } = validateInput(logInInput, args);
        await guards.logIn.attempt(email, ctx.clientAddress);
        const user = await authenticate(ctx.db, email, password, guards.hasher);
        if (!user) throw new UnauthenticatedError(INVALID_CREDENTIALS);
        await guards.logIn.succeeded(email, ctx.clientAddress);
        return signIn(user, ctx);
      },
    },
    User: {
      __resolveReference: (ref: { id: string }, ctx: UsersContext) => ctx.loaders.userById.load(ref.id),
      email: (user: User, _: unknown, ctx: UsersContext) => (mayReadEmail(ctx, user) ? user.email : null),
    },
  };
}
