import { readFile, stat } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ServedStorefront {
  url: string;
  close(): Promise<void>;
}

/** /graphql goes to the router as is, like the Vite dev server's proxy: one origin, no CORS. */
function proxy(req: IncomingMessage, res: ServerResponse, router: URL): void {
  const upstream = request(
    { hostname: router.hostname, port: router.port, path: req.url, method: req.method, headers: { ...req.headers, host: router.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('router unreachable');
  });
  req.pipe(upstream);
}

async function file(root: string, path: string): Promise<string | undefined> {
  const full = normalize(join(root, path));
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  try {
    return (await stat(full)).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built storefront (`vite build` output in `root`) and a /graphql proxy to the router, on
 * port 0. Paths that are not files get index.html: the app routes in the browser (/products/…).
 */
export async function serveStorefront(root: string, routerGraphqlUrl: string): Promise<ServedStorefront> {
  const router = new URL(routerGraphqlUrl);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/graphql') {
      proxy(req, res, router);
      return;
    }
    void (async () => {
      const found = (await file(root, path)) ?? (extname(path) === '' ? join(root, 'index.html') : undefined);
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(found);
      res.writeHead(200, { 'content-type': TYPES[extname(found)] ?? 'application/octet-stream', 'content-length': body.length }).end(body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
