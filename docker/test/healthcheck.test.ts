import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { repo } from './support/services';

/**
 * Runs the image's probe as the HEALTHCHECK does, returning its exit code. Asynchronously: the
 * server it probes lives in this process.
 */
function probe(env: Record<string, string>, path?: string): Promise<number | null> {
  const args = [repo('docker', 'healthcheck.mjs'), ...(path ? [path] : [])];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

let server: Server;
let port: string;
let readyStatus = 503;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/health') res.writeHead(200).end('{"status":"ok"}');
    else if (req.url === '/ready') res.writeHead(readyStatus).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = String((server.address() as AddressInfo).port);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('docker/healthcheck.mjs (the images\' HEALTHCHECK and compose readiness probe)', () => {
  it('passes when the service answers 200 on /health, the default path', async () => {
    expect(await probe({ PORT: port })).toBe(0);
  });

  it('fails while /ready answers 503, and passes once it answers 200', async () => {
    readyStatus = 503;
    expect(await probe({ PORT: port }, '/ready')).toBe(1);
    readyStatus = 200;
    expect(await probe({ PORT: port }, '/ready')).toBe(0);
  });

  it('fails when nothing listens on PORT, instead of hanging', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = String((closed.address() as AddressInfo).port);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await probe({ PORT: freePort })).toBe(1);
  });

  it('fails without a PORT rather than probing a guessed port', async () => {
    expect(await probe({})).toBe(1);
  });
});
