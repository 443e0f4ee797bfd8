/**
 * `npm start` as a supervisor: a service that dies after the supergraph was ready is restarted with
 * backoff while the others keep serving, and Ctrl-C still stops everything. Runs the real
 * `scripts/start.mjs` on free ports with the embedded databases in a temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Resolves with the first output line matching `pattern` (from now on), or rejects if the process ends first. */
function nextLine(child: ChildProcess, output: { text: string }, pattern: RegExp, from: number): Promise<RegExpMatchArray> {
  return new Promise((resolveLine, reject) => {
    const check = () => {
      const match = output.text.slice(from).match(pattern);
      if (!match) return false;
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', ended);
      resolveLine(match);
      return true;
    };
    const ended = () => reject(new Error(`npm start ended before ${pattern}: ${output.text.slice(-2000)}`));
    if (check()) return;
    // Listeners added after the collector's, so the text already holds the chunk.
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', ended);
  });
}

async function waitReady(url: string, deadline: number): Promise<void> {
  for (let delay = 50; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((done) => setTimeout(done, delay));
  }
  throw new Error(`${url} not ready in time`);
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'storefront-start-'));
  const output = { text: '' };
  let child: ChildProcess;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const name of ['router', 'users', 'products', 'reviews', 'orders']) ports[name] = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        PORT: String(ports.router),
        USERS_PORT: String(ports.users),
        PRODUCTS_PORT: String(ports.products),
        REVIEWS_PORT: String(ports.reviews),
        ORDERS_PORT: String(ports.orders),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (output.text += chunk.toString());
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await nextLine(child, output, /Supergraph ready/, 0);
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a service that died, with backoff, while the router keeps answering', async () => {
    const first = output.text.match(/users started \(pid (\d+)\)/);
    expect(first).not.toBeNull();
    const pid = Number(first![1]);
    const mark = output.text.length;
    process.kill(pid, 'SIGKILL');

    const restart = await nextLine(child, output, /users exited \(SIGKILL\); restarting in (\d+)s \(restart 1\)/, mark);
    expect(Number(restart[1])).toBe(1);
    // The router did not go down with it.
    expect((await fetch(`http://127.0.0.1:${ports.router}/health`)).status).toBe(200);

    const again = await nextLine(child, output, /users started \(pid (\d+)\)/, mark);
    expect(Number(again[1])).not.toBe(pid);
    await waitReady(`http://127.0.0.1:${ports.users}/ready`, Date.now() + 60_000);

    // A second death soon after backs off longer.
    const mark2 = output.text.length;
    process.kill(Number(again[1]), 'SIGKILL');
    const second = await nextLine(child, output, /users exited \(SIGKILL\); restarting in (\d+)s \(restart 2\)/, mark2);
    expect(Number(second[1])).toBe(2);
    await nextLine(child, output, /users started \(pid (\d+)\)/, mark2);
    await waitReady(`http://127.0.0.1:${ports.users}/ready`, Date.now() + 60_000);
  }, 120_000);

  it('stops every service on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
