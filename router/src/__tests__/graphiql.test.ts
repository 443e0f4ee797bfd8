import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RequestInfo } from '@storefront/kit';
import { GRAPHIQL_PATH, graphiqlRoutes } from '../graphiql';

const ROUTER_MODULES = join(__dirname, '..', '..', 'node_modules');
let server: Server;
let base: string;

beforeAll(async () => {
  const routes = graphiqlRoutes();
  server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (route) void route(req, res, {} as RequestInfo);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Raw GET, so the test sees compressed bytes and 304s exactly as a browser would. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('GraphiQL served from the router’s own dependencies', () => {
  it('serves a page that loads only same-origin assets and explains the demo token flow', async () => {
    const page = await get(GRAPHIQL_PATH);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const html = page.body.toString('utf8');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    // No CDN: exploring must work with no internet.
    expect(sources.filter((s) => /^https?:/.test(s))).toEqual([]);
    for (const text of ['logIn', 'Headers', '"Authorization": "Bearer &lt;the token&gt;"', 'admin@example.com', 'password2']) expect(html).toContain(text);
    for (const src of sources.filter((s) => s.startsWith(GRAPHIQL_PATH))) expect((await get(src)).status).toBe(200);
  });

  it.each([
    ['graphiql.min.js', 'graphiql/graphiql.min.js', 'text/javascript; charset=utf-8'],
    ['graphiql.min.css', 'graphiql/graphiql.min.css', 'text/css; charset=utf-8'],
    ['react.production.min.js', 'react/umd/react.production.min.js', 'text/javascript; charset=utf-8'],
    ['react-dom.production.min.js', 'react-dom/umd/react-dom.production.min.js', 'text/javascript; charset=utf-8'],
  ])('serves %s byte for byte from node_modules/%s', async (name, file, type) => {
    const asset = await get(`${GRAPHIQL_PATH}/${name}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe(type);
    expect(asset.body.equals(readFileSync(join(ROUTER_MODULES, file)))).toBe(true);
  });

  it('compresses for clients that accept gzip and answers 304 to a matching ETag', async () => {
    const original = readFileSync(join(ROUTER_MODULES, 'graphiql/graphiql.min.js'));
    const zipped = await get(`${GRAPHIQL_PATH}/graphiql.min.js`, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(original.length / 2);
    expect(gunzipSync(zipped.body).equals(original)).toBe(true);

    const again = await get(`${GRAPHIQL_PATH}/graphiql.min.js`, { 'if-none-match': zipped.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('starts GraphiQL against the same origin’s /graphql with the headers editor open', async () => {
    const app = (await get(`${GRAPHIQL_PATH}/app.js`)).body.toString('utf8');
    expect(app).toContain("fetch('/graphql', {");
    expect(app).toContain("defaultEditorToolsVisibility: 'headers'");
  });
});
