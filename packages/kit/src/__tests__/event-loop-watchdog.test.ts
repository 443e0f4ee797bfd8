import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import pino from 'pino';
import { EventLoopWatchdog } from '../event-loop-watchdog';
import { startHttpServer, type RunningHttpServer } from '../http-server';

/** Blocks this thread's event loop, as a request that never yields would. */
function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: the point is that nothing else runs
  }
}

describe('the event-loop watchdog on /health', () => {
  let http: RunningHttpServer;
  let apollo: ApolloServer;
  let watchdog: EventLoopWatchdog;
  const stalls: number[] = [];

  beforeAll(async () => {
    watchdog = new EventLoopWatchdog('test', { stallMs: 100, unhealthyForMs: 60_000, killAfterMs: 0, onStall: (ms) => stalls.push(ms) });
    apollo = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(`type Query { ok: Boolean }`) }]) });
    await apollo.start();
    http = await startHttpServer(
      { log: pino({ level: 'silent' }), graphql: { server: apollo, context: async () => ({}) }, ready: () => true, liveness: () => watchdog.liveness() },
      0,
    );
  });

  afterAll(async () => {
    await http.close(1000);
    await apollo.stop();
    await watchdog.stop();
  });

  it('answers 200 while the loop runs freely, and 503 after the loop was blocked past the threshold', async () => {
    expect((await fetch(`${http.url}/health`)).status).toBe(200);
    blockFor(400);
    const response = await fetch(`${http.url}/health`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; stalledMs: number };
    expect(body.status).toBe('stalled');
    expect(body.stalledMs).toBeGreaterThan(100);
    // The stall is reported once, however often it is asked about. (On a loaded machine the loop
    // may also lag a little past 100 ms on its own; only the 400 ms block is ours to count.)
    await fetch(`${http.url}/health`);
    expect(stalls.filter((ms) => ms >= 300)).toHaveLength(1);
  });

  it('is live again once the unhealthy period has passed', () => {
    expect(watchdog.liveness(Date.now() + 61_000).live).toBe(true);
  });
});

describe('the watcher thread', () => {
  const kit = join(__dirname, '..', '..', 'dist', 'event-loop-watchdog.js');

  /** Runs a node process that starts a watchdog, then blocks its loop for `blockMs` and exits. */
  function run(killAfterMs: number, blockMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const script = `
      const { EventLoopWatchdog } = require(${JSON.stringify(kit)});
      new EventLoopWatchdog('victim', { stallMs: 50, killAfterMs: ${killAfterMs} });
      setTimeout(() => { const until = Date.now() + ${blockMs}; while (Date.now() < until) {} process.exit(0); }, 200);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  }

  it('kills a process whose loop stays blocked past killAfterMs, saying why on stderr', async () => {
    // Blocked "forever" (an hour): only the watcher can end it.
    const result = await run(500, 3_600_000);
    expect(result.signal).toBe('SIGKILL');
    const line = JSON.parse(result.stderr.trim().split('\n').pop()!) as { service: string; blockedMs: number; msg: string };
    expect(line).toMatchObject({ service: 'victim' });
    expect(line.blockedMs).toBeGreaterThan(500);
    expect(line.msg).toMatch(/event loop blocked/);
  });

  it('leaves alone a process whose loop is blocked for less than that', async () => {
    expect(await run(5_000, 300)).toMatchObject({ code: 0, signal: null, stderr: '' });
  });
});
