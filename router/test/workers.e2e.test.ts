import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { brotliDecompressSync } from 'node:zlib';
import { startSubgraph, type RunningSubgraph } from '@storefront/kit';
import { createTestDatabase, startTcpProxy, testKeys, waitFor, type TcpProxy, type TestDatabase } from '@storefront/testing';
import { productsSubgraph } from '../../subgraphs/products/src/server';
import { TEST_SERVICE_SECRET, productsTestEnv } from './checkout-harness';

/**
 * ROUTER_WORKERS: the built router (dist, as deployed) as a node:cluster of two workers on one
 * port, in front of the real products subgraph on MariaDB (behind a TCP proxy that can slow it).
 */

const ROUTER_ENTRY = join(__dirname, '..', 'dist', 'index.js');
const keys = testKeys();

interface LogLine {
  level: number;
  msg?: string;
  pid?: number;
  role?: string;
  port?: number;
  [key: string]: unknown;
}

interface RouterCluster {
  child: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** Starts router/dist/index.js with this environment (on port 0), collecting its JSON log lines. */
function startRouterProcess(env: Record<string, string>): RouterCluster {
  const child = spawn(process.execPath, [ROUTER_ENTRY], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'storefront-workers-')),
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_SECRET: TEST_SERVICE_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, logs, stderr: () => stderr, exited };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  json: { data?: { products: { edges: { node: { id: string; name: string } }[] } }; errors?: unknown[] };
  /** The pid of the worker that served it (`x-router-worker`). */
  worker: number;
}

