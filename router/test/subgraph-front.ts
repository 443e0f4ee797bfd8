import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FrontRequest {
  query: string;
  headers: IncomingHttpHeaders;
}

/**
 * An HTTP front for one subgraph in e2e tests: forwards every request unchanged (so signatures
 * still verify) and records it, or, while `failing`, answers 503 as a balancer with no healthy
 * backend would.
 */
export interface SubgraphFront {
  port: number;
  /** The routing URL to give the router instead of the subgraph's. */
  url(subgraphUrl: string): string;
  readonly requests: FrontRequest[];
  failing: boolean;
  close(): Promise<void>;
}

/** `target` is read per request, so the subgraph may start after the front (and restart). */
export async function startSubgraphFront(target: () => string): Promise<SubgraphFront> {
  const requests: FrontRequest[] = [];
  const front = {
    failing: false,
    requests,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ query: (JSON.parse(body || '{}') as { query?: string }).query ?? '', headers: req.headers });
      if (front.failing) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('no healthy upstream');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)) as [string, string][],
      );
      try {
        const upstream = await fetch(target(), { method: req.method, headers, body });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(await upstream.text());
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(front, {
    port,
    url(subgraphUrl: string) {
      const parsed = new URL(subgraphUrl);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  });
}
