import { closeRedis, connectRedis, createLogger, signRequest, startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, errorCodes, testKeys, testSubgraphEnv, type GraphQLResponse, type TestDatabase } from '@storefront/testing';
import { randomUUID } from 'node:crypto';
import { PasswordHasher } from '../src/password-hasher';
import { createUsersSubgraph, type UsersSubgraphOptions } from '../src/server';
import type { RedisClient } from '../src/login-attempts.store';

const REDIS_URL = 'redis://127.0.0.1:6379';
const SECRET = 'throttling-test-secret-throttling-test-secret';
const keys = testKeys();
const LOG_IN = `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token user { id } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

let database: TestDatabase;
let redis: RedisClient;
const running: RunningSubgraph[] = [];
let now = 1_700_000_000_000;
const clock = () => now;

beforeAll(async () => {
  database = await createTestDatabase('users_throttling');
  redis = await connectRedis(REDIS_URL, createLogger('users-test', 'silent'));
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
  await closeRedis(redis);
  await database?.drop();
});

/** A users instance on the test database (seeded once), with the client's address signed by "the router". */
async function start(options: Partial<UsersSubgraphOptions> = {}) {
  const subgraph = await startSubgraph(
    createUsersSubgraph({ signingKey: keys.privateKey, tokenTtlSeconds: 900, now: clock, ...options }),
    testSubgraphEnv({ DATABASE_URL: database.url, SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_SECRET: SECRET }),
  );
  running.push(subgraph);
  const send = async (query: string, variables: Record<string, unknown>, client: string): Promise<GraphQLResponse> => {
    const body = JSON.stringify({ query, variables });
    // Not a literal, so this compiles whether or not SignableRequest has grown fields meanwhile.
    const request = { method: 'POST', path: '/graphql', body, client, target: 'users' };
    const response = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(SECRET, 'router', request) }, body });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
  };
  return {
    logIn: (email: string, password: string, client: string) => send(LOG_IN, { email, password }, client),
    signUp: (email: string, client: string, password = 'a-new-password') => send(SIGN_UP, { input: { name: 'New Person', email, password } }, client),
  };
}

const retryAfter = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.retryAfterSeconds as number | undefined;

describe('log-in throttling', () => {
  const rules = { failuresBeforeBackoff: 5, backoffBaseMs: 10_000, backoffMaxMs: 900_000, perAddress: 12, windowMs: 900_000 };
  let users: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    users = await start({ loginThrottle: rules });
  });

  it("lets the admin in from their own address after a stranger's wrong passwords, and backs the stranger off ever longer", async () => {
    for (let i = 0; i < 5; i++) expect(errorCodes(await users.logIn('admin@example.com', `guess-${i}`, ATTACKER))).toEqual(['UNAUTHENTICATED']);

    const owner = await users.logIn('admin@example.com', 'admin-password', OWNER);
    expect(errorCodes(owner)).toEqual([]);
    expect(owner.body.data!.logIn.token).toEqual(expect.any(String));

    // The stranger now waits, even with the right password, and each failure after a wait doubles it.
    const refused = await users.logIn('admin@example.com', 'admin-password', ATTACKER);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    const waits = [retryAfter(refused)!];
    for (let i = 0; i < 2; i++) {
      now += waits[waits.length - 1]! * 1000;
      expect(errorCodes(await users.logIn('admin@example.com', `after-wait-${i}`, ATTACKER))).toEqual(['UNAUTHENTICATED']);
      const next = await users.logIn('admin@example.com', 'still-guessing', ATTACKER);
      expect(errorCodes(next)).toEqual(['RATE_LIMITED']);
      waits.push(retryAfter(next)!);
    }
    expect(waits).toEqual([10, 20, 40]);

    // Once the wait has passed, the stranger may try again (and the right password works).
    now += 40_000;
    expect(errorCodes(await users.logIn('admin@example.com', 'admin-password', ATTACKER))).toEqual([]);
  });

  it('refuses an address past its ceiling for every account, existing or not, and no other address', async () => {
    const sprayer = '203.0.113.99';
    // 12 failures over 12 accounts: never 5 on one pair, so only the address ceiling can stop it.
    for (let i = 0; i < 12; i++) expect(errorCodes(await users.logIn(`user${(i % 9) + 2}@example.com`, `spray-${i}`, sprayer))).toEqual(['UNAUTHENTICATED']);
    for (const email of ['user2@example.com', 'admin@example.com', 'nobody@example.com']) {
      const refused = await users.logIn(email, 'password2', sprayer);
      expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
      expect(retryAfter(refused)).toBe(900);
    }
    expect(errorCodes(await users.logIn('user2@example.com', 'password2', '198.51.100.123'))).toEqual([]);
  });
});

describe('log-in counters shared through Redis', () => {
  it('refuses on one instance a pair that another instance refused', async () => {
    const rules = { failuresBeforeBackoff: 3, backoffBaseMs: 60_000, backoffMaxMs: 900_000, perAddress: 50, windowMs: 900_000 };
    const [first, second] = [await start({ loginThrottle: rules, redis }), await start({ loginThrottle: rules, redis })];
    // An address of its own per run, so counters left in Redis by an earlier run cannot interfere.
    const attacker = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    // Failures spread over both instances add up: 2 on the first, 1 on the second reach the threshold of 3.
    expect(errorCodes(await first.logIn('user6@example.com', 'guess-1', attacker))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await first.logIn('user6@example.com', 'guess-2', attacker))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await second.logIn('user6@example.com', 'guess-3', attacker))).toEqual(['UNAUTHENTICATED']);
    const onFirst = await first.logIn('user6@example.com', 'password6', attacker);
    const onSecond = await second.logIn('user6@example.com', 'password6', attacker);
    expect(errorCodes(onFirst)).toEqual(['RATE_LIMITED']);
    expect(errorCodes(onSecond)).toEqual(['RATE_LIMITED']);
    expect(retryAfter(onSecond)).toBe(60);
    // The counters are in Redis (the email hashed), not only in either process.
    expect(await redis.keys(`storefront:users:login:{${attacker}}:*`)).toHaveLength(2);
    // A success on one clears the pair for both.
    now += 60_000;
    expect(errorCodes(await second.logIn('user6@example.com', 'password6', attacker))).toEqual([]);
    expect(errorCodes(await first.logIn('user6@example.com', 'guess-4', attacker))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await first.logIn('user6@example.com', 'password6', attacker))).toEqual([]);
  });
});

describe('log-in counters when Redis is down', () => {
  it('still backs a pair off, in the instance memory, when Redis cannot be reached', async () => {
    const unreachable = await connectRedis('redis://127.0.0.1:1', createLogger('users-test', 'silent'));
    try {
      const rules = { failuresBeforeBackoff: 2, backoffBaseMs: 30_000, backoffMaxMs: 900_000, perAddress: 50, windowMs: 900_000 };
      const users = await start({ loginThrottle: rules, redis: unreachable });
      for (let i = 0; i < 2; i++) expect(errorCodes(await users.logIn('user7@example.com', `guess-${i}`, ATTACKER))).toEqual(['UNAUTHENTICATED']);
      const refused = await users.logIn('user7@example.com', 'password7', ATTACKER);
      expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
      expect(retryAfter(refused)).toBe(30);
      expect(errorCodes(await users.logIn('user7@example.com', 'password7', OWNER))).toEqual([]);
    } finally {
      await closeRedis(unreachable);
    }
  });
});

describe('sign-up throttling', () => {
  const unique = () => `new-${randomUUID()}@example.com`;

  it('refuses sign-ups past the per-address limit with RATE_LIMITED before any hash, the same for taken and new emails', async () => {
    const hasher = new PasswordHasher();
    const users = await start({ hasher, signUpThrottle: { perAddress: 3, windowMs: 3_600_000 } });
    const client = '192.0.2.10';
    for (let i = 0; i < 3; i++) expect(errorCodes(await users.signUp(unique(), client))).toEqual([]);
    expect(hasher.stats.hashes).toBe(3);
    const [fresh, taken] = [await users.signUp(unique(), client), await users.signUp('admin@example.com', client)];
    expect(errorCodes(fresh)).toEqual(['RATE_LIMITED']);
    expect(fresh.body.errors).toEqual(taken.body.errors);
    expect(retryAfter(fresh)).toBe(3600);
    expect(hasher.stats.hashes).toBe(3);
    // Another address is unaffected.
    expect(errorCodes(await users.signUp(unique(), '192.0.2.11'))).toEqual([]);
  });

  it('answers a taken email with CONFLICT without hashing it', async () => {
    const hasher = new PasswordHasher();
    const users = await start({ hasher });
    for (const email of ['admin@example.com', 'USER2@example.com']) expect(errorCodes(await users.signUp(email, '192.0.2.20'))).toEqual(['CONFLICT']);
    expect(hasher.stats.hashes).toBe(0);
  });

  it('never runs more sign-up hashes at once than allowed, and refuses the overflow at once without hashing it', async () => {
    const hasher = new PasswordHasher({ signUpConcurrency: 2, signUpQueue: 3 });
    const users = await start({ hasher });
    // 12 sign-ups at once from 12 addresses: the per-address limit stops none of them.
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => users.signUp(unique(), `192.0.2.${100 + i}`)));
    const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK');
    const created = codes.filter((c) => c === 'OK').length;
    expect(created).toBeGreaterThanOrEqual(5);
    expect(codes.filter((c) => c !== 'OK').every((c) => c === 'RATE_LIMITED')).toBe(true);
    expect(hasher.stats.peakInFlight).toBe(2);
    expect(hasher.stats.hashes).toBe(created);
  });
});
