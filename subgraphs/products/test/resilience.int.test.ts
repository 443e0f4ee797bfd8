import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startSubgraph, type RunningSubgraph } from '@storefront/kit';
import {
  MYSQL_URL,
  createTestDatabase,
  gql,
  startTcpProxy,
  testKeys,
  testSubgraphEnv,
  waitFor,
  type TcpProxy,
  type TestDatabase,
} from '@storefront/testing';
import { productsSubgraph } from '../src/server';

const keys = testKeys();
let database: TestDatabase;
let proxy: TcpProxy;

function viaProxy(url: string): string {
  const parsed = new URL(url);
  parsed.host = `127.0.0.1:${proxy.port}`;
  return parsed.toString();
}

beforeAll(async () => {
  database = await createTestDatabase('products_resilience');
  const server = new URL(MYSQL_URL);
  proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
});

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
});

const ready = async (base: string) => (await fetch(`${base}/ready`).catch(() => null))?.status === 200;

describe('products when its database goes away', () => {
  let subgraph: RunningSubgraph;

  afterAll(async () => {
    await subgraph?.close();
  });

  it('turns not ready while the database is cut, and ready again by itself when it returns', async () => {
    subgraph = await startSubgraph(
      productsSubgraph,
      testSubgraphEnv({ DATABASE_URL: viaProxy(database.url), SEED: 'demo', JWT_PUBLIC_KEY: keys.publicKeyPem }),
    );
    const base = subgraph.url.replace(/\/graphql$/, '');
    expect(await ready(base)).toBe(true);

    proxy.cut();
    await waitFor(async () => !(await ready(base)), 'not ready after the cut');
    const during = await gql(subgraph.url, '{ products(first: 1) { totalCount } }');
    expect(during.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    // The driver's message (host, port, SQL) stays in the log.
    expect(JSON.stringify(during.body)).not.toMatch(/ECONNRE|127\.0\.0\.1|SELECT/);

    proxy.restore();
    await waitFor(() => ready(base), 'ready again after the restore');
    const after = await gql(subgraph.url, '{ products(first: 1) { totalCount } }');
    expect(after.body).toEqual({ data: { products: { totalCount: 50 } } });
  });
});

describe('products on SIGTERM', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('finishes every in-flight request, then exits 0', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'index.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: viaProxy(database.url),
        JWT_PUBLIC_KEY: keys.publicKeyPem,
        SHUTDOWN_GRACE_SECONDS: '10',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(() => ready(base), 'the products process to be ready');

    // Slow the database down so that requests are still running when the signal arrives.
    proxy.setDelay(300);
    const before = proxy.chunks;
    const requests = Array.from({ length: 10 }, (_, i) =>
      gql(`${base}/graphql`, `query($s: String) { products(first: 3, search: $s) { totalCount } }`, { s: `${i}` }),
    );
    // Every request has reached the server once its query reaches the database (one pooled
    // connection each): only then is the signal sent while all ten are in flight.
    await waitFor(() => proxy.chunks >= before + requests.length, 'all queries to reach the database');
    child.kill('SIGTERM');

    const responses = await Promise.all(requests);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.products.totalCount).toEqual(expect.any(Number));
    }
    expect(await exited).toBe(0);
    proxy.setDelay(0);
  });
});
