import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one subgraph server does wrong while an operation runs (switched between operations). */
export type Fault =
  | { kind: 'none' }
  /** The first `key` in the answer's data becomes null, with an `errors` entry at its path carrying `code`. */
  | { kind: 'error'; key: string; code: string }
  /** Every `key` in the answer's data becomes null without an error: a null in a (usually) non-null field. */
  | { kind: 'null'; key: string }
  /** The answer comes `ms` late: past the routers' SUBGRAPH_TIMEOUT_MS. */
  | { kind: 'delay'; ms: number }
  /** The server stops listening and drops its connections: connection refused. */
  | { kind: 'down' };

export const describeFault = (server: string, fault: Fault): string =>
  fault.kind === 'none' ? 'none' : `${server}: ${JSON.stringify(fault)}`;

export type Handler = (body: string, headers: IncomingHttpHeaders) => Promise<{ status: number; body: string }>;

export interface FaultServer {
  name: string;
  port: number;
  url: string;
  /** Requests answered (or refused by a fault) so far. */
  readonly requests: number;
  /** Resolves once the fault is in force (for `down`, the port refuses; back from `down`, it listens). */
  setFault(fault: Fault): Promise<void>;
  close(): Promise<void>;
}

type Json = { data?: unknown; errors?: unknown[] };
type Path = (string | number)[];

/** The path of the first `key` in `value`, depth first in answer order. */
function find(value: unknown, key: string, path: Path): Path | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = find(value[i], key, [...path, i]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) return [...path, k];
      const found = find(v, key, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

function nullEvery(value: unknown, key: string): void {
  if (Array.isArray(value)) value.forEach((v) => nullEvery(v, key));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) (value as Record<string, unknown>)[k] = null;
      else nullEvery(v, key);
    }
  }
}

/** The answer as a faulty subgraph would have given it. */
export function applyFault(body: string, fault: Fault): string {
  if (fault.kind !== 'error' && fault.kind !== 'null') return body;
  let json: Json;
  try {
    json = JSON.parse(body) as Json;
  } catch {
    return body;
  }
  if (!json.data || typeof json.data !== 'object') return body;
  if (fault.kind === 'null') nullEvery(json.data, fault.key);
  else {
    const path = find(json.data, fault.key, []);
    if (!path) return body;
    setAt(json.data, path, null);
    json.errors = [...(json.errors ?? []), { message: `Injected failure of ${fault.key}`, path, extensions: { code: fault.code } }];
  }
  return JSON.stringify(json);
}

/** An HTTP server for one subgraph (a fixture, or a proxy in front of a real one) that can be made faulty. */
export async function startFaultServer(name: string, handle: Handler): Promise<FaultServer> {
  let fault: Fault = { kind: 'none' };
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      const current = fault;
      const answer = async () => {
        const result = await handle(Buffer.concat(chunks).toString('utf8'), req.headers);
        if (res.destroyed) return;
        res.writeHead(result.status, { 'content-type': 'application/json' }).end(applyFault(result.body, current));
      };
      const run = () => answer().catch((error: unknown) => res.destroyed || res.writeHead(500).end(String(error)));
      if (current.kind !== 'delay') return void run();
      const timer = setTimeout(() => (timers.delete(timer), void run()), current.ms);
      timers.add(timer);
    });
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const stop = () => new Promise<void>((resolve) => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    server.close(() => resolve());
    // Keep-alive connections too: a router must find the port closed, not an old socket open.
    server.closeAllConnections();
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    get requests() {
      return requests;
    },
    async setFault(next) {
      const wasDown = fault.kind === 'down';
      fault = next;
      if (next.kind === 'down' && !wasDown) await stop();
      if (next.kind !== 'down' && wasDown) await listen(port);
    },
    close: () => (fault.kind === 'down' ? Promise.resolve() : stop()),
  };
}

/** A handler that forwards to a real subgraph unchanged (so its signature still verifies). */
export function forwardTo(target: () => string): Handler {
  return async (body, headers) => {
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) as [string, string][],
    );
    const upstream = await fetch(target(), { method: 'POST', headers: forwarded, body });
    return { status: upstream.status, body: await upstream.text() };
  };
}
