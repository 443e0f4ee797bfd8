import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy for failure tests: put it between a service and its database or a subgraph, then
 * cut it (close every connection and refuse new ones), restore it, or add latency.
 */
export interface TcpProxy {
  port: number;
  /** Chunks forwarded so far in either direction; lets a test wait until traffic is in flight. */
  readonly chunks: number;
  /** Drops every open connection and refuses new ones until restored. */
  cut(): void;
  restore(): void;
  /** Delays every chunk in both directions by this many milliseconds. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** `targetPort` may be a function, for a target that starts after the proxy. */
export async function startTcpProxy(targetHost: string, targetPort: number | (() => number)): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  let delayMs = 0;
  let chunks = 0;

  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      chunks += 1;
      if (delayMs > 0) setTimeout(() => to.writable && to.write(chunk), delayMs);
      else if (to.writable) to.write(chunk);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };

  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: targetHost, port: typeof targetPort === 'function' ? targetPort() : targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    get chunks() {
      return chunks;
    },
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until the condition holds, or fails after the timeout: tests wait on state, never sleep. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