/** One products query on a new connection of its own, so the cluster may hand it to any worker. */
function ask(port: number, first: number, headers: Record<string, string> = {}): Promise<Answer> {
  const body = JSON.stringify({ query: 'query($first: Int) { products(first: $first) { edges { node { id name description } } } }', variables: { first } });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = (res.headers['content-encoding'] === 'br' ? brotliDecompressSync(raw) : raw).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Answer['json'], worker: Number(res.headers['x-router-worker']) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const served = (answer: Answer, first: number) =>
  answer.status === 200 && answer.json.errors === undefined && answer.json.data?.products.edges.length === first;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let database: TestDatabase;
let products: RunningSubgraph;
let proxy: TcpProxy;

beforeAll(async () => {
  if (!existsSync(ROUTER_ENTRY)) throw new Error(`${ROUTER_ENTRY} is missing: build first (npm run build)`);
  database = await createTestDatabase('workers_products');
  products = await startSubgraph(productsSubgraph, productsTestEnv(database, keys.publicKeyPem, { SEED: 'demo' }));
  proxy = await startTcpProxy('127.0.0.1', products.port);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await proxy?.close();
  await products?.close();
  await database?.drop();
});

describe('ROUTER_WORKERS=2', () => {
  let router: RouterCluster;
  let port: number;
  const workers = new Set<number>();

  beforeAll(async () => {
    router = startRouterProcess({ ROUTER_WORKERS: '2', PRODUCTS_URL: `http://127.0.0.1:${proxy.port}/graphql`, SHUTDOWN_GRACE_SECONDS: '10' });
    await waitFor(() => {
      if (router.child.exitCode !== null) throw new Error(`the router exited (${router.child.exitCode}) before it was ready: ${router.stderr()}`);
      return router.logs.some((l) => l.msg === 'router workers ready');
    }, 'both router workers to listen', 60_000);
    port = router.logs.find((l) => l.msg === 'router workers ready')!.port!;
  });

  afterAll(async () => {
    if (router.child.exitCode === null && router.child.signalCode === null) router.child.kill('SIGKILL');
  });

  it('serves requests from two worker processes on one port, the primary serving none', async () => {
    const started = router.logs.filter((l) => l.msg === 'router worker listening').map((l) => l.pid);
    expect(started).toHaveLength(2);
    await waitFor(async () => {
      const answer = await ask(port, 2);
      expect(served(answer, 2)).toBe(true);
      workers.add(answer.worker);
      return workers.size === 2;
    }, 'answers from both workers');
    expect([...workers].sort()).toEqual([...started].sort());
    expect(workers.has(router.child.pid!)).toBe(false);
  });

  it('compresses for clients that ask (COMPRESSION is on by default)', async () => {
    const answer = await ask(port, 20, { 'accept-encoding': 'gzip, deflate, br' });
    expect(served(answer, 20)).toBe(true);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toContain('Accept-Encoding');
  });

  it('replaces a worker killed with SIGKILL, while the other keeps every request succeeding', async () => {
    const [victim, survivor] = [...workers] as [number, number];
    process.kill(victim, 'SIGKILL');
    await waitFor(() => router.logs.some((l) => l.msg === 'router worker died: restarting it' && l.pid === victim), 'the primary to see the death');
    const restart = router.logs.find((l) => l.msg === 'router worker died: restarting it' && l.pid === victim)!;
    expect(restart).toMatchObject({ role: 'primary', signal: 'SIGKILL', restartInMs: 250 });

    // Until the replacement answers, requests go on, each one served.
    const answers: Answer[] = [];
    let replacement: number | undefined;
    await waitFor(async () => {
      const answer = await ask(port, 3);
      answers.push(answer);
      if (answer.worker !== survivor) replacement = answer.worker;
      return replacement !== undefined;
    }, 'an answer from the replacement worker', 30_000);
    expect(answers.every((a) => served(a, 3))).toBe(true);
    expect(answers.some((a) => a.worker === victim)).toBe(false);
    expect(replacement).not.toBe(victim);
    expect(router.logs).toContainEqual(expect.objectContaining({ msg: 'router worker listening', pid: replacement }));
    workers.clear();
    workers.add(survivor).add(replacement!);
  });

  it('on SIGTERM to the primary, every worker finishes its in-flight requests, and the cluster exits 0', async () => {
    let arrived = 0;
    const count = () => (arrived += 1);
    products.http.server.on('request', count);
    // Slow products down, so that the requests are still in the router when the signal comes.
    proxy.setDelay(1_000);
    try {
      const firsts = [11, 12, 13, 14, 15, 16];
      const answers = firsts.map((first) => ask(port, first));
      await waitFor(() => arrived >= firsts.length, 'every request to reach products');
      router.child.kill('SIGTERM');
      const results = await Promise.all(answers);
      expect(results.map((answer, i) => served(answer, firsts[i]!))).toEqual(firsts.map(() => true));
      // Both workers were idle, so the first two connections went one to each.
      expect(new Set(results.map((answer) => answer.worker))).toEqual(workers);
      expect(await router.exited).toEqual({ code: 0, signal: null });
    } finally {
      proxy.setDelay(0);
      products.http.server.off('request', count);
    }
    // Both workers drained and stopped; the primary waited for them; none is left behind.
    const fromWorkers = (msg: string) => router.logs.filter((l) => l.msg === msg && l.role === undefined).length;
    expect(fromWorkers('shutting down: draining in-flight requests')).toBe(2);
    expect(fromWorkers('stopped')).toBe(2);
    expect(router.logs.at(-1)).toMatchObject({ role: 'primary', msg: 'router workers stopped', exitCode: 0 });
    for (const pid of workers) expect(alive(pid)).toBe(false);
  });
});

describe('start-up failures with ROUTER_WORKERS', () => {
  it('a bad setting is reported once, before any worker starts, and exits 1', async () => {
    const router = startRouterProcess({ ROUTER_WORKERS: 'many' });
    expect(await router.exited).toEqual({ code: 1, signal: null });
    expect(router.stderr().match(/ROUTER_WORKERS: must be a whole number of at least 1, or auto/g)).toHaveLength(1);
    expect(router.logs).toEqual([]);
  });

  it('a worker that cannot start stops the cluster with exit code 1, its error logged once, without restarts', async () => {
    // Production requires a real key and secret: the router refuses to start without them.
    const router = startRouterProcess({ ROUTER_WORKERS: '2', NODE_ENV: 'production', JWT_PUBLIC_KEY: '', SERVICE_SECRET: '' });
    expect(await router.exited).toEqual({ code: 1, signal: null });
    const fatal = router.logs.filter((l) => l.level === 60 && l.role === undefined);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toMatch(/^router failed to start: .*required in production/);
    expect(router.logs.filter((l) => l.msg === 'router worker starting')).toHaveLength(1);
    expect(router.logs.at(-1)).toMatchObject({ role: 'primary', msg: 'router workers stopped', exitCode: 1 });
  });
});
