import { deterministicId, startSubgraph, verifyToken, publicKeyFromPem, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, errorCodes, gql, testKeys, testSubgraphEnv, type TestDatabase } from '@storefront/testing';
import { createUsersSubgraph } from '../src/server';

const keys = testKeys();
const TTL_SECONDS = 900;
let database: TestDatabase;
let subgraph: RunningSubgraph;

beforeAll(async () => {
  database = await createTestDatabase('users');
  subgraph = await startSubgraph(
    // Every request here comes from one address; sign-up and log-in throttling have their own file.
    createUsersSubgraph({ signingKey: keys.privateKey, tokenTtlSeconds: TTL_SECONDS, signUpThrottle: { perAddress: 1000 } }),
    testSubgraphEnv({ DATABASE_URL: database.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem }),
  );
});

afterAll(async () => {
  await subgraph?.close();
  await database?.drop();
});

const USER_FIELDS = 'id name email createdAt';
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { ${USER_FIELDS} } } }`;
const LOG_IN = `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token user { ${USER_FIELDS} } } }`;
const ME = `{ me { ${USER_FIELDS} } }`;
const USER = `query($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;

const ADMIN_ID = deterministicId('user', 1);
const SHOPPER_ID = deterministicId('user', 2);

async function logIn(email: string, password: string) {
  return gql(subgraph.url, LOG_IN, { email, password });
}

async function tokenOf(email: string, password: string): Promise<string> {
  const { body } = await logIn(email, password);
  return body.data!.logIn.token;
}

describe('users subgraph on MySQL', () => {
  describe('signUp', () => {
    it('creates an account, stores the email lower-cased and returns a token for it with the own email visible', async () => {
      const input = { name: '  Linus Learner  ', email: '  Linus@Example.COM ', password: 'learner-password' };
      const { body } = await gql(subgraph.url, SIGN_UP, { input });
      expect(body.errors).toBeUndefined();
      const { token, user } = body.data!.signUp;
      expect(user).toMatchObject({ name: 'Linus Learner', email: 'linus@example.com' });
      expect(new Date(user.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const caller = await verifyToken(publicKeyFromPem(keys.publicKeyPem), token);
      expect(caller).toEqual({ userId: user.id, roles: [], scopes: [] });
      // The new credentials work, whatever the case of the email typed at log-in.
      const again = await logIn('LINUS@example.com', 'learner-password');
      expect(again.body.data!.logIn.user.id).toBe(user.id);
    });

    it('refuses an email that is already taken, in any letter case, with CONFLICT', async () => {
      const input = { name: 'Copy Cat', email: 'copy@example.com', password: 'copycat-password' };
      expect(errorCodes(await gql(subgraph.url, SIGN_UP, { input }))).toEqual([]);
      const duplicate = await gql(subgraph.url, SIGN_UP, { input: { ...input, email: 'COPY@example.com' } });
      expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
      expect(duplicate.body.data).toBeNull();
      expect(errorCodes(await gql(subgraph.url, SIGN_UP, { input: { ...input, email: 'admin@example.com' } }))).toEqual(['CONFLICT']);
    });

    it.each([
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '    ' }, 'name'],
      ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
      ['an email without @', { email: 'not-an-email' }, 'email'],
      ['an email over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'email'],
      ['a password under 8 characters', { password: 'short' }, 'password'],
      ['a password over 200 characters', { password: 'p'.repeat(201) }, 'password'],
    ])('refuses %s with BAD_USER_INPUT naming the field, and creates nothing', async (_label, bad, field) => {
      const email = `valid-${field}-${Math.random().toString(36).slice(2)}@example.com`;
      const input = { name: 'Valid Name', email, password: 'valid-password', ...bad };
      const response = await gql(subgraph.url, SIGN_UP, { input });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors![0]!.extensions!.field).toBe(field);
      expect(JSON.stringify(response.body)).not.toContain('valid-password');
      // Nothing was created: the same email still signs up once the input is valid.
      const fixed = await gql(subgraph.url, SIGN_UP, { input: { name: 'Valid Name', email, password: 'valid-password' } });
      expect(errorCodes(fixed)).toEqual([]);
    });
  });

  describe('logIn', () => {
    it('logs the seeded admin in with a token carrying the admin role', async () => {
      const { body } = await logIn('admin@example.com', 'admin-password');
      expect(body.data!.logIn.user).toMatchObject({ id: ADMIN_ID, name: 'Ada Admin', email: 'admin@example.com' });
      const caller = await verifyToken(publicKeyFromPem(keys.publicKeyPem), body.data!.logIn.token);
      expect(caller).toEqual({ userId: ADMIN_ID, roles: ['admin'], scopes: [] });
    });

    it('logs a seeded shopper in with its documented password and no roles', async () => {
      const { body } = await logIn('user2@example.com', 'password2');
      expect(body.data!.logIn.user.id).toBe(SHOPPER_ID);
      const caller = await verifyToken(publicKeyFromPem(keys.publicKeyPem), body.data!.logIn.token);
      expect(caller.roles).toEqual([]);
    });

    it('issues tokens that expire after the configured TTL', async () => {
      const token = await tokenOf('user3@example.com', 'password3');
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
      expect(payload.exp - payload.iat).toBe(TTL_SECONDS);
    });

    it('answers a wrong password and an unknown email with the same UNAUTHENTICATED error', async () => {
      const wrongPassword = await logIn('admin@example.com', 'not-the-password');
      const unknownEmail = await logIn('nobody@example.com', 'not-the-password');
      const malformedEmail = await logIn('not an email', 'not-the-password');
      for (const response of [wrongPassword, unknownEmail, malformedEmail]) {
        expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
        expect(response.body.data).toBeNull();
      }
      expect(unknownEmail.body.errors).toEqual(wrongPassword.body.errors);
      expect(malformedEmail.body.errors).toEqual(wrongPassword.body.errors);
    });

    it('spends the same hashing work on an unknown email as on a wrong password', async () => {
      const fastest = async (email: string) => {
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          const start = performance.now();
          await logIn(email, 'not-the-password');
          best = Math.min(best, performance.now() - start);
        }
        return best;
      };
      const wrongPassword = await fastest('admin@example.com');
      const unknownEmail = await fastest('nobody-at-all@example.com');
      // Without the dummy hash an unknown email answers in ~1 ms against ~70 ms for scrypt.
      expect(unknownEmail).toBeGreaterThan(wrongPassword * 0.5);
    });

    it('refuses overlong credentials with BAD_USER_INPUT before hashing them', async () => {
      expect(errorCodes(await logIn('admin@example.com', 'p'.repeat(10_000)))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await logIn(`${'a'.repeat(300)}@example.com`, 'whatever-password'))).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('me and tokens', () => {
    it('answers me with the caller of a token issued by logIn', async () => {
      const token = await tokenOf('user4@example.com', 'password4');
      const { body } = await gql(subgraph.url, ME, {}, { token });
      expect(body.data!.me).toMatchObject({ id: deterministicId('user', 4), email: 'user4@example.com' });
    });

    it('answers me with null for an anonymous request', async () => {
      const { body } = await gql(subgraph.url, ME);
      expect(body).toEqual({ data: { me: null } });
    });

    it('refuses a token signed with another key with UNAUTHENTICATED', async () => {
      const forged = await testKeys().token({ userId: ADMIN_ID, roles: ['admin'] });
      expect(errorCodes(await gql(subgraph.url, ME, {}, { token: forged }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('email visibility', () => {
    const shopper = () => gql(subgraph.url, USER, { id: SHOPPER_ID }, {});

    it('shows a user their own email', async () => {
      const token = await tokenOf('user2@example.com', 'password2');
      const { body } = await gql(subgraph.url, USER, { id: SHOPPER_ID }, { token });
      expect(body.data!.user.email).toBe('user2@example.com');
    });

    it('shows an admin any email', async () => {
      const token = await tokenOf('admin@example.com', 'admin-password');
      const { body } = await gql(subgraph.url, USER, { id: SHOPPER_ID }, { token });
      expect(body.data!.user.email).toBe('user2@example.com');
    });

    it('hides the email from another signed-in user and from anonymous callers, without an error', async () => {
      const token = await tokenOf('user5@example.com', 'password5');
      for (const response of [await gql(subgraph.url, USER, { id: SHOPPER_ID }, { token }), await shopper()]) {
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data!.user).toMatchObject({ id: SHOPPER_ID, name: expect.any(String), email: null });
      }
    });

    it('hides emails of entities resolved for a non-admin caller', async () => {
      const token = await tokenOf('user5@example.com', 'password5');
      const { body } = await gql(
        subgraph.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`,
        { r: [{ __typename: 'User', id: SHOPPER_ID }, { __typename: 'User', id: deterministicId('user', 5) }] },
        { token },
      );
      expect(body.data!._entities).toEqual([
        { id: SHOPPER_ID, email: null },
        { id: deterministicId('user', 5), email: 'user5@example.com' },
      ]);
    });
  });

  describe('secrets stay inside', () => {
    it('has no passwordHash (or any password field) on User', async () => {
      const { body } = await gql(subgraph.url, `{ __type(name: "User") { fields { name } } }`);
      const fields = (body.data!.__type.fields as { name: string }[]).map((f) => f.name);
      expect(fields.sort()).toEqual(['createdAt', 'email', 'id', 'name']);
      const asked = await gql(subgraph.url, `{ me { passwordHash } }`);
      expect(errorCodes(asked)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('never returns a hash or the password in a response', async () => {
      const token = await tokenOf('admin@example.com', 'admin-password');
      const { body } = await gql(subgraph.url, LOG_IN, { email: 'admin@example.com', password: 'admin-password' }, { token });
      const text = JSON.stringify(body);
      expect(text).not.toContain('scrypt$');
      expect(text).not.toContain('admin-password');
    });
  });

  describe('lookups', () => {
    it('finds a user by id and answers NOT_FOUND for an unknown or malformed id', async () => {
      const { body } = await gql(subgraph.url, USER, { id: ADMIN_ID });
      expect(body.data!.user).toMatchObject({ id: ADMIN_ID, name: 'Ada Admin', email: null });
      for (const id of [deterministicId('user', 99_999), 'not-a-uuid']) {
        const missing = await gql(subgraph.url, USER, { id });
        expect(missing.body.data).toEqual({ user: null });
        expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
      }
    });

    it('resolves 10 _entities references in one SQL statement, in order, null for unknown ones', async () => {
      const ids = Array.from({ length: 9 }, (_, i) => deterministicId('user', i + 1));
      const representations = [...ids, deterministicId('user', 12_345)].map((id) => ({ __typename: 'User', id }));
      const before = subgraph.database.statements.count;
      const { body } = await gql(
        subgraph.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name createdAt } } }`,
        { r: representations },
      );
      expect(subgraph.database.statements.count - before).toBe(1);
      const entities = body.data!._entities as ({ id: string; createdAt: string } | null)[];
      expect(entities.slice(0, 9).map((e) => e!.id)).toEqual(ids);
      expect(entities[9]).toBeNull();
      expect(entities[0]!.createdAt).toBe('2024-12-01T00:01:00.000Z');
    });

    it('treats SQL-looking input as plain data', async () => {
      const name = "Robert'); DROP TABLE users;--";
      const email = "o'brien+x@example.com";
      const signUp = await gql(subgraph.url, SIGN_UP, { input: { name, email, password: "' OR '1'='1" } });
      expect(signUp.body.data!.signUp.user).toMatchObject({ name, email });
      expect((await logIn(email, "' OR '1'='1")).body.data!.logIn.user.name).toBe(name);
      expect(errorCodes(await logIn("' OR '1'='1' --", "' OR '1'='1"))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await logIn('admin@example.com', "' OR ''='"))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await gql(subgraph.url, USER, { id: "' OR 1=1 --" }))).toEqual(['NOT_FOUND']);
      // The table is intact: the seeded admin still logs in.
      expect((await logIn('admin@example.com', 'admin-password')).body.data!.logIn.user.id).toBe(ADMIN_ID);
    });
  });
});
