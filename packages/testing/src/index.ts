import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { signToken, type Caller, type SubgraphEnv } from '@storefront/kit';
import { MYSQL_URL } from './env';

export { MYSQL_URL };

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onServer<T>(run: (c: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const connection = await createConnection({ uri: MYSQL_URL });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

/**
 * A fresh, empty database for one test file, named after it so a leftover is easy to trace.
 * Drop it in `afterAll`.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^A-Za-z0-9]/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE \`${name}\``));
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onServer((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}

/** A key pair for a test run: tokens signed here verify in services given `publicKeyPem`. */
export function testKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    token: (caller: Partial<Caller> & { userId: string }, ttlSeconds = 600) =>
      signToken(privateKey, { roles: [], scopes: [], ...caller }, ttlSeconds),
  };
}

/** A subgraph environment for tests: port 0, quiet logs, a private data dir. */
export function testSubgraphEnv(overrides: Partial<SubgraphEnv> = {}): SubgraphEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_SECONDS: 5,
    BODY_LIMIT_BYTES: 1_000_000,
    EVENT_LOOP_STALL_MS: 1000,
    EVENT_LOOP_KILL_MS: 0,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'storefront-')),
    PORT: 0,
    SEED: 'none',
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into response data
export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

/** Sends one GraphQL operation over HTTP, as a client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into response data
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse<T>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** The error codes of a response, in order. */
export const errorCodes = (response: GraphQLResponse<unknown>): unknown[] =>
  (response.body.errors ?? []).map((e) => e.extensions?.code);
export * from './tcp-proxy';
